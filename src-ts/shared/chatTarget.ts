/**
 * What a playground talks to: one of our deployments, or a connection (a
 * hosted service) with the model chosen among its models. Both stream the
 * same events, so the playground and Compare treat them alike.
 */
import type { IAquaClient } from '../api/client';
import type { ChatRequest, ChatStreamEvent, DeploymentSummary } from '../api/types';

/** A deployment answers with its base model, or with one of its LoRA adapters (`adapter`, its name). */
export type ChatTarget =
  | { kind: 'deployment'; id: string; adapter?: string | null }
  | { kind: 'connection'; id: string; model: string | null };

/** What joins a deployment's id and one of its adapters in a key (no id holds it: `dep-…`, OCIDs). */
const ADAPTER_KEY_SEPARATOR = '::adapter:';

/** What starts a connection's key (no deployment id does: they are `dep-…` or OCIDs). */
export const CONNECTION_KEY_PREFIX = 'connection:';

/**
 * The key of a target where one string must name it (a select's value, the
 * stored Compare partner, a playground tab): a deployment's id as it is, a
 * connection's id after `connection:` (the model is chosen apart).
 */
export function targetKey(target: { kind: ChatTarget['kind']; id: string; adapter?: string | null }): string {
  if (target.kind === 'connection') {
    return CONNECTION_KEY_PREFIX + target.id;
  }
  return target.adapter ? target.id + ADAPTER_KEY_SEPARATOR + target.adapter : target.id;
}

/** The target a key names (`targetKey`'s inverse); the model of a connection is not in it. */
export function parseTargetKey(key: string): { kind: ChatTarget['kind']; id: string; adapter: string | null } {
  if (key.startsWith(CONNECTION_KEY_PREFIX)) {
    return { kind: 'connection', id: key.slice(CONNECTION_KEY_PREFIX.length), adapter: null };
  }
  const at = key.indexOf(ADAPTER_KEY_SEPARATOR);
  return at < 0
    ? { kind: 'deployment', id: key, adapter: null }
    : { kind: 'deployment', id: key.slice(0, at), adapter: key.slice(at + ADAPTER_KEY_SEPARATOR.length) };
}

/**
 * A deployment as the subjects a picker offers (the playground's Compare, an evaluation): its base model,
 * then each of its adapters as "deployment · adapter", keyed by `targetKey`.
 */
/** How the pickers, the playground and the evaluations name what answers: a deployment, or "deployment · adapter". */
export function subjectName(deployment: string, adapter: string | null | undefined): string {
  return adapter ? `${deployment} · ${adapter}` : deployment;
}

export function deploymentSubjects(
  deployment: Pick<DeploymentSummary, 'id' | 'name' | 'adapters'>
): Array<{ key: string; label: string; adapter: string | null }> {
  return [
    { key: deployment.id, label: deployment.name, adapter: null },
    ...deployment.adapters.map(adapter => ({
      key: targetKey({ kind: 'deployment', id: deployment.id, adapter: adapter.name }),
      label: subjectName(deployment.name, adapter.name),
      adapter: adapter.name
    }))
  ];
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
  return client.streamChat(target.id, target.adapter ? { ...body, adapter: target.adapter } : body, signal);
}
