import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import type { Confirm, Notify } from '../../shared/callbacks';
import { type IConfirmedAction, useBusyAction } from './useBusyAction';
import { useFetched } from './useFetched';
import { useMountedRef } from './useMountedRef';

/** What a job's detail and its list row have in common (fine-tuning jobs, evaluations). */
interface IJobLike {
  id: string;
  name: string;
  state: string;
}

/** The page's props (see `IDetailPageProps`) with what the hook needs to load the job. */
export interface IJobDetailOptions<D extends S, S extends IJobLike> {
  id: string;
  /** The list's row: its progress shows at once; a new state reloads the detail. */
  summary: S | null;
  /** Loads the detail (keep it memoized on the client and id). */
  load: () => Promise<D>;
  withLiveFields: (detail: D, summary: S | null) => D;
  isFinal: (state: S['state']) => boolean;
  confirm: Confirm;
  notify: Notify;
  trans: TranslationBundle;
  /** Something changed server-side: reload the list now. */
  onChanged: () => void;
  onDeleted: (id: string) => void;
}

/**
 * The state and actions a job's detail page (fine-tuning, evaluation) shares:
 * the detail loaded again on each new state of the list's row and on retry,
 * with the row's newer progress laid over it; Cancel and Delete, each asked
 * first and run one at a time (see `useBusyAction`).
 */
export function useJobDetail<D extends S, S extends IJobLike>(options: IJobDetailOptions<D, S>) {
  const { id, summary, trans } = options;
  const [attempt, setAttempt] = React.useState(0);
  const mounted = useMountedRef();
  const latest = React.useRef(options);
  latest.current = options;
  const onChanged = React.useCallback(() => latest.current.onChanged(), []);
  const { busy, actionError, runConfirmed } = useBusyAction<'cancel' | 'delete'>(options.notify, trans, onChanged);

  // Reload on a new state (final results, the failure log) and on retry;
  // the progress in between comes from the list's row.
  const stateKey = summary?.state ?? '';
  const { value: detail, error, setValue: setDetail } = useFetched<D>(options.load, `${stateKey}|${attempt}`);

  const job = detail ? options.withLiveFields(detail, summary) : null;
  const state: S['state'] | null = job?.state ?? summary?.state ?? null;
  const final = state !== null && options.isFinal(state);
  const name = job?.name ?? summary?.name ?? id;
  const retry = React.useCallback(() => setAttempt(n => n + 1), []);

  /** Cancel: the detail takes the server's answer, and the user hears it is canceling. */
  const cancel = (request: IConfirmedAction<D>): Promise<void> =>
    runConfirmed('cancel', latest.current.confirm, {
      ...request,
      action: async () => {
        const updated = await request.action();
        if (mounted.current) {
          setDetail(updated);
        }
        latest.current.notify(trans.__('Canceling “%1”…', updated.name), 'info');
      }
    });

  /** Delete: once done, `deleted` is notified and the page is left through `onDeleted`. */
  const remove = (request: IConfirmedAction & { deleted: string }): Promise<void> =>
    runConfirmed('delete', latest.current.confirm, {
      ...request,
      action: async () => {
        await request.action();
        latest.current.notify(request.deleted, 'success');
        latest.current.onDeleted(id);
      }
    });

  return { detail, job, error, state, final, name, attempt, retry, busy, actionError, cancel, remove, onChanged };
}
