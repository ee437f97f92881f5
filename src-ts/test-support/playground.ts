/** What the playground specs share: the panel rendered with a fake client and mocked callbacks, and its message box. */
import { fireEvent, screen } from '@testing-library/react';

import type { ChatRequest, ChatStreamEvent } from '../api/types';
import { trans } from './trans';
import { Playground, type IPlaygroundProps } from '../features/playground/Playground';
import { FakeClient } from './fixtures';
import { renderWithProps } from './render';

/** Render the playground of deployment `dep-1`; answers are rendered as plain text unless `renderMarkdown` says. */
export function renderPlayground(overrides: Partial<IPlaygroundProps> = {}, client = new FakeClient()) {
  const props: IPlaygroundProps = {
    client,
    trans,
    deploymentId: 'dep-1',
    renderMarkdown: jest.fn(async (host: HTMLElement, markdown: string) => {
      host.textContent = markdown;
    }),
    copyToClipboard: jest.fn(),
    storage: window.localStorage,
    onTitle: jest.fn(),
    saveDelayMs: 0,
    ...overrides
  };
  return { client, ...renderWithProps(Playground, props) };
}

/** The box the user types a message in. */
export function message(): HTMLElement {
  return screen.getByRole('textbox', { name: 'Message' });
}

/** Type `text` in the message box and press Send. */
export function sendMessage(text: string): void {
  fireEvent.change(message(), { target: { value: text } });
  fireEvent.click(screen.getByRole('button', { name: 'Send' }));
}

/** The last answer in the conversation. */
export function lastAnswer(): HTMLElement {
  const answers = document.querySelectorAll<HTMLElement>('.jp-AquaExt-Turn.jp-mod-assistant');
  return answers[answers.length - 1];
}

/** The request body of the client's `call`-th chat stream. */
export function sentChat(client: FakeClient, call: number): ChatRequest {
  return client.streamChat.mock.calls[call][1] as ChatRequest;
}

/** A chat stream that yields `events` and ends. */
export function streamOf(events: ChatStreamEvent[]): AsyncIterable<ChatStreamEvent> {
  return (async function* () {
    yield* events;
  })();
}

/** One function tool, `get_weather(city)`, as the Tools (JSON) box takes it. */
export const WEATHER = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }
    }
  }
];

/** Events that stop after `first` until the request is aborted (an answer that would go on). */
export function endless(first: string) {
  return (_body: unknown, signal?: AbortSignal): AsyncIterable<ChatStreamEvent> =>
    (async function* () {
      yield { type: 'delta', data: { content: first, role: null, finish_reason: null } } as ChatStreamEvent;
      await new Promise<void>(resolve => signal?.addEventListener('abort', () => resolve()));
    })();
}
