/**
 * The deployments list, kept current by polling `GET deployments` (one call
 * for every row, never one per row): every 2 s while one is transitional,
 * every 10 s otherwise, and not at all while nobody can see it.
 */
import * as React from 'react';

import type { IAquaClient } from '../../api/client';
import type { DeploymentSummary } from '../../api/types';
import { usePolledList, type IPolledList } from '../../ui/hooks/usePolledList';
import { anyTransitional, settledChanges, type IStateChange } from '../../shared/deploymentStates';

export interface IDeploymentListOptions {
  /** Poll only while true (the section and the panel are shown). */
  active: boolean;
  /** Deployments that just became ACTIVE, FAILED… (for a notification). */
  onSettled?: (changes: IStateChange[]) => void;
  fastMs?: number;
  slowMs?: number;
}

export type IDeploymentList = IPolledList<DeploymentSummary>;

export function useDeploymentList(client: IAquaClient, options: IDeploymentListOptions): IDeploymentList {
  const fetch = React.useCallback(() => client.listDeployments(), [client]);
  return usePolledList(fetch, {
    active: options.active,
    changes: settledChanges,
    onChanges: options.onSettled,
    fastWhile: anyTransitional,
    fastMs: options.fastMs,
    slowMs: options.slowMs
  });
}
