/**
 * What a playground talks to: one of our deployments, or a connection (a
 * hosted service) with the model chosen among its models. Both stream the
 * same events, so the playground and Compare treat them alike.
 */
import type { IAquaClient } from '../api/client';
import type { ChatRequest, ChatStreamEvent } from '../api/types';

export type ChatTarget = { kind: 'deployment'; id: string } | { kind: 'connection'; id: string; model: string | null };

/** What starts a connection's key (no deployment id does: they are `dep-…` or OCIDs). */
export const CONNECTION_KEY_PREFIX = 'connection:';

/**
 * The key of a target where one string must name it (a select's value, the
 * stored Compare partner, a playground tab): a deployment's id as it is, a
 * connection's id after `connection:` (the model is chosen apart).
 */
export function targetKey(target: { kind: ChatTarget['kind']; id: string }): string {
  return target.kind === 'connection' ? CONNECTION_KEY_PREFIX + target.id : target.id;
}

/** The target a key names (`targetKey`'s inverse); the model of a connection is not in it. */
export function parseTargetKey(key: string): { kind: ChatTarget['kind']; id: string } {
  return key.startsWith(CONNECTION_KEY_PREFIX)
    ? { kind: 'connection', id: key.slice(CONNECTION_KEY_PREFIX.length) }
    : { kind: 'deployment', id: key };
}

/** Stream one turn to the target: a connection's turn names its model (absent: the connection's default). */
export function streamTurn(
  client: IAquaClient,
  target: ChatTarget,
  body: ChatRequest,
  signal?: AbortSignal
): AsyncIterable<ChatStreamEvent> {
  if (target.kind === 'connection') {
    return client.streamConnectionChat(target.id, target.model ? { ...body, model: target.model } : body, signal);
  }
  return client.streamChat(target.id, body, signal);
}
