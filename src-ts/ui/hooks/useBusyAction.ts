import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import type { Notify } from '../../shared/callbacks';
import { describeError } from '../../shared/errors';
import { useMountedRef } from './useMountedRef';

export interface IBusyAction<K extends string> {
  /** The action in flight: its button says so, and every action button is disabled meanwhile. */
  busy: K | null;
  /** The last action's error (shown as a banner until the next action). */
  actionError: unknown;
  run: (kind: K, action: () => Promise<void>) => Promise<void>;
}

/**
 * The actions of a detail page (activate, cancel, delete…), one at a time:
 * after one succeeds `onDone` runs (the list reloads); a failure is kept for
 * the banner and notified, since the user may have moved on.
 */
export function useBusyAction<K extends string>(
  notify: Notify,
  trans: TranslationBundle,
  onDone: () => void
): IBusyAction<K> {
  const [busy, setBusy] = React.useState<K | null>(null);
  const [actionError, setActionError] = React.useState<unknown>(null);
  const mounted = useMountedRef();
  const latest = React.useRef({ notify, trans, onDone });
  latest.current = { notify, trans, onDone };

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
        latest.current.notify(describeError(reason, latest.current.trans), 'error');
      } finally {
        if (mounted.current) {
          setBusy(null);
        }
      }
    },
    [mounted]
  );

  return { busy, actionError, run };
}
