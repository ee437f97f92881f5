/**
 * What the Deployments, Fine-tuning and Evaluations sections share: the props
 * every one takes (a polled list, one item's detail chosen by `selectedId`),
 * what each passes on to its detail and its list, and the notices of a job
 * that ended while the user looked elsewhere.
 */
import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import type { IAquaClient } from '../api/client';
import type { FineTuneState, TargetProblem } from '../api/types';
import type { Confirm, CopyToClipboard, Notify } from '../shared/callbacks';
import type { IJobChange } from '../shared/jobStates';
import { useLatest } from './hooks/useLatest';
import { usePolledJobList, useRefreshOnRequest, type IPolledList } from './hooks/usePolledList';

export interface IResourceSectionProps {
  client: IAquaClient;
  trans: TranslationBundle;
  /** The section and its panel are shown: poll; otherwise stay quiet. */
  active: boolean;
  /** The item whose detail shows instead of the list. */
  selectedId: string | null;
  onSelect: (id: string | null) => void;
  /** Bump to poll at once (after something new was started). */
  reloadRequest?: number;
  confirm: Confirm;
  notify: Notify;
  copyToClipboard: CopyToClipboard;
  onBrowseModels: () => void;
}

/**
 * Wire a section's props and polled list to its detail and its list (a bumped
 * `reloadRequest` polls at once): `detail` holds the props every detail takes
 * (`summary` is the selected item's row, null until listed), `list` those every
 * list takes but its New button's action, and `closeDeleted` goes back to the
 * list, reloaded, after the detail's item was deleted. Each detail and list
 * declares these props itself (their types check the spread).
 */
export function useResourceSection<T extends { id: string }>(props: IResourceSectionProps, list: IPolledList<T>) {
  const { selectedId, onSelect, trans } = props;
  const { items, refresh } = list;
  useRefreshOnRequest(props.reloadRequest, refresh);
  return {
    detail: {
      client: props.client,
      trans,
      summary: selectedId ? (items?.find(item => item.id === selectedId) ?? null) : null,
      active: props.active,
      confirm: props.confirm,
      notify: props.notify,
      copyToClipboard: props.copyToClipboard,
      onBack: () => onSelect(null),
      onChanged: refresh
    },
    list: {
      items,
      problems: list.problems,
      error: list.error,
      trans,
      onOpen: onSelect,
      onRefresh: refresh,
      onBrowseModels: props.onBrowseModels
    },
    closeDeleted: () => {
      onSelect(null);
      refresh();
    }
  };
}

/** The props of a section of jobs (fine-tuning, evaluations): the delays tests shorten. */
export interface IJobSectionProps extends IResourceSectionProps {
  fastPollMs?: number;
  slowPollMs?: number;
  logIntervalMs?: number;
}

/**
 * A section of jobs: `fetch` polled fast while a job runs (`onFinished` hears
 * those that ended), wired to its detail and its list.
 */
export function useJobSection<T extends { id: string; state: FineTuneState }>(
  props: IJobSectionProps,
  fetch: () => Promise<{ items: T[]; problems?: TargetProblem[] }>,
  onFinished: (changes: IJobChange<T>[]) => void
): ReturnType<typeof useResourceSection<T>> {
  const list = usePolledJobList(fetch, {
    active: props.active,
    onFinished,
    fastMs: props.fastPollMs,
    slowMs: props.slowPollMs
  });
  return useResourceSection(props, list);
}

/**
 * The notices of jobs (fine-tuning, evaluation) that ended between two polls:
 * a failure or a cancel reads alike for every job; a success is each section's
 * own `succeeded` message (what it produced differs), after which
 * `onSucceeded` runs. Both are read when a job ends and may change freely.
 */
export function useJobEndNotices<T extends { name: string; state_message: string; state: FineTuneState }>(
  notify: Notify,
  trans: TranslationBundle,
  succeeded: (job: T) => string,
  onSucceeded?: () => void
): (changes: IJobChange<T>[]) => void {
  const latest = useLatest({ notify, succeeded, onSucceeded });
  return React.useCallback(
    (changes: IJobChange<T>[]) => {
      const { notify, succeeded, onSucceeded } = latest.current;
      for (const { job, to } of changes) {
        if (to === 'SUCCEEDED') {
          notify(succeeded(job), 'success');
          onSucceeded?.();
        } else if (to === 'FAILED') {
          notify(trans.__('“%1” failed: %2', job.name, job.state_message || trans.__('see its log')), 'error');
        } else if (to === 'CANCELED') {
          notify(trans.__('“%1” was canceled.', job.name), 'info');
        }
      }
    },
    [trans, latest]
  );
}
