/**
 * The fine-tuning jobs, kept current by polling `GET finetunes` (one call for
 * every row): every 2 s while a job runs, every 10 s otherwise, and not at all
 * while nobody can see them.
 */
import * as React from 'react';

import type { IAquaClient } from '../api/client';
import type { FineTuneSummary } from '../api/types';
import { FAST_POLL_MS, finishedChanges, nextPollDelay, SLOW_POLL_MS, type IFineTuneChange } from './states';

export interface IFineTuneListOptions {
  /** Poll only while true (the section and the panel are shown). */
  active: boolean;
  /** Jobs that just finished (for a notification). */
  onFinished?: (changes: IFineTuneChange[]) => void;
  fastMs?: number;
  slowMs?: number;
}

export interface IFineTuneList {
  items: FineTuneSummary[] | null;
  /** The last poll's error; the previous items stay shown meanwhile. */
  error: unknown;
  /** Poll now (after an action, or from a Refresh button). */
  refresh: () => void;
}

/** Whether the browser tab is shown (a hidden tab polls nothing). */
export function usePageVisible(): boolean {
  const [visible, setVisible] = React.useState(() => typeof document === 'undefined' || !document.hidden);
  React.useEffect(() => {
    const onChange = (): void => setVisible(!document.hidden);
    document.addEventListener('visibilitychange', onChange);
    return () => document.removeEventListener('visibilitychange', onChange);
  }, []);
  return visible;
}

export function useFineTuneList(client: IAquaClient, options: IFineTuneListOptions): IFineTuneList {
  const [items, setItems] = React.useState<FineTuneSummary[] | null>(null);
  const [error, setError] = React.useState<unknown>(null);
  const [refreshCount, setRefreshCount] = React.useState(0);
  const pageVisible = usePageVisible();
  const active = options.active && pageVisible;
  const itemsRef = React.useRef<FineTuneSummary[] | null>(null);
  const onFinished = React.useRef(options.onFinished);
  onFinished.current = options.onFinished;
  const fastMs = options.fastMs ?? FAST_POLL_MS;
  const slowMs = options.slowMs ?? SLOW_POLL_MS;

  React.useEffect(() => {
    if (!active) {
      return;
    }
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async (): Promise<void> => {
      let delay = slowMs;
      try {
        const list = await client.listFineTunes();
        if (cancelled) {
          return;
        }
        const previous = itemsRef.current;
        itemsRef.current = list.items;
        setItems(list.items);
        setError(null);
        if (previous) {
          const changes = finishedChanges(previous, list.items);
          if (changes.length > 0) {
            onFinished.current?.(changes);
          }
        }
        delay = nextPollDelay(list.items) === FAST_POLL_MS ? fastMs : slowMs;
      } catch (reason) {
        if (cancelled) {
          return;
        }
        setError(reason);
      }
      timer = setTimeout(() => void poll(), delay);
    };
    void poll();
    return () => {
      cancelled = true;
      if (timer !== undefined) {
        clearTimeout(timer);
      }
    };
  }, [client, active, refreshCount, fastMs, slowMs]);

  const refresh = React.useCallback(() => setRefreshCount(n => n + 1), []);
  return { items, error, refresh };
}
