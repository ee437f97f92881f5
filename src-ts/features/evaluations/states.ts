/**
 * What an evaluation's state means for the UI. Evaluations move through the
 * fine-tuning jobs' states (the contract's `EvaluationState = FineTuneState`),
 * so badges and the final states are the jobs' own (what may be done is the
 * server's `actions`).
 */
import type { EvaluationSummary } from '../../api/types';
import { overlayLiveFields } from '../../shared/polling';
import { finishedChanges, isFinal, stateLabel, stateMessageText, stateVariant } from '../../shared/jobStates';

// The message beyond the badge and which evaluations just ended are the jobs' own too
// (the same states and labels).
export { finishedChanges, isFinal, stateLabel, stateMessageText, stateVariant };

/** The fields of an evaluation the list's poll keeps current. */
const LIVE_FIELDS = [
  'state',
  'actions',
  'state_message',
  'progress',
  'rows_done',
  'rows_total',
  'eta_seconds',
  'scores',
  'updated_at',
  'finished_at'
] as const;

/** An evaluation's detail with the progress of the list's newer row laid over it. */
export function withLiveFields<T extends EvaluationSummary>(detail: T, summary: EvaluationSummary | null): T {
  return overlayLiveFields(detail, summary, LIVE_FIELDS);
}
