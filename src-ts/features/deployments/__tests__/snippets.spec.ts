import { makeSnippet, SNIPPET_KINDS, type ISnippetTarget } from '../snippets';

const BASE = 'http://127.0.0.1:8888/user/me/aqua-ext/deployments/dep-1/v1';

function target(overrides: Partial<ISnippetTarget> = {}): ISnippetTarget {
  return { baseUrl: BASE, model: 'Qwen2.5 0.5B Instruct', mode: 'chat', ...overrides };
}

describe('code snippets', () => {
  it('read the token from the environment in every language and mode', () => {
    for (const mode of ['chat', 'completion', 'embedding'] as const) {
      for (const kind of SNIPPET_KINDS) {
        const code = makeSnippet(kind, target({ mode }));
        expect(code).toContain(BASE);
        if (kind === 'curl') {
          expect(code).toContain('Authorization: token $JUPYTER_TOKEN');
        } else {
          expect(code).toContain('api_key=os.environ["JUPYTER_TOKEN"]');
          expect(code).toMatch(/^import os$/m);
        }
      }
    }
  });

  it('call the endpoint of the inference mode', () => {
    expect(makeSnippet('curl', target())).toContain(`'${BASE}/chat/completions'`);
    expect(makeSnippet('curl', target({ mode: 'completion' }))).toContain(`'${BASE}/completions'`);
    expect(makeSnippet('curl', target({ mode: 'embedding' }))).toContain(`'${BASE}/embeddings'`);
    expect(makeSnippet('python', target())).toContain('client.chat.completions.create(');
    expect(makeSnippet('python', target({ mode: 'completion' }))).toContain('client.completions.create(');
    expect(makeSnippet('python', target({ mode: 'embedding' }))).toContain('client.embeddings.create(');
    expect(makeSnippet('langchain', target())).toContain('from langchain_openai import ChatOpenAI');
    expect(makeSnippet('langchain', target({ mode: 'completion' }))).toContain('from langchain_openai import OpenAI');
    expect(makeSnippet('langchain', target({ mode: 'embedding' }))).toContain('OpenAIEmbeddings(');
  });

  it('quote names safely for Python and the shell', () => {
    const tricky = target({ model: 'it\'s "quoted"', baseUrl: BASE + '/' });
    const python = makeSnippet('python', tricky);
    expect(python).toContain('model="it\'s \\"quoted\\"",');
    expect(python).toContain(`base_url="${BASE}",`);
    const curl = makeSnippet('curl', tricky);
    // The JSON body sits in single quotes; a quote inside closes, escapes and reopens.
    expect(curl).toContain(`"model":"it'\\''s \\"quoted\\""`);
    const body = /-d '(.*)'$/m.exec(curl);
    expect(body).not.toBeNull();
  });

  it('is a JSON body curl can send as is', () => {
    const curl = makeSnippet('curl', target());
    const body = /-d '(.*)'$/m.exec(curl)?.[1] ?? '';
    expect(JSON.parse(body)).toEqual({
      model: 'Qwen2.5 0.5B Instruct',
      messages: [{ role: 'user', content: 'Write a haiku about the sea.' }],
      max_tokens: 128
    });
  });
});
