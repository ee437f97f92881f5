/**
 * What a fine-tuning job's state means for the UI: how often the list is
 * worth polling, and the progress a detail takes from the list's row.
 */
import type { FineTuneSummary } from '../../api/types';
import { anyRunning, finishedChanges } from '../../shared/jobStates';
import { FAST_POLL_MS, SLOW_POLL_MS, overlayLiveFields } from '../../shared/polling';

// The delays are the polled lists' own (the deployments poll alike), and which jobs
// just ended is every job's rule (evaluations alike); re-exported for callers here.
export { FAST_POLL_MS, SLOW_POLL_MS, finishedChanges };

/** 2 s while any job is not final, 10 s otherwise (another tab or the CLI may start one meanwhile). */
export function nextPollDelay(items: readonly Pick<FineTuneSummary, 'state'>[]): number {
  return anyRunning(items) ? FAST_POLL_MS : SLOW_POLL_MS;
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
