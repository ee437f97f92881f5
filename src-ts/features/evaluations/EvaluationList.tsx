import * as React from 'react';

import { Button } from '@jupyterlab/ui-components';

import type { EvaluationSummary } from '../../api/types';
import { askedName, formatScore, HEADLINE_SCORES, scoreLabel } from './format';
import { jobStateColumn, progressColumn, ResourceList, type IResourceListSectionProps } from '../../ui/ResourceList';
import { EvaluationProgress } from './EvaluationProgress';

/** The contract compares 2 to 8 evaluations at once. */
export const MAX_COMPARED = 8;

export interface IEvaluationListProps extends IResourceListSectionProps<EvaluationSummary> {
  /** The evaluations ticked for a comparison, in the order they were ticked. */
  selected: readonly string[];
  onToggleSelected: (evaluationId: string) => void;
  onCompare: () => void;
}

/**
 * Every evaluation with its state, progress and headline scores, newest
 * first; a row opens its detail, a checkbox picks it for a comparison.
 */
export function EvaluationList(props: IEvaluationListProps): JSX.Element {
  const { trans, selected, items } = props;
  const chosen = new Set(selected);
  const canCompare = selected.length >= 2 && selected.length <= MAX_COMPARED;
  return (
    <div className="jp-AquaExt-EvaluationListFrame">
      {items !== null && items.length > 1 && (
        <div className="jp-AquaExt-EvaluationList-compareBar" role="group" aria-label={trans.__('Compare evaluations')}>
          <span className="jp-AquaExt-EvaluationList-compareHint" aria-live="polite">
            {selected.length === 0
              ? trans.__('Tick two or more evaluations to compare them.')
              : selected.length > MAX_COMPARED
                ? trans.__('At most %1 evaluations can be compared at once.', MAX_COMPARED)
                : trans._n('%1 evaluation selected', '%1 evaluations selected', selected.length)}
          </span>
          <span className="jp-AquaExt-toolbarSpacer" />
          <Button
            className="jp-mod-styled jp-AquaExt-button jp-AquaExt-compareButton"
            disabled={!canCompare}
            onClick={props.onCompare}
            title={trans.__('Scores of the selected evaluations side by side')}
          >
            {selected.length >= 2 ? trans.__('Compare (%1)', selected.length) : trans.__('Compare')}
          </Button>
        </div>
      )}
      <ResourceList<EvaluationSummary>
        {...props}
        text={{
          count: n => trans._n('%1 evaluation', '%1 evaluations', n),
          reloadTitle: trans.__('Reload the evaluations'),
          newLabel: trans.__('New evaluation'),
          loadError: trans.__('The evaluations could not be loaded.'),
          loading: trans.__('Loading evaluations…'),
          emptyTitle: trans.__('No evaluations yet'),
          emptyBody: trans.__(
            'Score an active deployment or a connection on a JSONL dataset of prompts and reference answers (BERTScore, ROUGE, BLEU, chrF, exact match, readability, latency), then compare the results side by side.'
          ),
          tableLabel: trans.__('Evaluations')
        }}
        classNames={{
          root: 'jp-AquaExt-EvaluationList',
          newButton: 'jp-AquaExt-newEvaluationButton',
          table: 'jp-AquaExt-EvaluationTable',
          row: 'jp-AquaExt-EvaluationRow'
        }}
        rowIdAttribute="data-evaluation-id"
        model={item => ({
          name: trans.__('%1 · %2', askedName(item, trans), item.model_name),
          title: item.connection_id
            ? trans.__('Connection %1, model %2', item.connection_id, item.model_id)
            : trans.__('Deployment %1, model %2', item.deployment_id, item.model_id)
        })}
        columns={[
          {
            key: 'select',
            header: trans.__('Compare'),
            headerClassName: 'jp-AquaExt-EvaluationTable-selectColumn',
            className: 'jp-AquaExt-EvaluationRow-select',
            cell: item => (
              <input
                type="checkbox"
                className="jp-AquaExt-EvaluationRow-checkbox"
                checked={chosen.has(item.id)}
                aria-label={trans.__('Select “%1” for comparison', item.name)}
                onClick={event => event.stopPropagation()}
                onChange={() => props.onToggleSelected(item.id)}
              />
            )
          },
          jobStateColumn<EvaluationSummary>(trans),
          progressColumn<EvaluationSummary>(trans, (item, label) => (
            <EvaluationProgress evaluation={item} trans={trans} compact label={label} />
          )),
          ...HEADLINE_SCORES.map(key => ({
            key,
            header: scoreLabel(key, trans),
            headerClassName: 'jp-AquaExt-EvaluationTable-scoreColumn',
            className: `jp-AquaExt-EvaluationRow-score jp-AquaExt-EvaluationRow-${key}`,
            cell: (item: EvaluationSummary) => formatScore(key, item.scores[key])
          }))
        ]}
      />
    </div>
  );
}
