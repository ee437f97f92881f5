import { fireEvent, screen, waitFor, within } from '@testing-library/react';

import type { ChatStreamEvent } from '../../../api/types';
import {
  lastAnswer,
  renderPlayground,
  sendMessage,
  sentChat,
  streamOf,
  WEATHER
} from '../../../test-support/playground';
import { answerEvents, FakeClient } from '../../../test-support/fixtures';
import { MAX_AUTO_ROUNDS, type RunKernelTool } from '../kernelTools';

/** An answer that calls get_weather with `args`, done with finish_reason tool_calls. */
function toolCallEvents(args: string, id = 'call-1'): ChatStreamEvent[] {
  const delta = (tool_calls: object[]): ChatStreamEvent =>
    ({ type: 'delta', data: { content: '', role: null, finish_reason: null, tool_calls } }) as ChatStreamEvent;
  const [done] = answerEvents([]);
  return [
    delta([{ index: 0, id, name: 'get_weather', arguments: args }]),
    { ...done, data: { ...(done.data as object), finish_reason: 'tool_calls' } } as ChatStreamEvent
  ];
}

/** The playground with the weather tool set, a question sent and its tool call done. */
async function askWithTool(client: FakeClient, runKernelTool: RunKernelTool): Promise<HTMLElement> {
  renderPlayground({ runKernelTool }, client);
  await screen.findByRole('heading', { name: 'Qwen chat' });
  fireEvent.click(screen.getByRole('button', { name: /Structured output and tools/ }));
  fireEvent.change(screen.getByRole('textbox', { name: 'Tools (JSON)' }), {
    target: { value: JSON.stringify(WEATHER) }
  });
  sendMessage('서울 날씨는?');
  await waitFor(() => expect(lastAnswer()).toHaveAttribute('data-status', 'done'));
  return lastAnswer();
}

describe('Playground tool calls answered by a kernel function', () => {
  beforeEach(() => window.localStorage.clear());

  it('runs the function named like the tool, puts its result in the box, and sends it', async () => {
    const client = new FakeClient();
    const replies = [toolCallEvents('{"city": "서울"}'), answerEvents(['서울은 21도입니다.'])];
    client.chatEvents = () => streamOf(replies.shift() ?? []);
    const run = jest.fn<ReturnType<RunKernelTool>, Parameters<RunKernelTool>>(async () => ({
      ok: true,
      value: '{"city": "서울", "temp": 21}',
      notebook: '작업/weather.ipynb'
    }));
    const answer = await askWithTool(client, run);

    expect(within(answer).getByRole('textbox', { name: 'Kernel function for get_weather' })).toHaveValue('get_weather');
    fireEvent.click(within(answer).getByRole('button', { name: 'Answer with kernel function' }));
    await waitFor(() =>
      expect(within(answer).getByRole('textbox', { name: 'Result of get_weather' })).toHaveValue(
        '{"city": "서울", "temp": 21}'
      )
    );
    expect(run).toHaveBeenCalledWith('get_weather', '{"city": "서울"}');
    expect(within(answer).getByRole('status')).toHaveTextContent(
      '✓ get_weather() returned in the kernel of 작업/weather.ipynb'
    );
    // Nothing is sent before the user says so: the result can still be edited.
    expect(client.streamChat).toHaveBeenCalledTimes(1);
    fireEvent.click(within(answer).getByRole('button', { name: 'Send the result' }));

    await waitFor(() => expect(lastAnswer()).toHaveTextContent('서울은 21도입니다.'));
    expect(sentChat(client, 1).messages?.slice(-1)).toEqual([
      { role: 'tool', tool_call_id: 'call-1', content: '{"city": "서울", "temp": 21}' }
    ]);
  });

  it('shows why the function gave nothing, and can send that as the result', async () => {
    const client = new FakeClient();
    const replies = [toolCallEvents('{"city": "東京"}'), answerEvents(['すみません。'])];
    client.chatEvents = () => streamOf(replies.shift() ?? []);
    const run: RunKernelTool = async fn => ({
      ok: false,
      message: `${fn} is not defined in the kernel: run the cell that defines it, or name another function.`
    });
    const answer = await askWithTool(client, run);

    const name = within(answer).getByRole('textbox', { name: 'Kernel function for get_weather' });
    const button = within(answer).getByRole('button', { name: 'Answer with kernel function' });
    fireEvent.change(name, { target: { value: 'os.system("ls")' } });
    expect(within(answer).getByRole('alert')).toHaveTextContent('is not a Python function name');
    expect(button).toBeDisabled();
    fireEvent.change(name, { target: { value: 'weather.lookup' } });
    fireEvent.click(button);
    const alert = await within(answer).findByRole('alert');
    expect(alert).toHaveTextContent('weather.lookup is not defined in the kernel');

    fireEvent.click(within(alert).getByRole('button', { name: 'Use the error as the result' }));
    const box = within(answer).getByRole('textbox', { name: 'Result of get_weather' });
    expect(JSON.parse((box as HTMLTextAreaElement).value)).toEqual({
      error: 'weather.lookup is not defined in the kernel: run the cell that defines it, or name another function.'
    });
    fireEvent.click(within(answer).getByRole('button', { name: 'Send the result' }));
    await waitFor(() => expect(lastAnswer()).toHaveTextContent('すみません。'));
    expect(sentChat(client, 1).messages?.slice(-1)[0]).toMatchObject({ role: 'tool', tool_call_id: 'call-1' });
  });

  it(`answers by itself when the tool is set so, for at most ${MAX_AUTO_ROUNDS} rounds`, async () => {
    const client = new FakeClient();
    let round = 0;
    // A model that never stops calling the tool.
    client.chatEvents = () => streamOf(toolCallEvents(`{"city": "도시 ${++round}"}`, `call-${round}`));
    const run = jest.fn<ReturnType<RunKernelTool>, Parameters<RunKernelTool>>(async (_fn, args) => ({
      ok: true,
      value: JSON.stringify({ ...JSON.parse(args), temp: 21 })
    }));
    renderPlayground({ runKernelTool: run }, client);
    await screen.findByRole('heading', { name: 'Qwen chat' });
    fireEvent.click(screen.getByRole('button', { name: /Structured output and tools/ }));
    fireEvent.change(screen.getByRole('textbox', { name: 'Tools (JSON)' }), {
      target: { value: JSON.stringify(WEATHER) }
    });
    fireEvent.change(screen.getByRole('textbox', { name: 'Kernel function answering get_weather' }), {
      target: { value: 'weather_now' }
    });
    fireEvent.click(screen.getByRole('checkbox', { name: 'Answer get_weather with the kernel automatically' }));
    sendMessage('서울 날씨는?');

    // Five rounds of stream, kernel and resend: more than waitFor's default second on a busy machine.
    await waitFor(
      () =>
        expect(within(lastAnswer()).getByRole('status')).toHaveTextContent(
          `Not answered automatically: the model has called tools ${MAX_AUTO_ROUNDS} times in a row`
        ),
      { timeout: 15_000 }
    );
    expect(client.streamChat).toHaveBeenCalledTimes(MAX_AUTO_ROUNDS + 1);
    expect(run).toHaveBeenCalledTimes(MAX_AUTO_ROUNDS);
    expect(run).toHaveBeenNthCalledWith(1, 'weather_now', '{"city": "도시 1"}');
    expect(sentChat(client, MAX_AUTO_ROUNDS).messages?.slice(-1)).toEqual([
      { role: 'tool', tool_call_id: `call-${MAX_AUTO_ROUNDS}`, content: `{"city":"도시 ${MAX_AUTO_ROUNDS}","temp":21}` }
    ]);
    // The last round waits for the user, who can still answer it.
    expect(within(lastAnswer()).getByRole('button', { name: 'Answer with kernel function' })).toBeEnabled();
  }, 30_000);

  it('offers nothing of the kernel without a runner (no notebooks in this lab)', async () => {
    const client = new FakeClient();
    client.chatEvents = () => streamOf(toolCallEvents('{"city": "서울"}'));
    const answer = await askWithTool(client, undefined as unknown as RunKernelTool);
    expect(within(answer).queryByRole('button', { name: 'Answer with kernel function' })).toBeNull();
    expect(screen.queryByRole('checkbox', { name: /with the kernel automatically/ })).toBeNull();
    expect(within(answer).getByRole('textbox', { name: 'Result of get_weather' })).toBeInTheDocument();
  });
});
