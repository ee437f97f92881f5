/**
 * What a fine-tuning job's state means for the UI: how often the list is
 * worth polling, and the progress a detail takes from the list's row.
 */
import type { FineTuneState, FineTuneSummary } from '../../api/types';
import { isFinal } from '../../shared/jobStates';
import { FAST_POLL_MS, SLOW_POLL_MS, overlayLiveFields, stateChanges } from '../../shared/polling';

// The delays are the polled lists' own (the deployments poll alike); re-exported for callers here.
export { FAST_POLL_MS, SLOW_POLL_MS };

/** Whether the list is worth polling fast: a job has not finished. */
export function anyRunning(items: readonly Pick<FineTuneSummary, 'state'>[]): boolean {
  return items.some(item => !isFinal(item.state));
}

/** 2 s while any job is not final, 10 s otherwise (another tab or the CLI may start one meanwhile). */
export function nextPollDelay(items: readonly Pick<FineTuneSummary, 'state'>[]): number {
  return anyRunning(items) ? FAST_POLL_MS : SLOW_POLL_MS;
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
  'actions',
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
