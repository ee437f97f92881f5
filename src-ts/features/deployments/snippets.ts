/**
 * Code that calls a deployment or a connection from outside the playground:
 * curl, the `openai` Python client and LangChain, against the OpenAI-compatible
 * base URL that the Jupyter server proxies.
 *
 * The Python snippets go through `aqua_ext.client`, which finds this lab's
 * server and token from a notebook kernel (kernels get no `JUPYTER_TOKEN`);
 * curl reads the token from `$JUPYTER_TOKEN`. The page knows the real token,
 * but a snippet is copied, pasted and shared, so the real value never goes in it.
 */
import type { InferenceMode } from '../../api/types';

export type SnippetKind = 'curl' | 'python' | 'langchain';
export const SNIPPET_KINDS: readonly SnippetKind[] = ['curl', 'python', 'langchain'];

/** The environment variable the snippets read the Jupyter token from. */
export const TOKEN_ENV = 'JUPYTER_TOKEN';

export interface ISnippetTarget {
  /** The deployment's or connection's id, which `aqua_ext.client` looks up. */
  id: string;
  /** Absolute OpenAI-compatible base URL, ending in `/v1`. */
  baseUrl: string;
  /** Sent as `model`; the proxy maps any name to what the engine serves. */
  model: string;
  mode: InferenceMode;
}

const SAMPLE_PROMPT = 'Write a haiku about the sea.';
const SAMPLE_INPUTS = ['The cat sat on the mat.', 'A kitten rested on the rug.'];
const SAMPLE_MAX_TOKENS = 128;

/** A Python string literal (JSON's escapes are valid Python for these texts). */
function py(text: string): string {
  return JSON.stringify(text);
}

/** A single-quoted shell word: `it's` → `'it'\''s'`. */
function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

export function makeSnippet(kind: SnippetKind, target: ISnippetTarget): string {
  switch (kind) {
    case 'curl':
      return curlSnippet(target);
    case 'python':
      return openaiSnippet(target);
    case 'langchain':
      return langchainSnippet(target);
  }
}

function curlSnippet(target: ISnippetTarget): string {
  const base = trimSlash(target.baseUrl);
  let path: string;
  let body: Record<string, unknown>;
  if (target.mode === 'embedding') {
    path = '/embeddings';
    body = { model: target.model, input: SAMPLE_INPUTS };
  } else if (target.mode === 'completion') {
    path = '/completions';
    body = { model: target.model, prompt: SAMPLE_PROMPT, max_tokens: SAMPLE_MAX_TOKENS };
  } else {
    path = '/chat/completions';
    body = {
      model: target.model,
      messages: [{ role: 'user', content: SAMPLE_PROMPT }],
      max_tokens: SAMPLE_MAX_TOKENS
    };
  }
  return [
    `curl ${shellQuote(base + path)} \\`,
    `  -H "Authorization: token $${TOKEN_ENV}" \\`,
    `  -H 'Content-Type: application/json' \\`,
    `  -d ${shellQuote(JSON.stringify(body))}`
  ].join('\n');
}

/** How the Python snippets reach the target: the notebook client, which finds the server and token. */
function clientLines(target: ISnippetTarget): string[] {
  return [
    '# In a notebook of this JupyterLab, aqua_ext.client finds the server and its token;',
    '# elsewhere pass url="<the lab\'s URL>" and token="<the Jupyter token>".',
    `oai = client.openai_client(${py(target.id)})`
  ];
}

function openaiSnippet(target: ISnippetTarget): string {
  const header = ['from aqua_ext import client', '', ...clientLines(target), ''];
  if (target.mode === 'embedding') {
    return [
      ...header,
      'response = oai.embeddings.create(',
      `    model=${py(target.model)},`,
      `    input=[${SAMPLE_INPUTS.map(py).join(', ')}],`,
      ')',
      'print(len(response.data[0].embedding), "dimensions")'
    ].join('\n');
  }
  if (target.mode === 'completion') {
    return [
      ...header,
      'response = oai.completions.create(',
      `    model=${py(target.model)},`,
      `    prompt=${py(SAMPLE_PROMPT)},`,
      `    max_tokens=${SAMPLE_MAX_TOKENS},`,
      ')',
      'print(response.choices[0].text)'
    ].join('\n');
  }
  return [
    ...header,
    'stream = oai.chat.completions.create(',
    `    model=${py(target.model)},`,
    `    messages=[{"role": "user", "content": ${py(SAMPLE_PROMPT)}}],`,
    `    max_tokens=${SAMPLE_MAX_TOKENS},`,
    '    stream=True,',
    ')',
    'for chunk in stream:',
    '    if chunk.choices and chunk.choices[0].delta.content:',
    '        print(chunk.choices[0].delta.content, end="", flush=True)',
    'print()'
  ].join('\n');
}

function langchainSnippet(target: ISnippetTarget): string {
  const connection = ['    base_url=str(oai.base_url),', '    api_key=oai.api_key,', `    model=${py(target.model)},`];
  const header = (name: string): string[] => [
    'from aqua_ext import client',
    `from langchain_openai import ${name}`,
    '',
    ...clientLines(target)
  ];
  if (target.mode === 'embedding') {
    return [
      ...header('OpenAIEmbeddings'),
      'embeddings = OpenAIEmbeddings(',
      ...connection,
      '    # Send the texts as they are: the token counting is OpenAI-specific.',
      '    check_embedding_ctx_length=False,',
      ')',
      `vectors = embeddings.embed_documents([${SAMPLE_INPUTS.map(py).join(', ')}])`,
      'print(len(vectors[0]), "dimensions")'
    ].join('\n');
  }
  if (target.mode === 'completion') {
    return [
      ...header('OpenAI'),
      'llm = OpenAI(',
      ...connection,
      `    max_tokens=${SAMPLE_MAX_TOKENS},`,
      ')',
      `print(llm.invoke(${py(SAMPLE_PROMPT)}))`
    ].join('\n');
  }
  return [
    ...header('ChatOpenAI'),
    'llm = ChatOpenAI(',
    ...connection,
    `    max_tokens=${SAMPLE_MAX_TOKENS},`,
    ')',
    `print(llm.invoke(${py(SAMPLE_PROMPT)}).content)`
  ].join('\n');
}
