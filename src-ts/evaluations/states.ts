/**
 * What an evaluation's state means for the UI. Evaluations move through the
 * fine-tuning jobs' states (the contract's `EvaluationState = FineTuneState`),
 * so badges, actions and the final states are the jobs' own.
 */
import type { TranslationBundle } from '@jupyterlab/translation';

import type { EvaluationState, EvaluationSummary } from '../api/types';
import { stateChanges } from '../components/polling';
import { canCancel, canDelete, isFinal, stateLabel, stateVariant } from '../finetunes/states';

export { canCancel, canDelete, isFinal, stateLabel, stateVariant };

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
  if (!summary || summary.id !== detail.id || summary.updated_at < detail.updated_at) {
    return detail;
  }
  const merged = { ...detail } as T;
  for (const key of LIVE_FIELDS) {
    (merged as Record<string, unknown>)[key] = summary[key];
  }
  return merged;
}

/** The human message when it says more than the state's badge. */
export function stateMessageText(
  item: Pick<EvaluationSummary, 'state' | 'state_message'>,
  trans: TranslationBundle
): string | null {
  const message = item.state_message.trim();
  return message && message.toLowerCase() !== stateLabel(item.state, trans).toLowerCase() ? message : null;
}
