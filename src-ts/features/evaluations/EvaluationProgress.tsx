import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import type { EvaluationSummary } from '../../api/types';
import { evaluationFraction, rowsText } from './format';
import { isFinal } from './states';
import { etaText } from '../../shared/format';

export interface IEvaluationProgressProps {
  evaluation: Pick<EvaluationSummary, 'state' | 'progress' | 'rows_done' | 'rows_total' | 'eta_seconds'>;
  trans: TranslationBundle;
  /** One line for the list; the detail shows the time left too. */
  compact?: boolean;
  /** Accessible name of the bar. */
  label?: string;
}

/** "rows X of Y" over a bar, and the time left; indeterminate until the first row. */
export function EvaluationProgress(props: IEvaluationProgressProps): JSX.Element {
  const { evaluation, trans } = props;
  const waiting = evaluation.state === 'ACCEPTED' && evaluation.rows_done === 0;
  const percent = Math.round(evaluationFraction(evaluation) * 100);
  const rows = waiting ? trans.__('Waiting to start…') : rowsText(evaluation.rows_done, evaluation.rows_total, trans);
  const eta =
    !isFinal(evaluation.state) && evaluation.eta_seconds !== null ? etaText(evaluation.eta_seconds, trans) : null;
  return (
    <div
      className={
        'jp-AquaExt-FineTuneProgress jp-AquaExt-EvaluationProgress' +
        (props.compact ? ' jp-mod-compact' : '') +
        ` jp-AquaExt-FineTuneProgress-${evaluation.state}`
      }
    >
      <div className="jp-AquaExt-FineTuneProgress-row">
        <span className="jp-AquaExt-FineTuneProgress-steps jp-AquaExt-EvaluationProgress-rows">{rows}</span>
        {!props.compact && eta && <span className="jp-AquaExt-FineTuneProgress-eta">{eta}</span>}
        <span className="jp-AquaExt-toolbarSpacer" />
        <span className="jp-AquaExt-FineTuneProgress-percent">{waiting ? '' : `${percent}%`}</span>
      </div>
      <div
        className={waiting ? 'jp-AquaExt-progress jp-mod-indeterminate' : 'jp-AquaExt-progress'}
        role="progressbar"
        aria-label={props.label ?? trans.__('Evaluation progress')}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={waiting ? undefined : percent}
        aria-valuetext={waiting ? rows : `${percent}% · ${rows}${eta ? ` · ${eta}` : ''}`}
      >
        <div className="jp-AquaExt-progress-fill" style={waiting ? undefined : { width: `${percent}%` }} />
      </div>
    </div>
  );
}
