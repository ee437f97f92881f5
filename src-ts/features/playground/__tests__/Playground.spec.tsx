import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';

import { apiError } from '../../../test-support/errors';
import type { IPlaygroundProps } from '../Playground';
import { storageKey } from '../storage';
import { endless, lastAnswer, message, renderPlayground, sendMessage } from '../../../test-support/playground';
import { answerEvents, FakeClient, makeDeployment } from '../../../test-support/fixtures';
import { optionTexts } from '../../../test-support/queries';

/** A tiny stand-in for rendermime: fenced code becomes <pre>, the rest a paragraph. */
const renderMarkdown = jest.fn(async (host: HTMLElement, markdown: string) => {
  host.innerHTML = '';
  const parts = markdown.split(/```\w*\n?/);
  parts.forEach((part, i) => {
    const element = document.createElement(i % 2 ? 'pre' : 'p');
    element.textContent = part;
    host.appendChild(element);
  });
});

function setup(overrides: Partial<IPlaygroundProps> = {}, client = new FakeClient()) {
  return renderPlayground({ renderMarkdown, ...overrides }, client);
}

describe('Playground', () => {
  beforeEach(() => {
    window.localStorage.clear();
    renderMarkdown.mockClear();
  });

  it('streams a chat answer with the system prompt, renders it and shows its stats', async () => {
    const client = new FakeClient();
    client.chatEvents = answerEvents(['Here:\n```python\nprint(1)\n', '```\nDone.']);
    const { props } = setup({}, client);
    expect(await screen.findByRole('heading', { name: 'Qwen chat' })).toBeInTheDocument();
    expect(props.onTitle).toHaveBeenCalledWith('Qwen chat');
    fireEvent.click(screen.getByRole('button', { name: /System prompt/ }));
    fireEvent.change(screen.getByRole('textbox', { name: 'System prompt' }), { target: { value: 'Be brief.' } });
    fireEvent.change(message(), { target: { value: 'Show code' } });
    fireEvent.keyDown(message(), { key: 'Enter' });

    await waitFor(() => expect(lastAnswer()).toHaveAttribute('data-status', 'done'));
    expect(client.streamChat).toHaveBeenCalledWith(
      'dep-1',
      expect.objectContaining({
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Show code' }
        ],
        max_tokens: 512,
        temperature: 0.7
      }),
      expect.any(AbortSignal)
    );
    expect(message()).toHaveValue('');
    const stats = within(lastAnswer()).getByLabelText('Answer statistics');
    expect(stats).toHaveTextContent('TTFT 120 ms');
    expect(stats).toHaveTextContent('25.0 tokens/s');
    expect(stats).toHaveTextContent('2 tokens');
    expect(stats).toHaveTextContent('prompt 12, total 14');
    // Markdown through the renderer, with a Copy button on the code block.
    await waitFor(() => expect(lastAnswer().querySelector('pre')).toHaveTextContent('print(1)'));
    fireEvent.click(within(lastAnswer()).getByRole('button', { name: 'Copy code' }));
    expect(props.copyToClipboard).toHaveBeenCalledWith('print(1)\n');
  });

  it('stops a long answer at once and keeps what arrived', async () => {
    const client = new FakeClient();
    client.chatEvents = endless('Once upon');
    setup({}, client);
    await screen.findByRole('heading', { name: 'Qwen chat' });
    sendMessage('A long story');
    await waitFor(() => expect(lastAnswer()).toHaveAttribute('data-chars', '9'));
    const signal = client.streamChat.mock.calls[0][2] as AbortSignal;
    fireEvent.click(screen.getByRole('button', { name: 'Stop' }));
    expect(signal.aborted).toBe(true);
    expect(lastAnswer()).toHaveAttribute('data-status', 'stopped');
    expect(within(lastAnswer()).getByText('Stopped')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Send' })).toBeInTheDocument();
  });

  it('shows a refused turn inline and reloads the deployment', async () => {
    const client = new FakeClient();
    client.deployments = [makeDeployment({ state: 'INACTIVE', state_message: 'Stopped by you.' })];
    client.chatEvents = () => {
      throw apiError(409, "Deployment 'Qwen chat' is INACTIVE, not ACTIVE");
    };
    setup({}, client);
    await screen.findByRole('heading', { name: 'Qwen chat' });
    expect(screen.getByRole('status')).toHaveTextContent('This deployment is Inactive');
    sendMessage('Hello?');
    const error = await within(lastAnswer()).findByRole('alert');
    expect(error).toHaveTextContent("Deployment 'Qwen chat' is INACTIVE, not ACTIVE");
    expect(lastAnswer()).toHaveAttribute('data-status', 'error');
    await waitFor(() => expect(client.getDeployment).toHaveBeenCalledTimes(2));
  });

  it('shows an error event with the state the deployment is now in', async () => {
    const client = new FakeClient();
    client.chatEvents = [
      { type: 'delta', data: { content: 'Par', role: null, finish_reason: null } },
      { type: 'error', data: { status: 502, message: 'The engine stopped answering.', deployment_state: 'FAILED' } }
    ];
    setup({}, client);
    await screen.findByRole('heading', { name: 'Qwen chat' });
    sendMessage('Hi');
    const error = await within(lastAnswer()).findByRole('alert');
    expect(error).toHaveTextContent('The engine stopped answering.');
    expect(error).toHaveTextContent('The deployment is now Failed.');
  });

  it('keeps the conversation and settings across a reload', async () => {
    const client = new FakeClient();
    const first = setup({}, client);
    await screen.findByRole('heading', { name: 'Qwen chat' });
    fireEvent.change(screen.getByLabelText('Max tokens'), { target: { value: '64' } });
    sendMessage('Remember me');
    await waitFor(() => expect(lastAnswer()).toHaveAttribute('data-status', 'done'));
    await waitFor(() => expect(window.localStorage.getItem(storageKey('dep-1'))).toContain('Remember me'));
    first.unmount();

    setup({}, client);
    await screen.findByRole('heading', { name: 'Qwen chat' });
    expect(screen.getByText('Remember me')).toBeInTheDocument();
    expect(screen.getByLabelText('Max tokens')).toHaveValue(64);
    fireEvent.click(screen.getByRole('button', { name: 'Clear' }));
    expect(screen.queryByText('Remember me')).not.toBeInTheDocument();
  });

  it('has a prompt box for completion deployments', async () => {
    const client = new FakeClient();
    client.deployments = [makeDeployment({ mode: 'completion' })];
    setup({}, client);
    await screen.findByRole('heading', { name: 'Qwen chat' });
    expect(screen.queryByRole('button', { name: /System prompt/ })).not.toBeInTheDocument();
    const prompt = screen.getByRole('textbox', { name: 'Prompt' });
    fireEvent.change(prompt, { target: { value: 'Once upon a time' } });
    fireEvent.keyDown(prompt, { key: 'Enter' });
    expect(client.streamChat).not.toHaveBeenCalled(); // Enter is a newline here; Ctrl+Enter generates
    fireEvent.keyDown(prompt, { key: 'Enter', ctrlKey: true });
    await waitFor(() => expect(lastAnswer()).toHaveAttribute('data-status', 'done'));
    const body = client.streamChat.mock.calls[0][1];
    expect(body.prompt).toBe('Once upon a time');
    expect(body).not.toHaveProperty('messages');
  });

  it('sends one prompt to two deployments side by side in Compare mode', async () => {
    const client = new FakeClient();
    client.deployments = [makeDeployment(), makeDeployment({ id: 'dep-2', name: 'Llama chat' })];
    client.chatEvents = (_body, _signal, id) =>
      (async function* () {
        yield* answerEvents([id === 'dep-2' ? 'from two' : 'from one']);
      })();
    setup({}, client);
    await screen.findByRole('heading', { name: 'Qwen chat' });
    const compare = screen.getByRole('combobox', { name: 'Compare with' });
    await waitFor(() => expect(within(compare).getByRole('option', { name: 'Llama chat' })).toBeInTheDocument());
    fireEvent.change(compare, { target: { value: 'dep-2' } });
    sendMessage('Same question');
    await waitFor(() => expect(screen.getByRole('log', { name: 'Llama chat' })).toHaveTextContent('from two'));
    expect(screen.getByRole('log', { name: 'Qwen chat' })).toHaveTextContent('from one');
    expect(client.streamChat.mock.calls.map(call => call[0]).sort()).toEqual(['dep-1', 'dep-2']);
  });

  it('picks the adapter that answers, and compares the base with an adapter of the same deployment', async () => {
    const client = new FakeClient();
    const adapters = [
      { name: 'ko', model_id: 'ft:ftj-1', model_name: '한국어 답변', rank: 8 },
      { name: 'ja', model_id: 'ft:ftj-2', model_name: '日本語の回答', rank: 8 }
    ];
    client.deployments = [makeDeployment({ engine: 'llama.cpp', adapters }), makeDeployment({ id: 'dep-2', adapters })];
    setup({}, client);
    await screen.findByRole('heading', { name: 'Qwen chat' });
    const adapter = screen.getByRole('combobox', { name: 'Adapter' });
    expect(optionTexts(adapter)).toEqual(['Base model', 'ko', 'ja']);
    fireEvent.change(adapter, { target: { value: 'ja' } });
    expect(await screen.findByRole('heading', { name: 'Qwen chat · ja' })).toBeInTheDocument();
    // Compare lists every other deployment's base and adapters as "deployment · adapter".
    const compare = screen.getByRole('combobox', { name: 'Compare with' });
    await waitFor(() => expect(within(compare).getByRole('option', { name: 'Qwen chat · ko' })).toBeInTheDocument());
    fireEvent.change(compare, { target: { value: 'dep-2::adapter:ko' } });
    sendMessage('안녕하세요');
    await waitFor(() => expect(client.streamChat).toHaveBeenCalledTimes(2));
    const sent = Object.fromEntries(client.streamChat.mock.calls.map(call => [call[0], call[1]]));
    expect(sent['dep-1']).toMatchObject({ adapter: 'ja' });
    expect(sent['dep-2']).toMatchObject({ adapter: 'ko' });
  });

  it('defaults max tokens within a 512-token context and warns before sending a longer Korean prompt', async () => {
    const client = new FakeClient();
    client.deployments = [makeDeployment({ max_model_len: 512 })];
    client.chatEvents = () => {
      throw apiError(400, 'The engine refused the request.');
    };
    setup({}, client);
    await screen.findByRole('heading', { name: 'Qwen chat' });
    // A quarter of the context, not the whole of it.
    await waitFor(() => expect(screen.getByLabelText('Max tokens')).toHaveValue(128));
    fireEvent.change(message(), { target: { value: '짧은 질문' } });
    expect(document.querySelector('.jp-AquaExt-Playground-contextWarning')).toBeNull();
    fireEvent.change(message(), { target: { value: '한국어'.repeat(244).slice(0, 731) } });
    const warning = document.querySelector('.jp-AquaExt-Playground-contextWarning');
    expect(warning).toHaveTextContent(
      "This prompt is about 735 tokens (an estimate) and Max tokens is 128: 863 in all, more than this model's context of 512 tokens."
    );
    // Still sent (it is an estimate); the engine's refusal then says why.
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    const error = await within(lastAnswer()).findByRole('alert');
    expect(error).toHaveTextContent('The engine refused the request.');
    expect(error).toHaveTextContent("need more than this model's context of 512 tokens");
  });

  it('keeps a chosen max tokens when the context is known', async () => {
    const client = new FakeClient();
    client.deployments = [makeDeployment({ max_model_len: 4096 })];
    window.localStorage.setItem(storageKey('dep-1'), JSON.stringify({ sampling: { maxTokens: '700' } }));
    setup({}, client);
    await screen.findByRole('heading', { name: 'Qwen chat' });
    expect(screen.getByLabelText('Max tokens')).toHaveValue(700);
  });

  it('says in its column that a completion deployment in Compare is not sent the system prompt', async () => {
    const client = new FakeClient();
    client.deployments = [makeDeployment(), makeDeployment({ id: 'dep-2', name: '補完モデル', mode: 'completion' })];
    setup({}, client);
    await screen.findByRole('heading', { name: 'Qwen chat' });
    const compare = screen.getByRole('combobox', { name: 'Compare with' });
    await waitFor(() => expect(within(compare).getByRole('option', { name: '補完モデル' })).toBeInTheDocument());
    fireEvent.change(compare, { target: { value: 'dep-2' } });
    const column = screen
      .getByRole('log', { name: '補完モデル' })
      .closest('.jp-AquaExt-Playground-column') as HTMLElement;
    expect(within(column).queryByRole('note')).not.toBeInTheDocument(); // no system prompt: nothing dropped
    fireEvent.click(screen.getByRole('button', { name: /System prompt/ }));
    fireEvent.change(screen.getByRole('textbox', { name: 'System prompt' }), {
      target: { value: '한국어로 답하세요.' }
    });
    expect(within(column).getByRole('note')).toHaveTextContent('System prompt not sent: completion deployment');
    sendMessage('質問');
    await waitFor(() => expect(client.streamChat).toHaveBeenCalledTimes(2));
    const sent = Object.fromEntries(client.streamChat.mock.calls.map(call => [call[0], call[1]]));
    expect(sent['dep-2']).toMatchObject({ prompt: '質問' });
    expect(sent['dep-1'].messages?.[0]).toEqual({ role: 'system', content: '한국어로 답하세요.' });
  });

  it('embeds texts and shows the similarity matrix for embedding deployments', async () => {
    const client = new FakeClient();
    client.deployments = [makeDeployment({ mode: 'embedding', engine: 'vllm' })];
    setup({}, client);
    await screen.findByRole('heading', { name: 'Qwen chat' });
    expect(screen.queryByRole('textbox', { name: 'Message' })).not.toBeInTheDocument();
    fireEvent.change(screen.getByRole('textbox', { name: 'Text 3' }), { target: { value: '   ' } });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Embed and compare' }));
    });
    expect(client.embed).toHaveBeenCalledWith('dep-1', {
      inputs: ['The cat sat on the mat.', 'A kitten was resting on the rug.']
    });
    expect(await screen.findByText('384 dimensions')).toBeInTheDocument();
    const cells = document.querySelectorAll('.jp-AquaExt-SimilarityMatrix-cell');
    expect([...cells].map(cell => cell.textContent)).toEqual(['1.00', '0.50', '0.50', '1.00']);
  });
});
