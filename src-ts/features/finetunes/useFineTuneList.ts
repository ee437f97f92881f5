/**
 * The fine-tuning jobs, kept current by polling `GET finetunes` (one call for
 * every row): every 2 s while a job runs, every 10 s otherwise, and not at all
 * while nobody can see them.
 */
import * as React from 'react';

import type { IAquaClient } from '../../api/client';
import type { FineTuneSummary } from '../../api/types';
import { usePolledList, type IPolledList } from '../../ui/hooks/usePolledList';
import { anyRunning, finishedChanges, type IFineTuneChange } from './states';

export interface IFineTuneListOptions {
  /** Poll only while true (the section and the panel are shown). */
  active: boolean;
  /** Jobs that just finished (for a notification). */
  onFinished?: (changes: IFineTuneChange[]) => void;
  fastMs?: number;
  slowMs?: number;
}

export type IFineTuneList = IPolledList<FineTuneSummary>;

export function useFineTuneList(client: IAquaClient, options: IFineTuneListOptions): IFineTuneList {
  const fetch = React.useCallback(() => client.listFineTunes(), [client]);
  return usePolledList(fetch, {
    active: options.active,
    changes: finishedChanges,
    onChanges: options.onFinished,
    fastWhile: anyRunning,
    fastMs: options.fastMs,
    slowMs: options.slowMs
  });
}
