import { fireEvent, screen, waitFor, within } from '@testing-library/react';

import { storageKey } from '../storage';
import { endless, message, renderPlayground, sendMessage } from '../../../test-support/playground';
import { answerEvents, FakeClient, makeConnection, makeDeployment } from '../../../test-support/fixtures';
import { optionTexts } from '../../../test-support/queries';

function answers(log: HTMLElement): HTMLElement[] {
  return [...log.querySelectorAll<HTMLElement>('.jp-AquaExt-Turn.jp-mod-assistant')];
}

/** Choose `label` in Compare, once the list has it. */
async function compareWith(label: string): Promise<void> {
  const compare = screen.getByRole('combobox', { name: 'Compare with' });
  const option = await within(compare).findByRole('option', { name: label });
  fireEvent.change(compare, { target: { value: option.getAttribute('value') } });
}

describe('Playground with connections', () => {
  beforeEach(() => window.localStorage.clear());

  it('offers the chat connections in Compare beside the deployments', async () => {
    const client = new FakeClient();
    client.deployments = [makeDeployment(), makeDeployment({ id: 'dep-2', name: 'Llama chat' })];
    client.connections = [
      makeConnection(),
      makeConnection({ id: 'conn-emb', name: '埋め込み専用', capabilities: ['embedding'] })
    ];
    renderPlayground({}, client);
    await screen.findByRole('heading', { name: 'Qwen chat' });
    const compare = screen.getByRole('combobox', { name: 'Compare with' });
    await waitFor(() =>
      expect(optionTexts(compare)).toEqual(['Nothing (single)', 'Llama chat', '사내 GPT 서비스 (connection)'])
    );
  });

  it('compares a deployment with a connection: one prompt, both streamed, the chosen model sent', async () => {
    const client = new FakeClient();
    client.chatEvents = answerEvents(['from the deployment']);
    client.connectionChatEvents = answerEvents(['ホスト', 'の答え']);
    renderPlayground({}, client);
    await screen.findByRole('heading', { name: 'Qwen chat' });
    await compareWith('사내 GPT 서비스 (connection)');
    const model = screen.getByRole('combobox', { name: 'Model of 사내 GPT 서비스' });
    expect(optionTexts(model)).toEqual(['Default (gpt-4o-mini)', 'gpt-4o-mini', 'gpt-4o']);
    fireEvent.change(model, { target: { value: 'gpt-4o' } });
    sendMessage('같은 질문');

    const hosted = await screen.findByRole('log', { name: '사내 GPT 서비스' });
    await waitFor(() => expect(answers(hosted)[0]).toHaveAttribute('data-status', 'done'));
    // The answer goes through the Markdown renderer once complete.
    await waitFor(() => expect(hosted).toHaveTextContent('ホストの答え'));
    expect(within(answers(hosted)[0]).getByLabelText('Answer statistics')).toHaveTextContent('TTFT 120 ms');
    await waitFor(() =>
      expect(screen.getByRole('log', { name: 'Qwen chat' })).toHaveTextContent('from the deployment')
    );
    expect(client.streamChat).toHaveBeenCalledWith('dep-1', expect.anything(), expect.any(AbortSignal));
    expect(client.streamConnectionChat).toHaveBeenCalledWith(
      'conn-1',
      expect.objectContaining({ model: 'gpt-4o', messages: [{ role: 'user', content: '같은 질문' }] }),
      expect.any(AbortSignal)
    );
    // The partner and its model are kept for the next visit.
    await waitFor(() =>
      expect(JSON.parse(window.localStorage.getItem(storageKey('dep-1')) ?? '{}')).toMatchObject({
        compareWith: 'connection:conn-1',
        compareModel: 'gpt-4o'
      })
    );
  });

  it("stops the connection's answer with the deployment's", async () => {
    const client = new FakeClient();
    client.chatEvents = endless('dep');
    client.connectionChatEvents = endless('conn');
    renderPlayground({}, client);
    await screen.findByRole('heading', { name: 'Qwen chat' });
    await compareWith('사내 GPT 서비스 (connection)');
    sendMessage('long');
    const hosted = await screen.findByRole('log', { name: '사내 GPT 서비스' });
    await waitFor(() => expect(answers(hosted)[0]).toHaveAttribute('data-chars', '4'));
    const signal = client.streamConnectionChat.mock.calls[0][2] as AbortSignal;
    fireEvent.click(screen.getByRole('button', { name: 'Stop' }));
    expect(signal.aborted).toBe(true);
    expect(answers(hosted)[0]).toHaveAttribute('data-status', 'stopped');
  });

  it('says a service that cannot stream answers whole', async () => {
    const client = new FakeClient();
    client.connections = [makeConnection({ name: 'Cohere 生成', streaming: false })];
    renderPlayground({}, client);
    await screen.findByRole('heading', { name: 'Qwen chat' });
    expect(screen.queryByRole('note')).not.toBeInTheDocument();
    await compareWith('Cohere 生成 (connection)');
    expect(screen.getByRole('note')).toHaveTextContent('“Cohere 生成”: this service answers whole (no streaming).');
  });

  it("chats with a connection in its own tab, with the connection's model choice", async () => {
    const client = new FakeClient();
    client.connections = [makeConnection({ streaming: false })];
    const { props } = renderPlayground({ deploymentId: 'connection:conn-1' }, client);
    expect(await screen.findByRole('heading', { name: '사내 GPT 서비스' })).toBeInTheDocument();
    expect(props.onTitle).toHaveBeenCalledWith('사내 GPT 서비스');
    expect(client.getDeployment).not.toHaveBeenCalled();
    expect(screen.getByRole('note')).toHaveTextContent('this service answers whole (no streaming)');
    fireEvent.change(screen.getByRole('combobox', { name: 'Model' }), { target: { value: 'gpt-4o' } });
    // It is not offered as its own partner.
    const compare = screen.getByRole('combobox', { name: 'Compare with' });
    await within(compare).findByRole('option', { name: 'Qwen chat' });
    expect(within(compare).queryByRole('option', { name: /사내 GPT 서비스/ })).not.toBeInTheDocument();

    fireEvent.change(message(), { target: { value: 'こんにちは' } });
    fireEvent.keyDown(message(), { key: 'Enter' });
    await waitFor(() =>
      expect(document.querySelector('.jp-AquaExt-Turn.jp-mod-assistant')).toHaveAttribute('data-status', 'done')
    );
    expect(client.streamConnectionChat).toHaveBeenCalledWith(
      'conn-1',
      expect.objectContaining({ model: 'gpt-4o' }),
      expect.any(AbortSignal)
    );
    expect(client.streamChat).not.toHaveBeenCalled();
  });

  it("sends no model when the connection's default is kept", async () => {
    const client = new FakeClient();
    renderPlayground({ deploymentId: 'connection:conn-1' }, client);
    await screen.findByRole('heading', { name: '사내 GPT 서비스' });
    sendMessage('hi');
    await waitFor(() => expect(client.streamConnectionChat).toHaveBeenCalled());
    expect(client.streamConnectionChat.mock.calls[0][1]).not.toHaveProperty('model');
  });

  it('says when the connection cannot be chatted with, as its actions say', async () => {
    const client = new FakeClient();
    client.connections = [makeConnection({ actions: ['edit', 'delete'] })];
    renderPlayground({ deploymentId: 'connection:conn-1' }, client);
    await screen.findByRole('heading', { name: '사내 GPT 서비스' });
    expect(screen.getByRole('status')).toHaveTextContent('This connection cannot be chatted with now.');
  });
});
