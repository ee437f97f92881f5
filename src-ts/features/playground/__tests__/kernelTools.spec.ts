import { execFileSync } from 'child_process';

import {
  callArguments,
  defaultFunctionName,
  errorResult,
  functionNameProblem,
  kernelCallExpression,
  kernelCallRequest,
  kernelSetting,
  parseKernelReply,
  pythonStringLiteral,
  RESULT_KEY,
  toolRoundsBefore
} from '../kernelTools';
import type { IAssistantTurn, Turn } from '../transcript';
import { trans } from '../../../test-support/trans';

/**
 * What IPython's user_expressions does with the expression, run by a real Python: eval in a
 * namespace holding the functions below, then the repr of the value (text/plain) or the exception's
 * name and message. The reply content is built from that as the kernel builds it.
 */
const KERNEL_NAMESPACE = `
import json
def get_weather(city, unit="C"):
    return {"city": city, "temp": 21, "unit": unit}
def echo(**kwargs):
    return kwargs
def text(value):
    return value
def boom(**kwargs):
    raise ValueError("온도계가 고장났어요")
class tools:
    @staticmethod
    def now():
        return __import__("datetime").date(2026, 12, 7)
str = "a user's variable named str"
json = "and one named json"
`;

const PYTHON_EVAL = `
import json as _json, sys
_ns = {}
exec(${JSON.stringify(KERNEL_NAMESPACE)}, _ns)
try:
    _value = eval(sys.stdin.read(), _ns)
    _out = {"status": "ok", "data": {"text/plain": repr(_value)}, "metadata": {}}
except Exception as _e:
    _out = {"status": "error", "ename": type(_e).__name__, "evalue": str(_e), "traceback": []}
print(_json.dumps(_out))
`;

function python(): string | null {
  for (const candidate of ['python3', 'python']) {
    try {
      execFileSync(candidate, ['-c', 'pass']);
      return candidate;
    } catch {
      // try the next
    }
  }
  return null;
}
const PYTHON = python();

/** The kernel's execute_reply content for the call (arguments as the runner checks them), evaluated by a real Python. */
function kernelReply(fn: string, argumentsText: string): unknown {
  const args = callArguments(argumentsText, trans);
  if (args.value === null) {
    throw new Error(args.error);
  }
  const request = kernelCallRequest(fn, args.value);
  const output = execFileSync(PYTHON ?? 'python3', ['-c', PYTHON_EVAL], {
    input: request.user_expressions[RESULT_KEY],
    encoding: 'utf-8'
  });
  return { status: 'ok', execution_count: 1, user_expressions: { [RESULT_KEY]: JSON.parse(output) } };
}

/** What the runner makes of the kernel's reply to the call of `fn`: `kernelReply` read by `parseKernelReply`. */
function callInPython(fn: string, argumentsText: string) {
  return parseKernelReply(kernelReply(fn, argumentsText), fn, trans);
}

describe('kernel function names', () => {
  it('takes Python names and dotted paths, nothing else', () => {
    for (const name of ['get_weather', '_private', 'tools.now', 'match', 'Weather2']) {
      expect(functionNameProblem(name, trans)).toBeNull();
    }
    for (const name of [
      'get-weather',
      '2fast',
      'os.system("rm -rf /")',
      'f()',
      'a;b',
      'class',
      'tools.',
      '날씨',
      '__import__("os").system',
      'a b'
    ]) {
      expect(functionNameProblem(name, trans)).toMatch(/is not a Python function name/);
    }
    expect(functionNameProblem('  ', trans)).toBe('Give the name of a Python function defined in the kernel.');
  });

  it("defaults to the tool's name made a Python name", () => {
    expect(defaultFunctionName('get_weather')).toBe('get_weather');
    expect(defaultFunctionName('get-weather')).toBe('get_weather');
    expect(defaultFunctionName('3d-render')).toBe('_3d_render');
    expect(kernelSetting({}, 'get-weather')).toEqual({ fn: 'get_weather', auto: false });
    expect(kernelSetting({ w: { fn: ' lookup ', auto: true } }, 'w')).toEqual({ fn: 'lookup', auto: true });
    expect(kernelSetting({ w: { fn: '', auto: true } }, 'w')).toEqual({ fn: 'w', auto: true });
  });
});

describe('the request', () => {
  it('is silent, kept out of the history, and carries the arguments as one ASCII literal', () => {
    const request = kernelCallRequest('get_weather', '{"city": "서울", "note": "東京\\n\\"引用\\" \\\\ 😀"}');
    expect(request).toMatchObject({ code: '', silent: true, store_history: false, allow_stdin: false });
    const expression = request.user_expressions[RESULT_KEY];
    // Only printable ASCII in the code: nothing the user or the model typed can end the literal.
    expect(expression).toMatch(/^[\x20-\x7e]+$/);
    expect(expression).toContain('(get_weather, "{\\"city\\": \\"\\uc11c\\uc6b8\\"');
    expect(expression).toContain('\\U0001f600');
  });

  it('writes Python string literals by code point', () => {
    expect(pythonStringLiteral('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(pythonStringLiteral('\n\t\u0000é')).toBe('"\\x0a\\x09\\x00\\xe9"');
    expect(pythonStringLiteral('서울 東京')).toBe('"\\uc11c\\uc6b8 \\u6771\\u4eac"');
    expect(pythonStringLiteral('😀')).toBe('"\\U0001f600"');
  });

  it('takes a JSON object of arguments ({} when the model gave none)', () => {
    expect(callArguments('', trans)).toEqual({ value: '{}', error: null });
    expect(callArguments(' {"city": "大阪"} ', trans)).toEqual({ value: '{"city": "大阪"}', error: null });
    expect(callArguments('{"city": ', trans).error).toMatch(/^The arguments are not JSON/);
    expect(callArguments('["서울"]', trans).error).toBe(
      'The arguments are not a JSON object: they cannot be keyword arguments.'
    );
  });
});

const describeWithPython = PYTHON ? describe : describe.skip;

describeWithPython('a round trip through Python', () => {
  it('gives the function the arguments exactly, in Korean, Japanese and beyond the BMP', () => {
    const args = { city: '서울특별시', note: '東京都 "引用" \\ \n\t 😀 \u2028', unit: 'F' };
    const outcome = callInPython('echo', JSON.stringify(args));
    expect(outcome.ok).toBe(true);
    expect(outcome.ok && JSON.parse(outcome.value)).toEqual(args);
    // Not ASCII-escaped: the tool message reads as the function returned it.
    expect(outcome.ok && outcome.value).toContain('서울특별시');
  });

  it('sends a dict as json.dumps, a str as it is, anything else through str()', () => {
    expect(callInPython('get_weather', '{"city": "札幌"}')).toEqual({
      ok: true,
      value: '{"city": "札幌", "temp": 21, "unit": "C"}'
    });
    expect(callInPython('text', '{"value": "맑음\\n晴れ"}')).toEqual({ ok: true, value: '맑음\n晴れ' });
    expect(callInPython('tools.now', '')).toEqual({ ok: true, value: '"2026-12-07"' });
  });

  it('says what went wrong: an undefined function, an exception, wrong arguments', () => {
    expect(callInPython('get_wether', '{}')).toEqual({
      ok: false,
      message: 'get_wether is not defined in the kernel: run the cell that defines it, or name another function.'
    });
    expect(callInPython('boom', '{"city": "서울"}')).toEqual({
      ok: false,
      message: 'boom raised ValueError: 온도계가 고장났어요'
    });
    const wrong = callInPython('get_weather', '{"town": "서울"}');
    expect(wrong).toEqual({ ok: false, message: expect.stringMatching(/^get_weather raised TypeError: .*town/) });
  });

  it('does not run text smuggled into the arguments', () => {
    const args = { city: '"), __import__("os").system("echo pwned"), ("' };
    const outcome = callInPython('echo', JSON.stringify(args));
    expect(outcome.ok && JSON.parse(outcome.value)).toEqual(args);
  });
});

describe('the reply', () => {
  const ok = (plain: unknown): unknown => ({
    status: 'ok',
    user_expressions: { [RESULT_KEY]: { status: 'ok', data: { 'text/plain': plain }, metadata: {} } }
  });

  it('reads the base64 of UTF-8 between quotes', () => {
    // base64 of the UTF-8 of {"도시": "서울"}
    const encoded = btoa(String.fromCharCode(...Array.from(new TextEncoderLike().encode('{"도시": "서울"}'))));
    expect(parseKernelReply(ok(`'${encoded}'`), 'f', trans)).toEqual({ ok: true, value: '{"도시": "서울"}' });
  });

  it('says so when it cannot be read', () => {
    expect(parseKernelReply(null, 'f', trans)).toEqual({ ok: false, message: 'The kernel sent no reply to read.' });
    expect(parseKernelReply({ status: 'error', ename: 'KeyboardInterrupt', evalue: '' }, 'f', trans)).toEqual({
      ok: false,
      message: 'The kernel did not run the call (KeyboardInterrupt).'
    });
    expect(parseKernelReply({ status: 'ok', user_expressions: {} }, 'f', trans)).toEqual({
      ok: false,
      message: 'The kernel returned no result: it may not support user expressions.'
    });
    expect(parseKernelReply(ok('<coroutine object f>'), 'f', trans)).toEqual({
      ok: false,
      message: 'The kernel’s answer could not be read: <coroutine object f>'
    });
    expect(parseKernelReply(ok(`'${btoa('\xff\xfe')}'`), 'f', trans)).toEqual({
      ok: false,
      message: 'The kernel’s answer is not UTF-8 text.'
    });
  });

  it('gives an error as a tool result the model can read', () => {
    expect(JSON.parse(errorResult('get_weather raised KeyError: 서울'))).toEqual({
      error: 'get_weather raised KeyError: 서울'
    });
  });
});

/** UTF-8 bytes of a string (jsdom has no TextEncoder). */
class TextEncoderLike {
  encode(text: string): number[] {
    return Array.from(unescape(encodeURIComponent(text)), char => char.charCodeAt(0));
  }
}

describe('the auto-answer bound', () => {
  const answer = (id: string, calls: number): IAssistantTurn => ({
    id,
    role: 'assistant',
    content: '',
    status: 'done',
    error: null,
    errorStatus: null,
    deploymentState: null,
    stats: null,
    startedAt: 0,
    firstTokenAt: null,
    chunks: 1,
    ...(calls ? { toolCalls: [{ id: `c-${id}`, name: 'f', arguments: '{}', result: '1' }] } : {})
  });

  it('counts the tool rounds since the question', () => {
    const turns: Turn[] = [
      { id: 'u1', role: 'user', content: '서울?' },
      answer('a1', 1),
      answer('a2', 1),
      { id: 'u2', role: 'user', content: '東京?' },
      answer('a3', 1),
      answer('a4', 0),
      answer('a5', 1),
      answer('a6', 1)
    ];
    expect(toolRoundsBefore(turns, 'a1')).toBe(0);
    expect(toolRoundsBefore(turns, 'a2')).toBe(1);
    expect(toolRoundsBefore(turns, 'a3')).toBe(0);
    expect(toolRoundsBefore(turns, 'a6')).toBe(2);
    expect(toolRoundsBefore(turns, 'missing')).toBe(0);
  });
});

test('the expression looks the function up before its own names', () => {
  // `f`, `b`, `j`, `e` are the lambda's parameters: a user's function of that name is still the one called.
  expect(kernelCallExpression('e', '{}')).toMatch(/^\(lambda f, a, b, j, e: .*\)\(e, "\{\}", /);
});
