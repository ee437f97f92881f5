import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import type { Confirm, IConfirmOptions, Notify } from '../../shared/callbacks';
import { useNotifyError } from '../setupLinks';
import { useMountedRef } from './useMountedRef';

/** An action asked first: the question and the dialog's wording (title, accepting button) are the caller's. */
export interface IConfirmedAction<R = void> {
  message: string;
  options: IConfirmOptions;
  action: () => Promise<R>;
}

export interface IBusyAction<K extends string> {
  /** The action in flight: its button says so (a detail disables every action meanwhile, a list the row's). */
  busy: K | null;
  /** The last action's error (shown as a banner until the next action). */
  actionError: unknown;
  run: (kind: K, action: () => Promise<void>) => Promise<void>;
  /**
   * Asks `request.message` through `confirm` first, then runs `request.action`
   * as `run` does; a declined question runs nothing and leaves the last error as it was.
   */
  runConfirmed: (kind: K, confirm: Confirm, request: IConfirmedAction) => Promise<void>;
}

/**
 * The actions of a detail page (activate, cancel, delete…), one at a time:
 * after one succeeds `onDone`, if given, runs (the list reloads); a failure is kept for
 * the banner and notified, since the user may have moved on (an OCI refusal's
 * notification opens its setup check). A list keys its rows' actions by the
 * row's id (`busy` is then the row whose buttons are disabled). A destructive
 * action (delete, cancel) asks first through `runConfirmed`.
 */
export function useBusyAction<K extends string>(
  notify: Notify,
  trans: TranslationBundle,
  onDone: () => void = () => undefined
): IBusyAction<K> {
  const [busy, setBusy] = React.useState<K | null>(null);
  const [actionError, setActionError] = React.useState<unknown>(null);
  const mounted = useMountedRef();
  const notifyError = useNotifyError(notify, trans);
  const latest = React.useRef({ notifyError, onDone });
  latest.current = { notifyError, onDone };

  const run = React.useCallback(
    async (kind: K, action: () => Promise<void>): Promise<void> => {
      setBusy(kind);
      setActionError(null);
      try {
        await action();
        latest.current.onDone();
      } catch (reason) {
        if (mounted.current) {
          setActionError(reason);
        }
        latest.current.notifyError(reason);
      } finally {
        if (mounted.current) {
          // Another row's action may have started meanwhile (a list disables only the busy row): it stays busy.
          setBusy(current => (current === kind ? null : current));
        }
      }
    },
    [mounted]
  );

  const runConfirmed = React.useCallback(
    async (kind: K, confirm: Confirm, request: IConfirmedAction): Promise<void> => {
      if (await confirm(request.message, request.options)) {
        await run(kind, request.action);
      }
    },
    [run]
  );

  return { busy, actionError, run, runConfirmed };
}
