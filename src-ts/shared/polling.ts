/**
 * What the polled lists (deployments, fine-tuning jobs) and the loss curves
 * share besides their hooks, kept free of React so the state modules can use
 * it: the poll delays, the poll loop, and how a state change between two
 * answers is found.
 */

/** Poll delay while something in the list changes by itself, and otherwise. */
export const FAST_POLL_MS = 2000;
export const SLOW_POLL_MS = 10000;

/**
 * Run `poll` now, and again after the delay (ms) it answers, until it answers
 * null or the returned stop function is called (an effect's cleanup). `poll`
 * handles its own errors; `stopped()` tells it that its answer came after the
 * stop and must be dropped.
 */
export function startPolling(poll: (stopped: () => boolean) => Promise<number | null>): () => void {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const run = async (): Promise<void> => {
    const delay = await poll(() => stopped);
    if (!stopped && delay !== null) {
      timer = setTimeout(() => void run(), delay);
    }
  };
  void run();
  return () => {
    stopped = true;
    if (timer !== undefined) {
      clearTimeout(timer);
    }
  };
}

export interface IItemStateChange<T extends { state: unknown }> {
  item: T;
  from: T['state'];
  to: T['state'];
}

/**
 * Items (matched by id) whose state changed between two answers in a way
 * `counts` accepts; new and vanished items are not changes.
 */
export function stateChanges<T extends { id: string; state: unknown }>(
  previous: readonly T[],
  next: readonly T[],
  counts: (from: T['state'], to: T['state']) => boolean
): IItemStateChange<T>[] {
  const before = new Map(previous.map(item => [item.id, item.state]));
  const changes: IItemStateChange<T>[] = [];
  for (const item of next) {
    const from = before.get(item.id);
    if (from !== undefined && from !== item.state && counts(from, item.state)) {
      changes.push({ item, from, to: item.state });
    }
  }
  return changes;
}

/**
 * A detail with the `fields` of the list's newer row laid over it, so a detail
 * page follows progress without fetching itself on every poll. An older row,
 * another item's, or none leaves the detail as it is (the same object).
 */
export function overlayLiveFields<T extends S, S extends { id: string; updated_at: string }>(
  detail: T,
  summary: S | null,
  fields: readonly (keyof S)[]
): T {
  if (!summary || summary.id !== detail.id || summary.updated_at < detail.updated_at) {
    return detail;
  }
  const merged = { ...detail };
  for (const key of fields) {
    (merged as S)[key] = summary[key];
  }
  return merged;
}
