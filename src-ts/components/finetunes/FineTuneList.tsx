import * as React from 'react';

import { addIcon, Button, refreshIcon } from '@jupyterlab/ui-components';
import type { TranslationBundle } from '@jupyterlab/translation';

import type { FineTuneSummary } from '../../api/types';
import { shapeLabel } from '../../deployments/deployForm';
import { formatDateTime, trainingTypeLabel } from '../../finetunes/format';
import { stateMessageText } from '../../finetunes/states';
import { ErrorState } from '../ErrorState';
import { FineTuneProgress } from './FineTuneProgress';
import { FineTuneStateBadge } from './FineTuneStateBadge';

export interface IFineTuneListProps {
  items: FineTuneSummary[] | null;
  error: unknown;
  trans: TranslationBundle;
  onOpen: (finetuneId: string) => void;
  onNew: () => void;
  onRefresh: () => void;
  onBrowseModels: () => void;
}

/** Every fine-tuning job with its state and progress, newest first; a row opens its detail. */
export function FineTuneList(props: IFineTuneListProps): JSX.Element {
  const { items, error, trans } = props;
  const sorted = React.useMemo(
    () => (items ? [...items].sort((a, b) => b.created_at.localeCompare(a.created_at)) : null),
    [items]
  );
  return (
    <div className="jp-AquaExt-DeploymentList jp-AquaExt-FineTuneList">
      <div className="jp-AquaExt-DeploymentList-toolbar">
        <span className="jp-AquaExt-DeploymentList-count">
          {sorted === null ? '' : trans._n('%1 fine-tuning job', '%1 fine-tuning jobs', sorted.length)}
        </span>
        <span className="jp-AquaExt-toolbarSpacer" />
        <Button
          className="jp-mod-styled jp-AquaExt-button"
          onClick={props.onRefresh}
          title={trans.__('Reload the fine-tuning jobs')}
        >
          <refreshIcon.react tag="span" className="jp-AquaExt-buttonIcon" />
          {trans.__('Refresh')}
        </Button>
        <Button className="jp-mod-styled jp-mod-accept jp-AquaExt-button jp-AquaExt-newFineTuneButton" onClick={props.onNew}>
          <addIcon.react tag="span" className="jp-AquaExt-buttonIcon" />
          {trans.__('New fine-tune')}
        </Button>
      </div>
      {error !== null && (
        <ErrorState
          error={error}
          trans={trans}
          title={trans.__('The fine-tuning jobs could not be loaded.')}
          onRetry={props.onRefresh}
          className="jp-AquaExt-ErrorState-banner"
        />
      )}
      {sorted === null && error === null && (
        <div className="jp-AquaExt-loading" role="status">
          <span className="jp-AquaExt-spinner" aria-hidden="true" />
          {trans.__('Loading fine-tuning jobs…')}
        </div>
      )}
      {sorted !== null && sorted.length === 0 && (
        <div className="jp-AquaExt-EmptyState">
          <div className="jp-AquaExt-EmptyState-title">{trans.__('No fine-tuning jobs yet')}</div>
          <p>
            {trans.__(
              'Fine-tune a model on a JSONL dataset of your own (LoRA or its last layers), follow its loss curves here, then deploy the result like any other model.'
            )}
          </p>
          <div className="jp-AquaExt-EmptyState-actions">
            <Button className="jp-mod-styled jp-mod-accept jp-AquaExt-button" onClick={props.onNew}>
              {trans.__('New fine-tune')}
            </Button>
            <Button className="jp-mod-styled jp-AquaExt-button" onClick={props.onBrowseModels}>
              {trans.__('Browse models')}
            </Button>
          </div>
        </div>
      )}
      {sorted !== null && sorted.length > 0 && (
        <div className="jp-AquaExt-DeploymentList-scroll">
          <table className="jp-AquaExt-DeploymentTable jp-AquaExt-FineTuneTable" aria-label={trans.__('Fine-tuning jobs')}>
            <thead>
              <tr>
                <th scope="col">{trans.__('Name')}</th>
                <th scope="col">{trans.__('State')}</th>
                <th scope="col" className="jp-AquaExt-FineTuneTable-progressColumn">
                  {trans.__('Progress')}
                </th>
                <th scope="col">{trans.__('Training')}</th>
                <th scope="col">{trans.__('Shape')}</th>
                <th scope="col">{trans.__('Created')}</th>
              </tr>
            </thead>
            <tbody>
              {sorted.map(item => (
                <tr
                  key={item.id}
                  className="jp-AquaExt-DeploymentRow jp-AquaExt-FineTuneRow"
                  data-finetune-id={item.id}
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
                    <span className="jp-AquaExt-DeploymentRow-model" title={item.base_model_id}>
                      {item.base_model_name}
                    </span>
                  </td>
                  <td>
                    <FineTuneStateBadge state={item.state} trans={trans} title={item.state_message || undefined} />
                    {stateMessageText(item, trans) && (
                      <span className="jp-AquaExt-DeploymentRow-message" title={item.state_message}>
                        {stateMessageText(item, trans)}
                      </span>
                    )}
                  </td>
                  <td className="jp-AquaExt-FineTuneRow-progress">
                    <FineTuneProgress job={item} trans={trans} compact label={trans.__('Progress of %1', item.name)} />
                  </td>
                  <td>{trainingTypeLabel(item.training_type, trans)}</td>
                  <td>
                    {shapeLabel(item.shape, trans)}
                    {item.replicas > 1 ? ` × ${item.replicas}` : ''}
                  </td>
                  <td className="jp-AquaExt-DeploymentRow-created">
                    <time dateTime={item.created_at} title={new Date(item.created_at).toLocaleString()}>
                      {formatDateTime(item.created_at)}
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
