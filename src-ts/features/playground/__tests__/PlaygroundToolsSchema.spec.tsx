import { fireEvent, screen, waitFor, within } from '@testing-library/react';

import type { ChatStreamEvent } from '../../../api/types';
import {
  lastAnswer,
  message,
  renderPlayground,
  sendMessage,
  sentChat,
  streamOf,
  WEATHER
} from '../../../test-support/playground';
import { answerEvents, FakeClient, makeDeployment } from '../../../test-support/fixtures';

const PERSON = {
  type: 'object',
  properties: { 이름: { type: 'string' }, 年齢: { type: 'integer' } },
  required: ['이름', '年齢']
};
/** A tool call in pieces, as the server relays it, then done with finish_reason tool_calls. */
function toolCallEvents(args: string): ChatStreamEvent[] {
  const delta = (tool_calls: object[]): ChatStreamEvent =>
    ({ type: 'delta', data: { content: '', role: null, finish_reason: null, tool_calls } }) as ChatStreamEvent;
  const [done] = answerEvents([]);
  return [
    delta([{ index: 0, id: 'call-1', name: 'get_weather' }]),
    delta([{ index: 0, arguments: args.slice(0, 5) }]),
    delta([{ index: 0, arguments: args.slice(5) }]),
    { ...done, data: { ...(done.data as object), finish_reason: 'tool_calls' } } as ChatStreamEvent
  ];
}

async function openPanel(): Promise<void> {
  await screen.findByRole('heading', { name: 'Qwen chat' });
  fireEvent.click(screen.getByRole('button', { name: /Structured output and tools/ }));
}

describe('Playground structured output and tools', () => {
  beforeEach(() => window.localStorage.clear());

  it('sends the schema as response_format and checks the answer against it', async () => {
    const client = new FakeClient();
    client.chatEvents = answerEvents(['{"이름": "山田", ', '"年齢": "三十"}']);
    renderPlayground({}, client);
    await openPanel();
    const schemaBox = screen.getByRole('textbox', { name: 'JSON schema of the answer' });
    fireEvent.change(schemaBox, { target: { value: '{"type": ' } });
    expect(screen.getByRole('alert')).toHaveTextContent('Not JSON');
    fireEvent.change(message(), { target: { value: '人物を一人' } });
    expect(screen.getByRole('button', { name: 'Send' })).toBeDisabled();

    fireEvent.change(schemaBox, { target: { value: JSON.stringify(PERSON) } });
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    await waitFor(() => expect(lastAnswer()).toHaveAttribute('data-status', 'done'));
    expect(sentChat(client, 0).response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'response', schema: PERSON, strict: true }
    });
    const check = within(lastAnswer()).getByRole('status', { name: 'Schema check' });
    expect(check).toHaveTextContent('Does not follow the schema');
    expect(check).toHaveTextContent('/年齢 must be integer');

    client.chatEvents = answerEvents(['{"이름": "김철수", "年齢": 30}']);
    fireEvent.click(within(lastAnswer()).getByRole('button', { name: 'Regenerate' }));
    await waitFor(() => expect(lastAnswer()).toHaveTextContent('김철수'));
    await waitFor(() => expect(lastAnswer()).toHaveAttribute('data-status', 'done'));
    expect(within(lastAnswer()).getByRole('status', { name: 'Schema check' })).toHaveTextContent(
      'Valid JSON for the schema.'
    );
  });

  it('shows a tool call, takes its result by hand and lets the model go on', async () => {
    const client = new FakeClient();
    const replies = [toolCallEvents('{"city": "서울"}'), answerEvents(['서울은 맑습니다.'])];
    client.chatEvents = () => streamOf(replies.shift() ?? []);
    renderPlayground({}, client);
    await openPanel();
    fireEvent.change(screen.getByRole('textbox', { name: 'Tools (JSON)' }), {
      target: { value: JSON.stringify(WEATHER) }
    });
    sendMessage('서울 날씨는?');
    await waitFor(() => expect(lastAnswer()).toHaveAttribute('data-status', 'done'));
    expect(sentChat(client, 0).tools).toEqual(WEATHER);

    const answer = lastAnswer();
    expect(within(answer).getByText('Calls get_weather')).toBeInTheDocument();
    expect(within(answer).getByLabelText('Arguments of get_weather')).toHaveTextContent('"city": "서울"');
    const send = within(answer).getByRole('button', { name: 'Send the result' });
    expect(send).toBeDisabled();
    fireEvent.change(within(answer).getByRole('textbox', { name: 'Result of get_weather' }), {
      target: { value: '{"天気": "晴れ", "気温": 20}' }
    });
    fireEvent.click(send);

    await waitFor(() => expect(lastAnswer()).toHaveTextContent('서울은 맑습니다.'));
    await waitFor(() => expect(lastAnswer()).toHaveAttribute('data-status', 'done'));
    expect(sentChat(client, 1).messages).toEqual([
      { role: 'user', content: '서울 날씨는?' },
      {
        role: 'assistant',
        content: '',
        tool_calls: [
          { id: 'call-1', type: 'function', function: { name: 'get_weather', arguments: '{"city": "서울"}' } }
        ]
      },
      { role: 'tool', tool_call_id: 'call-1', content: '{"天気": "晴れ", "気温": 20}' }
    ]);
    // The answered call shows its result, no longer a box.
    expect(within(answer).queryByRole('textbox', { name: 'Result of get_weather' })).toBeNull();
    expect(within(answer).getByText('{"天気": "晴れ", "気温": 20}')).toBeInTheDocument();
  });

  it('flags arguments that break the tool parameters and refuses bad tool definitions', async () => {
    const client = new FakeClient();
    client.chatEvents = () => streamOf(toolCallEvents('{"town": 1}'));
    renderPlayground({}, client);
    await openPanel();
    const tools = screen.getByRole('textbox', { name: 'Tools (JSON)' });
    fireEvent.change(tools, { target: { value: '[{"type": "function", "function": {"name": "날씨"}}]' } });
    expect(screen.getByRole('alert')).toHaveTextContent('the name is 1 to 64 letters');
    fireEvent.change(tools, { target: { value: JSON.stringify(WEATHER) } });
    sendMessage('weather?');
    await waitFor(() => expect(lastAnswer()).toHaveAttribute('data-status', 'done'));
    expect(within(lastAnswer()).getByRole('status')).toHaveTextContent(
      "The arguments do not follow the parameters of get_weather: / must have required property 'city'"
    );
  });

  it('says before sending what a transformers serve deployment refuses', async () => {
    const client = new FakeClient();
    client.deployments = [makeDeployment({ engine: 'transformers' })];
    renderPlayground({}, client);
    await openPanel();
    expect(screen.getByRole('note')).toHaveTextContent('transformers serve takes tools but not structured output');
  });
});
