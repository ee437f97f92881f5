/**
 * A list kept current by polling one endpoint that answers every row at once
 * (never one call per row): fast while something in it changes by itself,
 * slow otherwise (another tab or the CLI may change it meanwhile), and not at
 * all while nobody can see it. The deployments and the fine-tuning jobs are
 * both such lists; only what they fetch and which changes they report differ.
 */
import * as React from 'react';

import type { FineTuneState, TargetProblem } from '../../api/types';
import { anyRunning, finishedChanges, type IJobChange } from '../../shared/jobStates';
import { FAST_POLL_MS, SLOW_POLL_MS, startPolling } from '../../shared/polling';
import { usePageVisible } from './usePageVisible';

export interface IPolledListOptions<T, C> {
  /** Poll only while true (the section and the panel are shown); a hidden tab never polls. */
  active: boolean;
  /** What changed between two answers worth telling the user (a deployment became ACTIVE, a job finished). */
  changes: (previous: T[], next: T[]) => C[];
  /** Called with the non-empty changes of each answer after the first. */
  onChanges?: (changes: C[]) => void;
  /** Poll after `fastMs` while this holds for the latest items, after `slowMs` otherwise. */
  fastWhile: (items: T[]) => boolean;
  fastMs?: number;
  slowMs?: number;
}

export interface IPolledList<T> {
  items: T[] | null;
  /** Targets the last answer misses (their items are not in `items`), and why. */
  problems: readonly TargetProblem[];
  /** The last poll's error; the previous items stay shown meanwhile. */
  error: unknown;
  /** Poll now (after an action, or from a Refresh button). */
  refresh: () => void;
}

/**
 * Poll `fetch` while active. A new `fetch` (keep it memoized), `active`,
 * `fastMs`, `slowMs` or `refresh()` starts a new loop at once; `changes`,
 * `onChanges` and `fastWhile` are read at each answer and may change freely.
 */
export function usePolledList<T, C>(
  fetch: () => Promise<{ items: T[]; problems?: TargetProblem[] }>,
  options: IPolledListOptions<T, C>
): IPolledList<T> {
  const [items, setItems] = React.useState<T[] | null>(null);
  const [error, setError] = React.useState<unknown>(null);
  const [problems, setProblems] = React.useState<readonly TargetProblem[]>([]);
  const [refreshCount, setRefreshCount] = React.useState(0);
  const pageVisible = usePageVisible();
  const active = options.active && pageVisible;
  const itemsRef = React.useRef<T[] | null>(null);
  const latest = React.useRef(options);
  latest.current = options;
  const fastMs = options.fastMs ?? FAST_POLL_MS;
  const slowMs = options.slowMs ?? SLOW_POLL_MS;

  React.useEffect(() => {
    if (!active) {
      return;
    }
    return startPolling(async stopped => {
      try {
        const list = await fetch();
        if (stopped()) {
          return null;
        }
        const previous = itemsRef.current;
        itemsRef.current = list.items;
        setItems(list.items);
        setProblems(list.problems ?? []);
        setError(null);
        if (previous) {
          const changes = latest.current.changes(previous, list.items);
          if (changes.length > 0) {
            latest.current.onChanges?.(changes);
          }
        }
        return latest.current.fastWhile(list.items) ? fastMs : slowMs;
      } catch (reason) {
        if (stopped()) {
          return null;
        }
        setError(reason);
        return slowMs;
      }
    });
  }, [fetch, active, refreshCount, fastMs, slowMs]);

  const refresh = React.useCallback(() => setRefreshCount(n => n + 1), []);
  return { items, problems, error, refresh };
}

export interface IPolledJobListOptions<T extends { state: FineTuneState }> {
  /** Poll only while true (the section and the panel are shown). */
  active: boolean;
  /** Jobs that just ended (for a notification). */
  onFinished?: (changes: IJobChange<T>[]) => void;
  fastMs?: number;
  slowMs?: number;
}

/**
 * A list of jobs (fine-tuning jobs, evaluations: the same lifecycle) polled
 * fast while one runs, reporting the jobs that ended.
 */
export function usePolledJobList<T extends { id: string; state: FineTuneState }>(
  fetch: () => Promise<{ items: T[]; problems?: TargetProblem[] }>,
  options: IPolledJobListOptions<T>
): IPolledList<T> {
  return usePolledList(fetch, {
    active: options.active,
    changes: finishedChanges,
    onChanges: options.onFinished,
    fastWhile: anyRunning,
    fastMs: options.fastMs,
    slowMs: options.slowMs
  });
}

/**
 * Call `refresh` each time `request` takes a new non-zero value (a counter a
 * parent bumps, e.g. after it created a deployment or a job); the value the
 * component mounted with counts as seen.
 */
export function useRefreshOnRequest(request: number | undefined, refresh: () => void): void {
  const handled = React.useRef(request ?? 0);
  React.useEffect(() => {
    if (request && request !== handled.current) {
      handled.current = request;
      refresh();
    }
  }, [request, refresh]);
}
