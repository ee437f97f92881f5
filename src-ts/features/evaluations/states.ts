/**
 * What an evaluation's state means for the UI. Evaluations move through the
 * fine-tuning jobs' states (the contract's `EvaluationState = FineTuneState`),
 * so badges and the final states are the jobs' own (what may be done is the
 * server's `actions`).
 */
import type { EvaluationState, EvaluationSummary } from '../../api/types';
import { overlayLiveFields, stateChanges } from '../../shared/polling';
import { isFinal, stateLabel, stateMessageText, stateVariant } from '../../shared/jobStates';

// The message beyond the badge is the jobs' own too (the same states and labels).
export { isFinal, stateLabel, stateMessageText, stateVariant };

/** Whether the list is worth polling fast: an evaluation has not finished. */
export function anyRunning(items: readonly Pick<EvaluationSummary, 'state'>[]): boolean {
  return items.some(item => !isFinal(item.state));
}

export interface IEvaluationChange {
  evaluation: EvaluationSummary;
  from: EvaluationState;
  to: EvaluationState;
}

/** Evaluations that reached a final state between two polls (for a notification). */
export function finishedChanges(
  previous: readonly EvaluationSummary[],
  next: readonly EvaluationSummary[]
): IEvaluationChange[] {
  return stateChanges(previous, next, (from, to) => !isFinal(from) && isFinal(to)).map(({ item, from, to }) => ({
    evaluation: item,
    from,
    to
  }));
}

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
