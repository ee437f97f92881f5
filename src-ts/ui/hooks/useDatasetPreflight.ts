import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import type { ValidateDatasetRequest } from '../../api/types';
import { errorResult, type IPreflightResult } from '../../shared/datasetPreflight';
import { describeError } from '../../shared/errors';
import { useLatest } from './useLatest';
import { useMountedRef } from './useMountedRef';

export interface IDatasetPreflightOptions {
  /** What the form asks to check now (null: nothing to check). */
  request: ValidateDatasetRequest | null;
  /** The request's identity: the check runs again when it changes. */
  keyOf: (request: ValidateDatasetRequest | null) => string;
  /** Ask the server and read its answer; a refusal becomes the preflight's error result. */
  check: (request: ValidateDatasetRequest, key: string) => Promise<IPreflightResult>;
  /** Debounce of a changed request. */
  delayMs: number;
  /** Not yet (the form still waits for what the request depends on). */
  paused?: boolean;
  trans: TranslationBundle;
}

export interface IDatasetPreflight {
  /** The answer to the current request, or null (none yet, or one for an older request). */
  current: IPreflightResult | null;
  checking: boolean;
  /** Check now (the Recheck button; the submit when no answer is there yet). */
  run: (request: ValidateDatasetRequest) => Promise<IPreflightResult>;
  /** Show an answer found elsewhere (a job's own preflight refusing bad lines). */
  show: (result: IPreflightResult) => void;
  /** What the form asks to check now (null: nothing to check). */
  request: ValidateDatasetRequest | null;
  /** The answer to submit with: the current one, or a check run now (null: nothing to check). */
  checked: () => Promise<IPreflightResult | null>;
}

/**
 * The dataset check of a form (fine-tune, evaluation): run when the request
 * changes, debounced; an answer counts only while it answers the latest request.
 */
export function useDatasetPreflight(options: IDatasetPreflightOptions): IDatasetPreflight {
  const { request, keyOf, check, delayMs, paused, trans } = options;
  const [preflight, setPreflight] = React.useState<IPreflightResult | null>(null);
  const [checking, setChecking] = React.useState(false);
  const seq = React.useRef(0);
  const mounted = useMountedRef();

  const run = React.useCallback(
    async (asked: ValidateDatasetRequest): Promise<IPreflightResult> => {
      const key = keyOf(asked);
      const mine = ++seq.current;
      setChecking(true);
      let result: IPreflightResult;
      try {
        result = await check(asked, key);
      } catch (reason) {
        result = errorResult(key, reason, e => describeError(e, trans));
      }
      if (mounted.current && mine === seq.current) {
        setPreflight(result);
        setChecking(false);
      }
      return result;
    },
    [check, keyOf, trans, mounted]
  );

  const key = keyOf(request);
  // The check runs when the request changes (key); it reads the request and the last answer here.
  const state = useLatest({ request, preflight });
  React.useEffect(() => {
    const { request, preflight } = state.current;
    if (paused) {
      return;
    }
    if (!request) {
      seq.current += 1;
      setPreflight(null);
      setChecking(false);
      return;
    }
    if (preflight?.key === key) {
      return;
    }
    const timer = setTimeout(() => void run(request), delayMs);
    return () => clearTimeout(timer);
  }, [key, run, delayMs, paused, state]);

  const current = preflight && preflight.key === key ? preflight : null;
  const checked = async (): Promise<IPreflightResult | null> => current ?? (request ? run(request) : null);
  return { current, checking, run, show: setPreflight, request, checked };
}
