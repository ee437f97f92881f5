import * as React from 'react';

import type { DeploymentSummary } from '../../api/types';
import { engineLabel, modeLabel } from '../../shared/labels';
import { ResourceList, shapeColumn, stateColumn, type IResourceListSectionProps } from '../../ui/ResourceList';
import { DeploymentStateBadge } from '../../ui/DeploymentStateBadge';

export type IDeploymentListProps = IResourceListSectionProps<DeploymentSummary>;

/** Every deployment with its state, newest first; a row opens its detail. */
export function DeploymentList(props: IDeploymentListProps): JSX.Element {
  const { trans } = props;
  return (
    <ResourceList<DeploymentSummary>
      {...props}
      text={{
        count: n => trans._n('%1 deployment', '%1 deployments', n),
        reloadTitle: trans.__('Reload the deployments'),
        newLabel: trans.__('New deployment'),
        loadError: trans.__('The deployments could not be loaded.'),
        loading: trans.__('Loading deployments…'),
        emptyTitle: trans.__('No deployments yet'),
        emptyBody: trans.__(
          'Deploy a model to serve it on an inference engine, then chat with it in the playground or call its OpenAI-compatible endpoint from a notebook.'
        ),
        tableLabel: trans.__('Deployments')
      }}
      classNames={{
        root: 'jp-AquaExt-DeploymentList',
        table: 'jp-AquaExt-DeploymentTable',
        row: 'jp-AquaExt-DeploymentRow',
        newButton: 'jp-AquaExt-newDeploymentButton'
      }}
      rowIdAttribute="data-deployment-id"
      model={item => ({ name: item.model_name })}
      columns={[
        stateColumn<DeploymentSummary>(
          trans,
          item => <DeploymentStateBadge state={item.state} trans={trans} title={item.state_message || undefined} />,
          // Why it failed, or what the create or update is doing now.
          item =>
            item.state === 'FAILED' || item.state === 'CREATING' || item.state === 'UPDATING'
              ? item.state_message || null
              : null
        ),
        {
          key: 'engine',
          header: trans.__('Engine · mode'),
          cell: item => (
            <>
              {engineLabel(item.engine)} · {modeLabel(item.mode, trans)}
            </>
          )
        },
        shapeColumn(trans)
      ]}
    />
  );
}
