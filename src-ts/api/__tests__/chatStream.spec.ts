import { ServerConnection } from '@jupyterlab/services';

import { chatEventsFromText, STREAM_CUT_MESSAGE, streamChat, toChatEvent } from '../chatStream';
import { AquaApiError } from '../errors';
import type { ChatStreamEvent } from '../types';

async function* chunks(...parts: string[]): AsyncGenerator<string> {
  for (const part of parts) {
    yield part;
  }
}

async function collect(source: AsyncIterable<ChatStreamEvent>): Promise<ChatStreamEvent[]> {
  const out: ChatStreamEvent[] = [];
  for await (const event of source) {
    out.push(event);
  }
  return out;
}

const DONE =
  'event: done\ndata: {"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5},"ttft_ms":12.5,"total_ms":40,"tokens":2,"tokens_per_s":50,"finish_reason":"stop"}\n\n';

describe('chatEventsFromText', () => {
  it('parses deltas split anywhere, skips pings, and ends at done', async () => {
    const events = await collect(
      chatEventsFromText(
        chunks(
          ': ping\n\nevent: del',
          'ta\ndata: {"content":"Hel","role":"assistant"}\n',
          '\nevent: delta\ndata: {"content":"lo"}\n\n: ping\n\n',
          DONE,
          'event: delta\ndata: {"content":"after the end"}\n\n'
        )
      )
    );
    expect(events.map(e => e.type)).toEqual(['delta', 'delta', 'done']);
    expect(events[0]).toEqual({ type: 'delta', data: { content: 'Hel', role: 'assistant', finish_reason: null } });
    expect(events[1].type === 'delta' && events[1].data.content).toBe('lo');
    const done = events[2];
    expect(done.type === 'done' && done.data.tokens_per_s).toBe(50);
  });

  it('ends at an error event with its status and the deployment state', async () => {
    const events = await collect(
      chatEventsFromText(
        chunks(
          'event: delta\ndata: {"content":"x"}\n\n',
          'event: error\ndata: {"status":502,"message":"The engine stopped.","deployment_state":"FAILED"}\n\n'
        )
      )
    );
    expect(events[1]).toEqual({
      type: 'error',
      data: { status: 502, message: 'The engine stopped.', deployment_state: 'FAILED' }
    });
  });

  it('turns a stream cut before its verdict into an error', async () => {
    const events = await collect(chatEventsFromText(chunks('event: delta\ndata: {"content":"par')));
    expect(events).toEqual([
      { type: 'error', data: { status: 0, message: STREAM_CUT_MESSAGE, deployment_state: null } }
    ]);
  });

  it('accepts a last event without its blank line', async () => {
    const events = await collect(chatEventsFromText(chunks(DONE.trimEnd())));
    expect(events.map(e => e.type)).toEqual(['done']);
  });

  it('ignores unknown events and malformed payloads', () => {
    expect(toChatEvent({ event: 'usage', data: '{}' })).toBeNull();
    expect(toChatEvent({ event: 'delta', data: 'not json' })).toBeNull();
    expect(toChatEvent({ event: 'delta', data: '{"text":"no content field"}' })).toBeNull();
    expect(toChatEvent({ event: undefined, data: '{"content":"x"}' })).toBeNull();
  });

  it('keeps the pieces of tool calls a delta carries', () => {
    const data =
      '{"content":"","tool_calls":[{"index":0,"id":"c1","name":"検索"},{"index":0,"arguments":"{\\"q\\":\\"서울\\"}"}]}';
    expect(toChatEvent({ event: 'delta', data })).toEqual({
      type: 'delta',
      data: {
        content: '',
        role: null,
        finish_reason: null,
        tool_calls: [
          { index: 0, id: 'c1', name: '検索' },
          { index: 0, arguments: '{"q":"서울"}' }
        ]
      }
    });
    expect(toChatEvent({ event: 'delta', data: '{"content":"x"}' })).not.toHaveProperty('data.tool_calls');
  });
});

describe('streamChat', () => {
  const settings = ServerConnection.makeSettings({ baseUrl: 'http://localhost:8888/', token: 'secret' });

  afterEach(() => jest.restoreAllMocks());

  it('posts the turn with the Jupyter auth and throws the JSON error of a refused turn', async () => {
    const makeRequest = jest.spyOn(ServerConnection, 'makeRequest').mockResolvedValue(
      new Response(
        JSON.stringify({
          status: 409,
          message: "Deployment 'x' is INACTIVE, not ACTIVE",
          reason: 'Conflict',
          fields: null,
          request_id: 'r1'
        }),
        { status: 409 }
      )
    );
    const url = 'http://localhost:8888/aqua-ext/deployments/d1/chat';
    const run = collect(streamChat(url, { prompt: 'hi', max_tokens: 5 }, settings));
    await expect(run).rejects.toBeInstanceOf(AquaApiError);
    await expect(run).rejects.toMatchObject({ status: 409, message: "Deployment 'x' is INACTIVE, not ACTIVE" });
    const [calledUrl, init, calledSettings] = makeRequest.mock.calls[0];
    expect(calledUrl).toBe(url);
    expect(init).toMatchObject({ method: 'POST', body: JSON.stringify({ prompt: 'hi', max_tokens: 5 }) });
    // makeRequest is what adds the token and XSRF headers.
    expect(calledSettings).toBe(settings);
  });

  it('turns the abort of Stop into an AbortError, not a network error', async () => {
    const controller = new AbortController();
    jest.spyOn(ServerConnection, 'makeRequest').mockImplementation(async () => {
      controller.abort();
      throw new ServerConnection.NetworkError(new TypeError('Failed to fetch'));
    });
    await expect(collect(streamChat('http://localhost:8888/x', {}, settings, controller.signal))).rejects.toMatchObject(
      {
        name: 'AbortError'
      }
    );
  });
});
