/**
 * What a playground tab talks to, loaded: a deployment (its state, mode,
 * engine) or a connection (a hosted service, its models, whether it streams).
 * The tab's key says which (`targetKey`); each is loaded again whenever
 * `reloadKey` changes.
 */
import * as React from 'react';

import type { IAquaClient } from '../../api/client';
import type { ConnectionDetail, DeploymentDetail, InferenceMode } from '../../api/types';
import { allows } from '../../shared/actions';
import { parseTargetKey } from '../../shared/chatTarget';
import { useFetched } from '../../ui/hooks/useFetched';

export interface IPlaygroundSubject {
  /** Which of the two the key names. */
  kind: 'deployment' | 'connection';
  id: string;
  deployment: DeploymentDetail | null;
  connection: ConnectionDetail | null;
  /** The last load's error; what was loaded before stays. */
  error: unknown;
}

export function usePlaygroundSubject(
  client: IAquaClient,
  key: string,
  reloadKey: unknown,
  onTitle?: (name: string) => void
): IPlaygroundSubject {
  const { kind, id } = React.useMemo(() => parseTargetKey(key), [key]);
  const loadDeployment = React.useMemo(
    () => (kind === 'deployment' ? () => client.getDeployment(id) : null),
    [client, kind, id]
  );
  const loadConnection = React.useMemo(
    () => (kind === 'connection' ? () => client.getConnection(id) : null),
    [client, kind, id]
  );
  const title = (loaded: { name: string }): void => onTitle?.(loaded.name);
  const deployment = useFetched(loadDeployment, reloadKey, title);
  const connection = useFetched(loadConnection, reloadKey, title);
  return {
    kind,
    id,
    deployment: deployment.value,
    connection: connection.value,
    error: kind === 'deployment' ? deployment.error : connection.error
  };
}

/** How a connection is talked to: chat when it chats, else a prompt to continue. */
export function connectionMode(connection: Pick<ConnectionDetail, 'capabilities'>): InferenceMode {
  return connection.capabilities.includes('chat') || !connection.capabilities.includes('completion')
    ? 'chat'
    : 'completion';
}

/** Whether the loaded subject answers now (the server's `chat` action, never a state the UI reads). */
export function subjectCanChat(subject: IPlaygroundSubject): boolean {
  return subject.kind === 'deployment' ? allows(subject.deployment, 'chat') : allows(subject.connection, 'chat');
}
