import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import type { FineTuneSummary } from '../../api/types';
import { formatEpoch, progressFraction, stepText } from './format';
import { etaWhileRunning } from '../../shared/jobStates';
import { JobProgress } from '../../ui/JobProgress';

export interface IFineTuneProgressProps {
  job: Pick<FineTuneSummary, 'state' | 'progress' | 'step' | 'total_steps' | 'epoch' | 'eta_seconds'>;
  trans: TranslationBundle;
  /** Total epochs, when known (the detail has the parameters). */
  epochs?: number;
  /** One line for the list; the detail shows epoch and time left too. */
  compact?: boolean;
  /** Accessible name of the bar. */
  label?: string;
}

/**
 * Where training is: a bar with "step X of Y", and in full form the epoch and
 * the time left. Indeterminate while the job waits to start.
 */
export function FineTuneProgress(props: IFineTuneProgressProps): JSX.Element {
  const { job, trans } = props;
  const waiting = job.state === 'ACCEPTED' && job.step === 0;
  const fraction = progressFraction(job);
  const percent = Math.round(fraction * 100);
  // A job that reports no steps (OCI Generative AI: only its work request's percent) shows the percent alone.
  const noSteps = job.step === 0 && job.total_steps === null && !waiting;
  const steps = waiting ? trans.__('Waiting to start…') : noSteps ? '' : stepText(job.step, job.total_steps, trans);
  const epoch = props.epochs
    ? trans.__('epoch %1 of %2', formatEpoch(job.epoch), props.epochs)
    : trans.__('epoch %1', formatEpoch(job.epoch));
  const eta = etaWhileRunning(job, trans);
  const valueText = waiting || noSteps ? steps || `${percent}%` : `${percent}% · ${steps}`;
  return (
    <JobProgress
      state={job.state}
      waiting={waiting}
      percent={percent}
      done={steps}
      details={!waiting && <span className="jp-AquaExt-FineTuneProgress-epoch">{epoch}</span>}
      eta={eta}
      compact={props.compact}
      label={props.label ?? trans.__('Training progress')}
      valueText={valueText}
      className="jp-AquaExt-FineTuneProgress"
    />
  );
}
