/**
 * The playground's chat stream: `POST aqua-ext/deployments/{id}/chat` (or
 * `aqua-ext/connections/{id}/chat`, the same events; the caller gives the URL)
 * answered with `text/event-stream` (`event: delta` …, then exactly one
 * `event: done` or `event: error`; `: ping` comments in between).
 *
 * EventSource cannot POST nor carry Jupyter's token and XSRF headers, so the
 * request goes through `ServerConnection.makeRequest` (the same auth as every
 * other call) and the body is parsed with `eventsource-parser`.
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { ServerConnection } from '@jupyterlab/services';

import { AquaApiError } from './errors';
import type { ChatRequest, ChatStreamEvent, ToolCallDelta } from './types';

/** Said when the stream closes without its `done` or `error` event (a dropped connection). */
export const STREAM_CUT_MESSAGE =
  'The answer stopped before the server said it was complete (the connection was closed).';

/**
 * One SSE message as a typed chat event, or null for what this client does
 * not know (a newer event name, a malformed payload): skipping it keeps an
 * older UI working against a newer server.
 */
export function toChatEvent(message: EventSourceMessage): ChatStreamEvent | null {
  let data: unknown;
  try {
    data = JSON.parse(message.data);
  } catch {
    return null;
  }
  if (typeof data !== 'object' || data === null) {
    return null;
  }
  const record = data as Record<string, unknown>;
  switch (message.event) {
    case 'delta':
      return typeof record.content === 'string'
        ? {
            type: 'delta',
            data: {
              content: record.content,
              role: typeof record.role === 'string' ? record.role : null,
              finish_reason: typeof record.finish_reason === 'string' ? record.finish_reason : null,
              // Pieces of tool calls, as the server relays them (see ChatDeltaEvent).
              ...(Array.isArray(record.tool_calls) ? { tool_calls: record.tool_calls as ToolCallDelta[] } : {})
            }
          }
        : null;
    case 'done':
      return typeof record.total_ms === 'number'
        ? { type: 'done', data: data as Extract<ChatStreamEvent, { type: 'done' }>['data'] }
        : null;
    case 'error':
      return typeof record.message === 'string'
        ? {
            type: 'error',
            data: {
              status: typeof record.status === 'number' ? record.status : 0,
              message: record.message,
              deployment_state: (record.deployment_state ?? null) as Extract<
                ChatStreamEvent,
                { type: 'error' }
              >['data']['deployment_state']
            }
          }
        : null;
    default:
      return null;
  }
}

/**
 * Chat events from the stream's text, chunk by chunk (chunks may split lines
 * and events anywhere). Ends after the first `done` or `error`; a stream that
 * ends without one yields a synthetic `error` so the caller always gets an end.
 */
export async function* chatEventsFromText(chunks: AsyncIterable<string>): AsyncGenerator<ChatStreamEvent> {
  const pending: ChatStreamEvent[] = [];
  const parser = createParser({
    onEvent: message => {
      const event = toChatEvent(message);
      if (event) {
        pending.push(event);
      }
    }
  });
  const drain = function* (): Generator<ChatStreamEvent, boolean> {
    while (pending.length > 0) {
      const event = pending.shift() as ChatStreamEvent;
      yield event;
      if (event.type !== 'delta') {
        return true;
      }
    }
    return false;
  };
  for await (const chunk of chunks) {
    parser.feed(chunk);
    if (yield* drain()) {
      return;
    }
  }
  // A last event without its blank line still counts (the spec would drop it; a proxy
  // that trims the stream's end should not cost the answer its statistics).
  parser.feed('\n\n');
  if (yield* drain()) {
    return;
  }
  yield { type: 'error', data: { status: 0, message: STREAM_CUT_MESSAGE, deployment_state: null } };
}

/** The response body as text chunks; cancels the reader when the consumer stops early. */
export async function* decodeBody(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        const tail = decoder.decode();
        if (tail) {
          yield tail;
        }
        return;
      }
      yield decoder.decode(value, { stream: true });
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
}

function abortError(): Error {
  const error = new Error('The request was aborted.');
  error.name = 'AbortError';
  return error;
}

/**
 * POST one turn to `url` (a deployment's or a connection's chat route) and
 * yield its events as they arrive.
 *
 * @throws AquaApiError when the server refuses the turn before streaming
 *   (400 with fields, 404, 409 not active, 503 busy) or cannot be reached;
 *   an `AbortError` when `signal` aborts (Stop).
 */
export async function* streamChat(
  url: string,
  body: ChatRequest,
  settings: ServerConnection.ISettings,
  signal?: AbortSignal
): AsyncGenerator<ChatStreamEvent> {
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(
      url,
      {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream' },
        cache: 'no-cache',
        signal
      },
      settings
    );
  } catch (error) {
    // makeRequest wraps every fetch failure, the abort included, in a NetworkError.
    if (signal?.aborted) {
      throw abortError();
    }
    throw AquaApiError.network(error);
  }
  if (!response.ok) {
    let data: unknown = undefined;
    try {
      const text = await response.text();
      data = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: fromResponse describes the status instead
    }
    throw AquaApiError.fromResponse(response, data);
  }
  if (!response.body) {
    throw AquaApiError.network(new Error('The chat answer has no body.'));
  }
  try {
    yield* chatEventsFromText(decodeBody(response.body));
  } catch (error) {
    if (signal?.aborted) {
      throw abortError();
    }
    throw error;
  }
}

/** Whether an error is the abort that Stop causes (not something to show). */
export function isAbortError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError';
}
