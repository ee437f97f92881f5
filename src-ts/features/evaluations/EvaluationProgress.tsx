import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import type { EvaluationSummary } from '../../api/types';
import { evaluationFraction, rowsText } from './format';
import { etaWhileRunning } from '../../shared/jobStates';
import { JobProgress } from '../../ui/JobProgress';

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
  const eta = etaWhileRunning(evaluation, trans);
  return (
    <JobProgress
      state={evaluation.state}
      waiting={waiting}
      percent={percent}
      done={rows}
      doneClassName="jp-AquaExt-EvaluationProgress-rows"
      eta={eta}
      compact={props.compact}
      label={props.label ?? trans.__('Evaluation progress')}
      valueText={waiting ? rows : `${percent}% · ${rows}${eta ? ` · ${eta}` : ''}`}
      className="jp-AquaExt-EvaluationProgress"
    />
  );
}
