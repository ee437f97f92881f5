import * as React from 'react';

import type { Operation } from '../../api/types';
import type { IStateChange } from '../../shared/deploymentStates';
import { useDeploymentList } from './useDeploymentList';
import { type IResourceSectionProps, useResourceSection } from '../../ui/ResourceSection';
import { useLatest } from '../../ui/hooks/useLatest';
import { DeploymentDetail } from './DeploymentDetail';
import { DeploymentList } from './DeploymentList';

export interface IDeploymentsSectionProps extends IResourceSectionProps {
  /** The operation of a deployment this page just created or activated. */
  pendingOperation?: { deploymentId: string; operation: Operation } | null;
  pollIntervalMs: number;
  onNewDeployment: () => void;
  onOpenPlayground?: (deploymentId: string) => void;
  /** Evaluate an active deployment (its detail's Evaluate button shows when given). */
  onEvaluate?: (deploymentId: string) => void;
  /** A deployment was deleted here (its playground tab can go). */
  onDeleted?: (deploymentId: string) => void;
}

/** The Deployments section: the polled list, or one deployment's detail. */
export function DeploymentsSection(props: IDeploymentsSectionProps): JSX.Element {
  const { client, trans, selectedId } = props;
  const notify = useLatest(props.notify);

  const onSettled = React.useCallback(
    (changes: IStateChange[]) => {
      for (const { deployment, to } of changes) {
        if (to === 'ACTIVE') {
          notify.current(trans.__('“%1” is active.', deployment.name), 'success');
        } else if (to === 'FAILED') {
          notify.current(
            trans.__('“%1” failed: %2', deployment.name, deployment.state_message || trans.__('see its log')),
            'error'
          );
        }
      }
    },
    [trans, notify]
  );

  const list = useDeploymentList(client, { active: props.active, onSettled });
  const section = useResourceSection(props, list);
  const pending =
    props.pendingOperation && props.pendingOperation.deploymentId === selectedId
      ? props.pendingOperation.operation
      : null;

  if (selectedId) {
    return (
      <DeploymentDetail
        key={selectedId}
        {...section.detail}
        deploymentId={selectedId}
        initialOperation={pending}
        pollIntervalMs={props.pollIntervalMs}
        onDeleted={deploymentId => {
          section.closeDeleted();
          props.onDeleted?.(deploymentId);
        }}
        onOpenPlayground={props.onOpenPlayground}
        onEvaluate={props.onEvaluate}
      />
    );
  }
  return <DeploymentList {...section.list} onNew={props.onNewDeployment} />;
}
