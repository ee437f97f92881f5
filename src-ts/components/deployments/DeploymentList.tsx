import * as React from 'react';

import { addIcon, Button, refreshIcon } from '@jupyterlab/ui-components';
import type { TranslationBundle } from '@jupyterlab/translation';

import type { DeploymentSummary } from '../../api/types';
import { engineLabel, modeLabel, shapeLabel } from '../../deployments/deployForm';
import { ErrorState } from '../ErrorState';
import { DeploymentStateBadge } from './DeploymentStateBadge';

export interface IDeploymentListProps {
  items: DeploymentSummary[] | null;
  error: unknown;
  trans: TranslationBundle;
  onOpen: (deploymentId: string) => void;
  onNew: () => void;
  onRefresh: () => void;
  onBrowseModels: () => void;
}

/** Every deployment with its state, newest first; a row opens its detail. */
export function DeploymentList(props: IDeploymentListProps): JSX.Element {
  const { items, error, trans } = props;
  const sorted = React.useMemo(
    () => (items ? [...items].sort((a, b) => b.created_at.localeCompare(a.created_at)) : null),
    [items]
  );
  return (
    <div className="jp-AquaExt-DeploymentList">
      <div className="jp-AquaExt-DeploymentList-toolbar">
        <span className="jp-AquaExt-DeploymentList-count">
          {sorted === null ? '' : trans._n('%1 deployment', '%1 deployments', sorted.length)}
        </span>
        <span className="jp-AquaExt-toolbarSpacer" />
        <Button
          className="jp-mod-styled jp-AquaExt-button"
          onClick={props.onRefresh}
          title={trans.__('Reload the deployments')}
        >
          <refreshIcon.react tag="span" className="jp-AquaExt-buttonIcon" />
          {trans.__('Refresh')}
        </Button>
        <Button className="jp-mod-styled jp-mod-accept jp-AquaExt-button jp-AquaExt-newDeploymentButton" onClick={props.onNew}>
          <addIcon.react tag="span" className="jp-AquaExt-buttonIcon" />
          {trans.__('New deployment')}
        </Button>
      </div>
      {error !== null && (
        <ErrorState
          error={error}
          trans={trans}
          title={trans.__('The deployments could not be loaded.')}
          onRetry={props.onRefresh}
          className="jp-AquaExt-ErrorState-banner"
        />
      )}
      {sorted === null && error === null && (
        <div className="jp-AquaExt-loading" role="status">
          <span className="jp-AquaExt-spinner" aria-hidden="true" />
          {trans.__('Loading deployments…')}
        </div>
      )}
      {sorted !== null && sorted.length === 0 && (
        <div className="jp-AquaExt-EmptyState">
          <div className="jp-AquaExt-EmptyState-title">{trans.__('No deployments yet')}</div>
          <p>
            {trans.__(
              'Deploy a model to serve it on an inference engine, then chat with it in the playground or call its OpenAI-compatible endpoint from a notebook.'
            )}
          </p>
          <div className="jp-AquaExt-EmptyState-actions">
            <Button className="jp-mod-styled jp-mod-accept jp-AquaExt-button" onClick={props.onNew}>
              {trans.__('New deployment')}
            </Button>
            <Button className="jp-mod-styled jp-AquaExt-button" onClick={props.onBrowseModels}>
              {trans.__('Browse models')}
            </Button>
          </div>
        </div>
      )}
      {sorted !== null && sorted.length > 0 && (
        <div className="jp-AquaExt-DeploymentList-scroll">
          <table className="jp-AquaExt-DeploymentTable" aria-label={trans.__('Deployments')}>
            <thead>
              <tr>
                <th scope="col">{trans.__('Name')}</th>
                <th scope="col">{trans.__('State')}</th>
                <th scope="col">{trans.__('Engine · mode')}</th>
                <th scope="col">{trans.__('Shape')}</th>
                <th scope="col">{trans.__('Created')}</th>
              </tr>
            </thead>
            <tbody>
              {sorted.map(item => (
                <tr
                  key={item.id}
                  className="jp-AquaExt-DeploymentRow"
                  data-deployment-id={item.id}
                  onClick={() => props.onOpen(item.id)}
                >
                  <td className="jp-AquaExt-DeploymentRow-name">
                    <button
                      type="button"
                      className="jp-AquaExt-linkButton"
                      onClick={event => {
                        event.stopPropagation();
                        props.onOpen(item.id);
                      }}
                    >
                      {item.name}
                    </button>
                    <span className="jp-AquaExt-DeploymentRow-model">{item.model_name}</span>
                  </td>
                  <td>
                    <DeploymentStateBadge state={item.state} trans={trans} title={item.state_message || undefined} />
                    {item.state_message && (item.state === 'FAILED' || item.state === 'CREATING' || item.state === 'UPDATING') && (
                      <span className="jp-AquaExt-DeploymentRow-message" title={item.state_message}>
                        {item.state_message}
                      </span>
                    )}
                  </td>
                  <td>
                    {engineLabel(item.engine)} · {modeLabel(item.mode, trans)}
                  </td>
                  <td>
                    {shapeLabel(item.shape, trans)}
                    {item.replicas > 1 ? ` × ${item.replicas}` : ''}
                  </td>
                  <td className="jp-AquaExt-DeploymentRow-created">
                    <time dateTime={item.created_at} title={new Date(item.created_at).toLocaleString()}>
                      {new Date(item.created_at).toLocaleString(undefined, {
                        dateStyle: 'medium',
                        timeStyle: 'short'
                      })}
                    </time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
