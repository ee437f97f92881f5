/**
 * One deployment's detail, loaded again whenever `reloadKey` changes (a
 * newer state in the list, a retry, the tab regaining focus).
 */
import * as React from 'react';

import type { IAquaClient } from '../api/client';
import type { DeploymentDetail } from '../api/types';

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
  const [deployment, setDeployment] = React.useState<DeploymentDetail | null>(null);
  const [error, setError] = React.useState<unknown>(null);
  const loaded = React.useRef(onLoaded);
  loaded.current = onLoaded;

  React.useEffect(() => {
    let current = true;
    client
      .getDeployment(deploymentId)
      .then(result => {
        if (current) {
          setDeployment(result);
          setError(null);
          loaded.current?.(result);
        }
      })
      .catch(reason => current && setError(reason));
    return () => {
      current = false;
    };
  }, [client, deploymentId, reloadKey]);

  return { deployment, error, setDeployment };
}
