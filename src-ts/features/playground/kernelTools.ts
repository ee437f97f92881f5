/**
 * A tool call answered by a Python function of the notebook's kernel: the request that calls it and
 * the reading of the kernel's reply. Plain data (no JupyterLab), so it is tested on its own; the app
 * sends the request with JupyterLab's kernel API (`app/kernelTools.ts`).
 *
 * Safety: the only text of the user's placed in the code is the function name, checked to be a
 * (dotted) Python identifier; the arguments travel as one Python string literal with every
 * character outside printable ASCII escaped, decoded by `json.loads` in the kernel.
 *
 * The call is a user expression of a silent execute request: IPython evaluates it after the (empty)
 * code and returns its repr in the reply itself, with the exception's name and message when it
 * raises, so nothing depends on output messages (a silent request may not publish them), nothing is
 * left in the user's namespace and nothing enters the history. The result comes back base64-encoded
 * UTF-8, so its repr is plain ASCII between quotes, whatever the result holds.
 */
import type { TranslationBundle } from '@jupyterlab/translation';

import type { Turn } from './transcript';

/** Tool rounds the model may chain after one question before auto-answer stops (a loop guard). */
export const MAX_AUTO_ROUNDS = 5;

/** How long a function may run before the call is reported as not answered. */
export const KERNEL_TIMEOUT_MS = 30_000;

/** The key of the user expression in the request and the reply. */
export const RESULT_KEY = 'aqua_ext_tool_result';

/** What a kernel function gave: its result as the tool message's text, or why there is none. */
export type KernelToolOutcome = { ok: true; value: string } | { ok: false; message: string };

/** Runs function `fn` of the active notebook's kernel with a call's arguments (JSON text). */
export type RunKernelTool = (fn: string, argumentsText: string) => Promise<KernelToolOutcome & { notebook?: string }>;

/** The content of a Jupyter execute_request. */
export interface IKernelExecuteContent {
  code: string;
  silent: boolean;
  store_history: boolean;
  user_expressions: { [key: string]: string };
  allow_stdin: boolean;
  stop_on_error: boolean;
}

// Python 3 keywords (soft keywords such as `match` and `type` are valid names).
const PYTHON_KEYWORDS = new Set(
  (
    'False None True and as assert async await break class continue def del elif else except finally for from ' +
    'global if import in is lambda nonlocal not or pass raise return try while with yield'
  ).split(' ')
);
// ASCII only: tool names are ASCII (OpenAI's rule), and nothing else can reach the code.
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Why `name` cannot be called (not a name, or a dotted path of names, of Python); null when it can. */
export function functionNameProblem(name: string, trans: TranslationBundle): string | null {
  const trimmed = name.trim();
  if (!trimmed) {
    return trans.__('Give the name of a Python function defined in the kernel.');
  }
  const parts = trimmed.split('.');
  if (parts.length > 8 || !parts.every(part => IDENTIFIER.test(part) && !PYTHON_KEYWORDS.has(part))) {
    return trans.__(
      '%1 is not a Python function name: letters, digits and _ (not first), optionally module.name.',
      trimmed
    );
  }
  return null;
}

/** The function a tool is answered with unless the user names another: the tool's own name, made a Python name. */
export function defaultFunctionName(toolName: string): string {
  const name = toolName.replace(/-/g, '_');
  return /^[0-9]/.test(name) ? `_${name}` : name;
}

/**
 * `text` as a Python string literal of printable ASCII: `"` and `\` escaped, every other character
 * outside 0x20–0x7E written as \xNN, \uNNNN or \UNNNNNNNN (by code point, so characters beyond the
 * BMP stay one character in Python).
 */
export function pythonStringLiteral(text: string): string {
  let out = '"';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (char === '"' || char === '\\') {
      out += `\\${char}`;
    } else if (code >= 0x20 && code <= 0x7e) {
      out += char;
    } else if (code <= 0xff) {
      out += `\\x${code.toString(16).padStart(2, '0')}`;
    } else if (code <= 0xffff) {
      out += `\\u${code.toString(16).padStart(4, '0')}`;
    } else {
      out += `\\U${code.toString(16).padStart(8, '0')}`;
    }
  }
  return `${out}"`;
}

/** The arguments as the kernel gets them: a JSON object's text ("{}" when the model gave none). */
export function callArguments(
  argumentsText: string,
  trans: TranslationBundle
): { value: string; error: null } | { value: null; error: string } {
  const text = argumentsText.trim() || '{}';
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { value: null, error: trans.__('The arguments are not JSON: %1', (error as Error).message) };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { value: null, error: trans.__('The arguments are not a JSON object: they cannot be keyword arguments.') };
  }
  return { value: text, error: null };
}

/**
 * The Python expression that calls `fn(**json.loads(arguments))`. `fn` is looked up in the user's
 * namespace first, as an argument of a lambda, so the lambda's own names cannot hide it; json,
 * base64 and the builtins are imported by the expression, so a user's variable named `str` or
 * `json` changes nothing. A str result is the tool message as it is; anything else is
 * `json.dumps(result, default=str, ensure_ascii=False)`.
 */
export function kernelCallExpression(fn: string, argumentsJson: string): string {
  return (
    `(lambda f, a, b, j, e: e.b64encode(` +
    `(lambda r: r if b.isinstance(r, b.str) else j.dumps(r, default=b.str, ensure_ascii=False))` +
    `(f(**j.loads(a))).encode("utf-8", "replace")).decode("ascii"))` +
    `(${fn.trim()}, ${pythonStringLiteral(argumentsJson)}, ` +
    `__import__("builtins"), __import__("json"), __import__("base64"))`
  );
}

/** The execute request of one call; the function name must have passed `functionNameProblem`. */
export function kernelCallRequest(fn: string, argumentsJson: string): IKernelExecuteContent {
  return {
    code: '',
    silent: true,
    store_history: false,
    user_expressions: { [RESULT_KEY]: kernelCallExpression(fn, argumentsJson) },
    allow_stdin: false,
    stop_on_error: false
  };
}

function base64Utf8(base64: string): string {
  const binary = atob(base64);
  // Bytes as %XX: decodeURIComponent reads them as UTF-8 (and throws on bytes that are not).
  let escaped = '';
  for (let i = 0; i < binary.length; i++) {
    escaped += `%${binary.charCodeAt(i).toString(16).padStart(2, '0')}`;
  }
  return decodeURIComponent(escaped);
}

function record(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

/** The outcome of a call from the content of the kernel's execute_reply. */
export function parseKernelReply(content: unknown, fn: string, trans: TranslationBundle): KernelToolOutcome {
  const reply = record(content);
  if (!reply) {
    return { ok: false, message: trans.__('The kernel sent no reply to read.') };
  }
  if (reply.status !== 'ok') {
    // The empty code itself failed: the kernel was interrupted or is not IPython-like.
    const why = [reply.ename, reply.evalue].filter(part => typeof part === 'string' && part).join(': ');
    return { ok: false, message: trans.__('The kernel did not run the call (%1).', why || String(reply.status)) };
  }
  const expression = record(record(reply.user_expressions)?.[RESULT_KEY]);
  if (!expression) {
    return { ok: false, message: trans.__('The kernel returned no result: it may not support user expressions.') };
  }
  if (expression.status === 'error') {
    const name = typeof expression.ename === 'string' ? expression.ename : 'Error';
    const value = typeof expression.evalue === 'string' ? expression.evalue : '';
    if (name === 'NameError' && value.includes(`'${fn.split('.')[0]}'`)) {
      return {
        ok: false,
        message: trans.__(
          '%1 is not defined in the kernel: run the cell that defines it, or name another function.',
          fn
        )
      };
    }
    return { ok: false, message: trans.__('%1 raised %2', fn, value ? `${name}: ${value}` : name) };
  }
  const plain = record(expression.data)?.['text/plain'];
  const quoted = typeof plain === 'string' ? /^'([A-Za-z0-9+/=]*)'$/.exec(plain.trim()) : null;
  if (!quoted) {
    return { ok: false, message: trans.__('The kernel’s answer could not be read: %1', String(plain).slice(0, 200)) };
  }
  try {
    return { ok: true, value: base64Utf8(quoted[1]) };
  } catch {
    return { ok: false, message: trans.__('The kernel’s answer is not UTF-8 text.') };
  }
}

/** A failed call as a tool result the model can read (what "Send the error" puts in the box). */
export function errorResult(message: string): string {
  return JSON.stringify({ error: message });
}

/**
 * Tool rounds already answered since the question that led to answer `answerId`: the answers with
 * tool calls between the last user turn before it and it. 0 when it is not in `turns`.
 */
export function toolRoundsBefore(turns: readonly Turn[], answerId: string): number {
  const index = turns.findIndex(turn => turn.id === answerId);
  let rounds = 0;
  for (let i = index - 1; i >= 0; i--) {
    const turn = turns[i];
    if (turn.role === 'user') {
      break;
    }
    if (turn.toolCalls?.length) {
      rounds += 1;
    }
  }
  return rounds;
}

/** What the user set for each tool: the kernel function that answers it and whether it answers by itself. */
export interface IKernelToolSetting {
  fn: string;
  auto: boolean;
}

export type KernelToolSettings = { [toolName: string]: IKernelToolSetting | undefined };

export function kernelSetting(settings: KernelToolSettings, toolName: string): IKernelToolSetting {
  const setting = settings[toolName];
  return { fn: setting?.fn.trim() || defaultFunctionName(toolName), auto: setting?.auto ?? false };
}
