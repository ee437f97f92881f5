/**
 * What a fine-tuning job's state means for the UI: its badge, which actions
 * it allows, and how often the list is worth polling.
 */
import type { TranslationBundle } from '@jupyterlab/translation';

import type { FineTuneState, FineTuneSummary } from '../../api/types';
import type { BadgeVariant } from '../../ui/Badge';
import { FAST_POLL_MS, SLOW_POLL_MS, overlayLiveFields, stateChanges } from '../../shared/polling';

// The delays are the polled lists' own (the deployments poll alike); re-exported for callers here.
export { FAST_POLL_MS, SLOW_POLL_MS };

/** States after which a job no longer changes (the contract's FINAL_FINETUNE_STATES). */
export const FINAL_STATES: ReadonlySet<FineTuneState> = new Set<FineTuneState>(['SUCCEEDED', 'FAILED', 'CANCELED']);

export function isFinal(state: FineTuneState): boolean {
  return FINAL_STATES.has(state);
}

/** Whether the list is worth polling fast: a job has not finished. */
export function anyRunning(items: readonly Pick<FineTuneSummary, 'state'>[]): boolean {
  return items.some(item => !isFinal(item.state));
}

/** 2 s while any job is not final, 10 s otherwise (another tab or the CLI may start one meanwhile). */
export function nextPollDelay(items: readonly Pick<FineTuneSummary, 'state'>[]): number {
  return anyRunning(items) ? FAST_POLL_MS : SLOW_POLL_MS;
}

export function stateVariant(state: FineTuneState): BadgeVariant {
  switch (state) {
    case 'SUCCEEDED':
      return 'success';
    case 'FAILED':
      return 'error';
    case 'CANCELING':
      return 'warn';
    case 'CANCELED':
      return 'muted';
    default:
      return 'accent';
  }
}

export function stateLabel(state: FineTuneState, trans: TranslationBundle): string {
  switch (state) {
    case 'ACCEPTED':
      return trans.__('Accepted');
    case 'IN_PROGRESS':
      return trans.__('In progress');
    case 'SUCCEEDED':
      return trans.__('Succeeded');
    case 'FAILED':
      return trans.__('Failed');
    case 'CANCELING':
      return trans.__('Canceling');
    case 'CANCELED':
      return trans.__('Canceled');
    default:
      return String(state);
  }
}

/** A job that has not finished (and is not already being canceled) can be canceled. */
export function canCancel(state: FineTuneState): boolean {
  return state === 'ACCEPTED' || state === 'IN_PROGRESS';
}

/** Only a finished job can be deleted (the server answers 409 otherwise). */
export function canDelete(state: FineTuneState): boolean {
  return isFinal(state);
}

/** A job that succeeded has a model to deploy and to open. */
export function hasOutputModel(job: Pick<FineTuneSummary, 'state' | 'output_model_id'>): boolean {
  return job.state === 'SUCCEEDED' && !!job.output_model_id;
}

export interface IFineTuneChange {
  job: FineTuneSummary;
  from: FineTuneState;
  to: FineTuneState;
}

/**
 * Jobs that reached a final state between two polls (to tell the user it
 * succeeded or failed); new and vanished jobs are not changes.
 */
export function finishedChanges(
  previous: readonly FineTuneSummary[],
  next: readonly FineTuneSummary[]
): IFineTuneChange[] {
  return stateChanges(previous, next, (from, to) => !isFinal(from) && isFinal(to)).map(({ item, from, to }) => ({
    job: item,
    from,
    to
  }));
}

/** The fields of a job the list's poll keeps current. */
const LIVE_FIELDS = [
  'state',
  'state_message',
  'progress',
  'step',
  'total_steps',
  'epoch',
  'eta_seconds',
  'output_model_id',
  'updated_at',
  'finished_at'
] as const;

/**
 * A job's detail with the progress of the list's newer row laid over it, so
 * the detail follows training without fetching itself on every poll.
 */
export function withLiveFields<T extends FineTuneSummary>(detail: T, summary: FineTuneSummary | null): T {
  return overlayLiveFields(detail, summary, LIVE_FIELDS);
}

/** The job's human message when it says more than its state's badge ("Training", a failure reason). */
export function stateMessageText(
  job: Pick<FineTuneSummary, 'state' | 'state_message'>,
  trans: TranslationBundle
): string | null {
  const message = job.state_message.trim();
  return message && message.toLowerCase() !== stateLabel(job.state, trans).toLowerCase() ? message : null;
}
