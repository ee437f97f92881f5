import { DEFAULT_SAMPLING, escapeStop, parseSampling, unescapeStop } from '../../../shared/sampling';
import { clearPlayground, loadPlayground, savePlayground, storageKey, type IPlaygroundState } from '../storage';
import { applyChatEvent, assistantTurn, userTurn } from '../transcript';
import { answerEvents } from '../../../test-support/fixtures';
import { trans } from '../../../test-support/trans';

function state(overrides: Partial<IPlaygroundState> = {}): IPlaygroundState {
  return {
    system: 'Be brief.',
    sampling: { ...DEFAULT_SAMPLING, maxTokens: '64', stop: ['\\n\\n'] },
    turns: [userTurn('Hello'), applyChatEvent(assistantTurn(1), answerEvents(['Hi'])[0], 2)],
    model: null,
    compareWith: null,
    compareModel: null,
    compareTurns: [],
    draft: 'half typed',
    embedInputs: [],
    schemaText: '{"type": "object", "properties": {"답": {"type": "string"}}}',
    toolsText: '',
    ...overrides
  };
}

describe('playground storage', () => {
  beforeEach(() => window.localStorage.clear());

  it('round-trips per deployment; an answer cut by the reload comes back stopped', () => {
    expect(savePlayground(window.localStorage, 'dep-1', state())).toBe(true);
    const loaded = loadPlayground(window.localStorage, 'dep-1');
    expect(loaded).toMatchObject({
      system: 'Be brief.',
      draft: 'half typed',
      schemaText: '{"type": "object", "properties": {"답": {"type": "string"}}}',
      toolsText: '',
      sampling: { maxTokens: '64', stop: ['\\n\\n'] }
    });
    expect(loaded?.turns.map(t => (t.role === 'assistant' ? t.status : t.role))).toEqual(['user', 'stopped']);
    expect(loadPlayground(window.localStorage, 'dep-2')).toBeNull();
    clearPlayground(window.localStorage, 'dep-1');
    expect(loadPlayground(window.localStorage, 'dep-1')).toBeNull();
  });

  it('keeps a connection partner in Compare and the models chosen', () => {
    const key = 'connection:conn-1';
    savePlayground(window.localStorage, key, state({ model: 'command-r', compareWith: 'dep-2', compareModel: null }));
    expect(loadPlayground(window.localStorage, key)).toMatchObject({ model: 'command-r', compareWith: 'dep-2' });
    savePlayground(window.localStorage, 'dep-1', state({ compareWith: key, compareModel: 'gpt-4o' }));
    expect(loadPlayground(window.localStorage, 'dep-1')).toMatchObject({ compareWith: key, compareModel: 'gpt-4o' });
  });

  it('drops what it cannot trust', () => {
    window.localStorage.setItem(storageKey('bad'), '{not json');
    expect(loadPlayground(window.localStorage, 'bad')).toBeNull();
    window.localStorage.setItem(
      storageKey('odd'),
      JSON.stringify({
        system: 3,
        sampling: { maxTokens: 7, temperature: '0.1' },
        turns: [{ role: 'hacker' }, { id: 'u', role: 'user', content: 'ok' }]
      })
    );
    expect(loadPlayground(window.localStorage, 'odd')).toMatchObject({
      system: '',
      sampling: { maxTokens: DEFAULT_SAMPLING.maxTokens, temperature: '0.1' },
      turns: [{ id: 'u', role: 'user', content: 'ok' }]
    });
    expect(loadPlayground(null, 'x')).toBeNull();
  });

  it('keeps the latest turns when the quota is full', () => {
    const storage = {
      setItem: jest.fn((_key: string, value: string) => {
        if (value.length > 2000) {
          throw new DOMException('full', 'QuotaExceededError');
        }
      })
    } as unknown as Storage;
    const many = Array.from({ length: 60 }, (_, i) => userTurn(`message ${i}`));
    expect(savePlayground(storage, 'd', state({ turns: many }))).toBe(true);
    const saved = JSON.parse((storage.setItem as jest.Mock).mock.calls.pop()[1]);
    expect(saved.turns).toHaveLength(10);
    expect(saved.turns[9].content).toBe('message 59');
  });

  it('keeps images when they fit, and the words without them when they do not', () => {
    const image = `data:image/png;base64,${'A'.repeat(3000)}`;
    const turns = [userTurn('この写真は？', [image])];
    expect(savePlayground(window.localStorage, 'v', state({ turns }))).toBe(true);
    expect(loadPlayground(window.localStorage, 'v')?.turns[0]).toMatchObject({ images: [image] });

    const storage = {
      setItem: jest.fn((_key: string, value: string) => {
        if (value.length > 2000) {
          throw new DOMException('full', 'QuotaExceededError');
        }
      })
    } as unknown as Storage;
    expect(savePlayground(storage, 'd', state({ turns }))).toBe(true);
    const saved = JSON.parse((storage.setItem as jest.Mock).mock.calls.pop()[1]);
    expect(saved.turns[0].content).toBe('この写真は？');
    expect(saved.turns[0].images).toBeUndefined();
    // A stored turn whose images are not strings is dropped, never trusted.
    window.localStorage.setItem(storageKey('bad'), JSON.stringify({ turns: [{ ...turns[0], images: [1] }] }));
    expect(loadPlayground(window.localStorage, 'bad')?.turns).toEqual([]);
  });
});

describe('sampling settings', () => {
  it('parses the inputs into the request, with top-k and seed off when empty', () => {
    expect(parseSampling({ ...DEFAULT_SAMPLING, stop: ['###', '\\n\\n'] }, trans)).toEqual({
      value: {
        max_tokens: 512,
        temperature: 0.7,
        top_p: 1,
        top_k: null,
        frequency_penalty: 0,
        presence_penalty: 0,
        stop: ['###', '\n\n'],
        seed: null
      },
      errors: {}
    });
    expect(parseSampling({ ...DEFAULT_SAMPLING, topK: '-1', seed: '42' }, trans).value).toMatchObject({
      top_k: null,
      seed: 42
    });
  });

  it('names each bad input', () => {
    const parsed = parseSampling(
      { ...DEFAULT_SAMPLING, maxTokens: '0', temperature: '3', topP: '0', topK: '1.5', stop: Array(9).fill('x') },
      trans
    );
    expect(parsed.value).toBeNull();
    expect(parsed.errors).toEqual({
      maxTokens: 'A whole number from 1 to 131072.',
      temperature: 'A number from 0 to 2.',
      topP: 'A number above 0, at most 1.',
      topK: 'A whole number from -1 to 10000.',
      stop: 'At most 8 stop sequences.'
    });
  });

  it('types newlines and tabs in a stop sequence as escapes', () => {
    expect(unescapeStop('a\\nb\\t\\\\n')).toBe('a\nb\t\\n');
    expect(escapeStop('a\nb\t\\')).toBe('a\\nb\\t\\\\');
  });
});
