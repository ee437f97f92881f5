import { checkJson, parseResponseFormat, parseTools } from '../jsonSchemas';
import { trans } from '../../../test-support/trans';

const PERSON = {
  type: 'object',
  properties: { 이름: { type: 'string' }, 年齢: { type: 'integer', minimum: 0 } },
  required: ['이름', '年齢'],
  additionalProperties: false
};

describe('structured output schema', () => {
  it('is off when empty and a json_schema response_format when valid', () => {
    expect(parseResponseFormat('  ', trans)).toEqual({ value: null, error: null });
    expect(parseResponseFormat(JSON.stringify(PERSON), trans)).toEqual({
      value: { type: 'json_schema', json_schema: { name: 'response', schema: PERSON, strict: true } },
      error: null
    });
  });

  it('says why text is not a usable schema', () => {
    expect(parseResponseFormat('{"type": ', trans).error).toMatch(/^Not JSON/);
    expect(parseResponseFormat('[1]', trans).error).toBe('A JSON schema is an object.');
    expect(parseResponseFormat('{"type": "objekt"}', trans).error).toMatch(/^Not a valid JSON schema/);
  });

  it('checks answers in any script against the schema', () => {
    expect(checkJson('{"이름": "김철수", "年齢": 30}', PERSON, trans)).toEqual({ valid: true, problems: [] });
    const wrong = checkJson('{"이름": "山田", "年齢": -1, "extra": 1}', PERSON, trans);
    expect(wrong.valid).toBe(false);
    expect(wrong.problems).toEqual(
      expect.arrayContaining(['/ must NOT have additional properties', '/年齢 must be >= 0'])
    );
    expect(checkJson('나이는 30살입니다', PERSON, trans)).toMatchObject({ valid: false });
  });
});

describe('tool definitions', () => {
  const weather = {
    type: 'function',
    function: {
      name: 'get_weather',
      description: '天気を調べる',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }
    }
  };

  it('parses OpenAI tools, giving parameters a default', () => {
    const parsed = parseTools(JSON.stringify([weather, { type: 'function', function: { name: 'now' } }]), trans);
    expect(parsed.error).toBeNull();
    expect(parsed.value).toEqual([
      weather,
      { type: 'function', function: { name: 'now', parameters: { type: 'object', properties: {} } } }
    ]);
    expect(parseTools('', trans)).toEqual({ value: null, error: null });
  });

  it.each([
    ['{}', 'Tools are a JSON array of at least one tool.'],
    ['[]', 'Tools are a JSON array of at least one tool.'],
    ['[{"name": "x"}]', 'Tool 1: give {"type": "function", "function": {...}}.'],
    [
      '[{"type": "function", "function": {"name": "날씨"}}]',
      'Tool 1: the name is 1 to 64 letters, digits, _ or - (a-z, A-Z).'
    ],
    [
      '[{"type": "function", "function": {"name": "a"}}, {"type": "function", "function": {"name": "a"}}]',
      'Two tools are named a.'
    ],
    [
      '[{"type": "function", "function": {"name": "a", "parameters": {"type": 3}}}]',
      'Tool 1 (a) parameters: Not a valid JSON schema'
    ]
  ])('refuses %s', (text, error) => {
    const parsed = parseTools(text, trans);
    expect(parsed.value).toBeNull();
    expect(parsed.error).toContain(error);
  });
});
