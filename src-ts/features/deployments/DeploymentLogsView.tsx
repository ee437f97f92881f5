import * as React from 'react';

import type { IAquaClient } from '../../api/client';
import type { LogsQuery } from '../../api/types';
import { LogsView, type ILogsViewProps } from '../../ui/LogsView';

export interface IDeploymentLogsViewProps extends Omit<ILogsViewProps, 'fetchLogs' | 'title'> {
  client: IAquaClient;
  deploymentId: string;
  title?: string;
}

/** A deployment's engine log: the log view over `GET deployments/{id}/logs`. */
export function DeploymentLogsView(props: IDeploymentLogsViewProps): JSX.Element {
  const { client, deploymentId, trans, title, ...rest } = props;
  const fetchLogs = React.useCallback(
    (query: LogsQuery) => client.getDeploymentLogs(deploymentId, query),
    [client, deploymentId]
  );
  return (
    <LogsView
      {...rest}
      className={['jp-AquaExt-DeploymentLogs', rest.className ?? ''].join(' ').trim()}
      trans={trans}
      fetchLogs={fetchLogs}
      title={title ?? trans.__('Engine log')}
    />
  );
}
