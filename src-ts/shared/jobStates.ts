/**
 * What a job's state (fine-tune or evaluation: the same lifecycle) means for the
 * UI: its badge, its label, whether it ended, and which jobs of a polled list
 * just ended.
 */
import type { TranslationBundle } from '@jupyterlab/translation';

import type { FineTuneState, FineTuneSummary } from '../api/types';
import { etaText } from './format';
import { labelOf } from './labels';
import type { BadgeVariant, IStateBadgeKind } from './variants';
import { stateChanges } from './polling';

/** States after which a job no longer changes (the contract's FINAL_FINETUNE_STATES). */
export const FINAL_STATES: ReadonlySet<FineTuneState> = new Set<FineTuneState>(['SUCCEEDED', 'FAILED', 'CANCELED']);

export function isFinal(state: FineTuneState): boolean {
  return FINAL_STATES.has(state);
}

/** Whether a job list is worth polling fast: a job has not finished. */
export function anyRunning(items: readonly Pick<FineTuneSummary, 'state'>[]): boolean {
  return items.some(item => !isFinal(item.state));
}

export interface IJobChange<T extends { state: FineTuneState }> {
  job: T;
  from: FineTuneState;
  to: FineTuneState;
}

/**
 * Jobs that reached a final state between two polls (to tell the user it
 * succeeded or failed); new and vanished jobs are not changes.
 */
export function finishedChanges<T extends { id: string; state: FineTuneState }>(
  previous: readonly T[],
  next: readonly T[]
): IJobChange<T>[] {
  return stateChanges(previous, next, (from, to) => !isFinal(from) && isFinal(to)).map(({ item, from, to }) => ({
    job: item,
    from,
    to
  }));
}

/** The badge's colour of the states that are not "running" (accent). */
const VARIANTS: Partial<Record<FineTuneState, BadgeVariant>> = {
  SUCCEEDED: 'success',
  FAILED: 'error',
  CANCELING: 'warn',
  CANCELED: 'muted'
};

export function stateVariant(state: FineTuneState): BadgeVariant {
  return VARIANTS[state] ?? 'accent';
}

export function stateLabel(state: FineTuneState, trans: TranslationBundle): string {
  return labelOf(
    {
      ACCEPTED: trans.__('Accepted'),
      IN_PROGRESS: trans.__('In progress'),
      SUCCEEDED: trans.__('Succeeded'),
      FAILED: trans.__('Failed'),
      CANCELING: trans.__('Canceling'),
      CANCELED: trans.__('Canceled')
    },
    state
  );
}

/** The time left while the job runs ("about 3 min left"); null once it ended, or without an estimate. */
export function etaWhileRunning(
  job: Pick<FineTuneSummary, 'state' | 'eta_seconds'>,
  trans: TranslationBundle
): string | null {
  return !isFinal(job.state) && job.eta_seconds !== null ? etaText(job.eta_seconds, trans) : null;
}

/** A job's state as a badge: it spins until the job ended. */
export const JOB_STATE_BADGE: IStateBadgeKind<FineTuneState> = {
  label: stateLabel,
  variant: stateVariant,
  changing: state => !isFinal(state)
};

/** The job's human message when it says more than its state's badge ("Training", a failure reason). */
export function stateMessageText(
  job: Pick<FineTuneSummary, 'state' | 'state_message'>,
  trans: TranslationBundle
): string | null {
  const message = job.state_message.trim();
  return message && message.toLowerCase() !== stateLabel(job.state, trans).toLowerCase() ? message : null;
}
