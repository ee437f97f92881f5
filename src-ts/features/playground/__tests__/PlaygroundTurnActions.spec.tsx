import { fireEvent, screen, waitFor, within } from '@testing-library/react';

import type { ChatRequest } from '../../../api/types';
import { renderPlayground, sendMessage, sentChat, streamOf } from '../../../test-support/playground';
import { answerEvents, FakeClient } from '../../../test-support/fixtures';
import type { IPlaygroundPreset, IPresetStore } from '../presets';

function answers(): HTMLElement[] {
  return [...document.querySelectorAll<HTMLElement>('.jp-AquaExt-Turn.jp-mod-assistant')];
}

function questions(): HTMLElement[] {
  return [...document.querySelectorAll<HTMLElement>('.jp-AquaExt-Turn.jp-mod-user')];
}

/** Answers "answer 1", "answer 2"… in the order the requests come. */
function countingClient(): FakeClient {
  const client = new FakeClient();
  let count = 0;
  client.chatEvents = () => {
    return streamOf(answerEvents([`answer ${++count}`]));
  };
  return client;
}

async function ask(text: string): Promise<void> {
  const count = answers().length;
  sendMessage(text);
  await waitFor(() => expect(answers()).toHaveLength(count + 1));
  await waitFor(() => expect(answers()[count]).toHaveAttribute('data-status', 'done'));
}

/** The playground of a counting client, with `texts` asked and answered. */
async function chatted(...texts: string[]): Promise<FakeClient> {
  const client = countingClient();
  renderPlayground({}, client);
  await screen.findByRole('heading', { name: 'Qwen chat' });
  for (const text of texts) {
    await ask(text);
  }
  return client;
}

function sentMessages(client: FakeClient, call: number): ChatRequest['messages'] {
  return sentChat(client, call).messages;
}

class MemoryPresets implements IPresetStore {
  constructor(public items: IPlaygroundPreset[]) {}
  listeners = new Set<() => void>();
  presets = (): IPlaygroundPreset[] => this.items;
  save = jest.fn(async (items: IPlaygroundPreset[]) => {
    this.items = items;
    this.listeners.forEach(listener => listener());
  });
  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
}

describe('Playground turn actions', () => {
  beforeEach(() => window.localStorage.clear());

  it('regenerates the last answer: the question is sent again without the old answer', async () => {
    const client = await chatted('서울의 인구는?', '東京は？');
    // Only the last answer regenerates.
    expect(within(answers()[0]).queryByRole('button', { name: 'Regenerate' })).toBeNull();
    fireEvent.click(within(answers()[1]).getByRole('button', { name: 'Regenerate' }));
    await waitFor(() => expect(answers()[1]).toHaveTextContent('answer 3'));
    await waitFor(() => expect(answers()[1]).toHaveAttribute('data-status', 'done'));
    expect(answers()).toHaveLength(2);
    expect(sentMessages(client, 2)).toEqual([
      { role: 'user', content: '서울의 인구는?' },
      { role: 'assistant', content: 'answer 1' },
      { role: 'user', content: '東京は？' }
    ]);
  });

  it('edits a question and resends it: what followed is dropped', async () => {
    const client = await chatted('first question', 'second question');
    fireEvent.click(within(questions()[0]).getByRole('button', { name: 'Edit' }));
    const box = screen.getByRole('textbox', { name: 'Edited message' });
    expect(box).toHaveValue('first question');
    fireEvent.change(box, { target: { value: '最初の質問（修正）' } });
    fireEvent.keyDown(box, { key: 'Enter' });
    await waitFor(() => expect(answers()).toHaveLength(1));
    await waitFor(() => expect(answers()[0]).toHaveTextContent('answer 3'));
    expect(questions()).toHaveLength(1);
    expect(questions()[0]).toHaveTextContent('最初の質問（修正）');
    expect(sentMessages(client, 2)).toEqual([{ role: 'user', content: '最初の質問（修正）' }]);
  });

  it('cancels an edit with Escape, sending nothing', async () => {
    const client = await chatted('keep me');
    fireEvent.click(within(questions()[0]).getByRole('button', { name: 'Edit' }));
    fireEvent.keyDown(screen.getByRole('textbox', { name: 'Edited message' }), { key: 'Escape' });
    expect(screen.queryByRole('textbox', { name: 'Edited message' })).toBeNull();
    expect(client.streamChat).toHaveBeenCalledTimes(1);
  });

  it('copies an answer as its markdown', async () => {
    const client = new FakeClient();
    client.chatEvents = answerEvents(['**굵게** ', 'and `code`']);
    const { props } = renderPlayground({}, client);
    await screen.findByRole('heading', { name: 'Qwen chat' });
    await ask('Format something');
    fireEvent.click(within(answers()[0]).getByRole('button', { name: 'Copy' }));
    expect(props.copyToClipboard).toHaveBeenCalledWith('**굵게** and `code`');
  });

  it('exports the conversation as Markdown and as a conversational JSONL row', async () => {
    const client = countingClient();
    const download = jest.fn();
    renderPlayground({ download }, client);
    await screen.findByRole('heading', { name: 'Qwen chat' });
    expect(screen.getByRole('button', { name: 'JSONL' })).toBeDisabled();
    await ask('안녕하세요');
    fireEvent.click(screen.getByRole('button', { name: 'JSONL' }));
    const [fileName, text] = download.mock.calls[0];
    expect(fileName).toMatch(/^Qwen-chat-\d{8}-\d{4}\.jsonl$/);
    expect(JSON.parse(text)).toEqual({
      messages: [
        { role: 'user', content: '안녕하세요' },
        { role: 'assistant', content: 'answer 1' }
      ]
    });
    fireEvent.click(screen.getByRole('button', { name: 'Markdown' }));
    expect(download.mock.calls[1][0]).toMatch(/\.md$/);
    expect(download.mock.calls[1][1]).toContain('## User\n\n안녕하세요');
  });

  it('applies a preset from the picker and saves the current settings as one', async () => {
    const client = countingClient();
    const presets = new MemoryPresets([
      { name: '翻訳', system: '日本語に翻訳してください。', temperature: 0.1, max_tokens: 64 }
    ]);
    renderPlayground({ presets }, client);
    await screen.findByRole('heading', { name: 'Qwen chat' });
    fireEvent.change(screen.getByRole('combobox', { name: 'Preset' }), { target: { value: '翻訳' } });
    expect(screen.getByRole('textbox', { name: 'System prompt' })).toHaveValue('日本語に翻訳してください。');
    expect(screen.getByLabelText('Temperature')).toHaveValue(0.1);
    await ask('Good morning');
    expect(client.streamChat.mock.calls[0][1]).toMatchObject({
      messages: [
        { role: 'system', content: '日本語に翻訳してください。' },
        { role: 'user', content: 'Good morning' }
      ],
      temperature: 0.1,
      max_tokens: 64
    });

    fireEvent.click(screen.getByRole('button', { name: 'Save as preset…' }));
    fireEvent.change(screen.getByRole('textbox', { name: 'Preset name' }), { target: { value: '번역' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(presets.save).toHaveBeenCalled());
    expect(presets.items.map(item => item.name)).toEqual(['翻訳', '번역']);
    expect(presets.items[1]).toMatchObject({ system: '日本語に翻訳してください。', temperature: 0.1, max_tokens: 64 });
    await waitFor(() => expect(screen.queryByRole('textbox', { name: 'Preset name' })).toBeNull());
    expect(screen.getByRole('option', { name: '번역' })).toBeInTheDocument();
  });
});
