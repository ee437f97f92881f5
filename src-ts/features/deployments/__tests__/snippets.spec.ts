import { makeSnippet, SNIPPET_KINDS, type ISnippetTarget } from '../snippets';

const BASE = 'http://127.0.0.1:8888/user/me/aqua-ext/deployments/dep-1/v1';

function target(overrides: Partial<ISnippetTarget> = {}): ISnippetTarget {
  return { id: 'dep-1', baseUrl: BASE, model: 'Qwen2.5 0.5B Instruct', mode: 'chat', ...overrides };
}

describe('code snippets', () => {
  it('never hold the token: curl reads it from the environment, Python finds it through aqua_ext.client', () => {
    for (const mode of ['chat', 'completion', 'embedding'] as const) {
      for (const kind of SNIPPET_KINDS) {
        const code = makeSnippet(kind, target({ mode }));
        if (kind === 'curl') {
          expect(code).toContain(BASE);
          expect(code).toContain('Authorization: token $JUPYTER_TOKEN');
        } else {
          // A kernel has no JUPYTER_TOKEN: the notebook client reads the server's runtime file.
          expect(code).not.toContain('JUPYTER_TOKEN');
          expect(code).toMatch(/^from aqua_ext import client$/m);
          expect(code).toContain('oai = client.openai_client("dep-1")');
        }
      }
    }
    expect(makeSnippet('langchain', target())).toContain('api_key=oai.api_key,');
  });

  it('name a connection by its id the same way', () => {
    const code = makeSnippet('python', target({ id: 'conn-팀', baseUrl: 'http://h/aqua-ext/connections/conn-팀/v1' }));
    expect(code).toContain('client.openai_client("conn-팀")');
  });

  it('call the endpoint of the inference mode', () => {
    expect(makeSnippet('curl', target())).toContain(`'${BASE}/chat/completions'`);
    expect(makeSnippet('curl', target({ mode: 'completion' }))).toContain(`'${BASE}/completions'`);
    expect(makeSnippet('curl', target({ mode: 'embedding' }))).toContain(`'${BASE}/embeddings'`);
    expect(makeSnippet('python', target())).toContain('oai.chat.completions.create(');
    expect(makeSnippet('python', target({ mode: 'completion' }))).toContain('oai.completions.create(');
    expect(makeSnippet('python', target({ mode: 'embedding' }))).toContain('oai.embeddings.create(');
    expect(makeSnippet('langchain', target())).toContain('from langchain_openai import ChatOpenAI');
    expect(makeSnippet('langchain', target({ mode: 'completion' }))).toContain('from langchain_openai import OpenAI');
    expect(makeSnippet('langchain', target({ mode: 'embedding' }))).toContain('OpenAIEmbeddings(');
  });

  it('quote names safely for Python and the shell', () => {
    const tricky = target({ model: 'it\'s "quoted"', baseUrl: BASE + '/' });
    const python = makeSnippet('python', tricky);
    expect(python).toContain('model="it\'s \\"quoted\\"",');
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
