/**
 * One deployment's detail, loaded again whenever `reloadKey` changes (a
 * newer state in the list, a retry, the tab regaining focus).
 */
import * as React from 'react';

import type { IAquaClient } from '../../api/client';
import type { DeploymentDetail } from '../../api/types';
import { useFetched } from './useFetched';

export interface IDeploymentState {
  deployment: DeploymentDetail | null;
  /** The last load's error; a deployment loaded before stays shown. */
  error: unknown;
  /** Take a detail an action answered with (activate, deactivate). */
  setDeployment: (deployment: DeploymentDetail) => void;
}

export function useDeployment(
  client: IAquaClient,
  deploymentId: string,
  reloadKey: unknown,
  onLoaded?: (deployment: DeploymentDetail) => void
): IDeploymentState {
  const load = React.useCallback(() => client.getDeployment(deploymentId), [client, deploymentId]);
  const { value, error, setValue } = useFetched(load, reloadKey, onLoaded);
  return { deployment: value, error, setDeployment: setValue };
}
