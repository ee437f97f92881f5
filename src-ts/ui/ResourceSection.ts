/**
 * What the Deployments, Fine-tuning and Evaluations sections share: the props
 * every one takes (a polled list, one item's detail chosen by `selectedId`),
 * and the notices of a job that ended while the user looked elsewhere.
 */
import type { TranslationBundle } from '@jupyterlab/translation';

import type { IAquaClient } from '../api/client';
import type { Confirm, CopyToClipboard, Notify } from '../shared/callbacks';

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
 * Tell the user a job (fine-tuning, evaluation) failed or was canceled; a
 * success is each section's own message (what it produced differs).
 */
export function notifyJobEnded(
  notify: Notify,
  job: { name: string; state_message: string },
  to: string,
  trans: TranslationBundle
): void {
  if (to === 'FAILED') {
    notify(trans.__('“%1” failed: %2', job.name, job.state_message || trans.__('see its log')), 'error');
  } else if (to === 'CANCELED') {
    notify(trans.__('“%1” was canceled.', job.name), 'info');
  }
}
