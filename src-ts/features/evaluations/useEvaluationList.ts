/**
 * The evaluations, kept current by polling `GET evaluations` (one call for
 * every row): every 2 s while one runs, every 10 s otherwise, and not at all
 * while nobody can see them.
 */
import * as React from 'react';

import type { IAquaClient } from '../../api/client';
import type { EvaluationSummary } from '../../api/types';
import { usePolledList, type IPolledList } from '../../ui/hooks/usePolledList';
import { anyRunning, finishedChanges, type IEvaluationChange } from './states';

export interface IEvaluationListOptions {
  active: boolean;
  onFinished?: (changes: IEvaluationChange[]) => void;
  fastMs?: number;
  slowMs?: number;
}

export function useEvaluationList(
  client: IAquaClient,
  options: IEvaluationListOptions
): IPolledList<EvaluationSummary> {
  const fetch = React.useCallback(() => client.listEvaluations(), [client]);
  return usePolledList(fetch, {
    active: options.active,
    changes: finishedChanges,
    onChanges: options.onFinished,
    fastWhile: anyRunning,
    fastMs: options.fastMs,
    slowMs: options.slowMs
  });
}
