/**
 * The page every resource detail (deployment, fine-tuning job, evaluation) is
 * laid out in: the top bar with the way back, the page's actions and Delete,
 * the action error, the loading state until the detail arrives, then the
 * heading and the page's own content.
 */
import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import type { IAquaClient } from '../api/client';
import type { Confirm, CopyToClipboard, Notify } from '../shared/callbacks';

import { ErrorState } from './ErrorState';
import { DeleteButton, DetailHeader, DetailLoadState, DetailTopbar } from './ResourceDetail';

/** What a section gives every detail page (each page adds its resource's id and its own links). */
export interface IDetailPageProps<S> {
  client: IAquaClient;
  trans: TranslationBundle;
  /** The list's row: a new state (deployments: or `updated_at`) reloads the detail. */
  summary: S | null;
  /** False while the panel or section is hidden: the log (and the curves) pause. */
  active: boolean;
  confirm: Confirm;
  notify: Notify;
  copyToClipboard: CopyToClipboard;
  onBack: () => void;
  /** Something changed server-side: reload the list now. */
  onChanged: () => void;
  onDeleted: (id: string) => void;
}

export function DetailFrame<D extends { name: string; description?: string | null }>(props: {
  trans: TranslationBundle;
  /** The page's own class, after the shared `jp-AquaExt-ResourceDetail`. */
  className: string;
  /** The page's own class for the content, after the shared one (none: only the shared one). */
  contentClassName?: string;
  /** `data-…` attributes of the page (tests and styles find it by them). */
  dataAttributes?: Record<`data-${string}`, string>;
  backLabel: string;
  onBack: () => void;
  /** The topbar's actions before Delete. */
  actions?: React.ReactNode;
  /** Delete, when the server allows it. */
  onDelete: (() => void) | null;
  /** The action running now, if any ('delete' for Delete). */
  busy: string | null;
  actionError: unknown;
  detail: D | null;
  /** Why the detail could not be loaded (null: still loading). */
  error: unknown;
  loading: string;
  errorTitle: string;
  onRetry: () => void;
  badge: (detail: D) => React.ReactNode;
  children: (detail: D) => React.ReactNode;
}): JSX.Element {
  const { trans, detail, busy } = props;
  const contentClass = props.contentClassName
    ? `jp-AquaExt-ResourceDetail-content ${props.contentClassName}`
    : 'jp-AquaExt-ResourceDetail-content';
  return (
    <div className={`jp-AquaExt-ResourceDetail ${props.className}`} {...props.dataAttributes}>
      <DetailTopbar backLabel={props.backLabel} onBack={props.onBack}>
        {props.actions}
        {props.onDelete && (
          <DeleteButton trans={trans} disabled={busy !== null} deleting={busy === 'delete'} onClick={props.onDelete} />
        )}
      </DetailTopbar>
      {props.actionError !== null && (
        <ErrorState error={props.actionError} trans={trans} className="jp-AquaExt-ErrorState-banner" />
      )}
      {detail === null ? (
        <DetailLoadState
          trans={trans}
          error={props.error}
          loading={props.loading}
          errorTitle={props.errorTitle}
          onRetry={props.onRetry}
        />
      ) : (
        <div className={contentClass}>
          <DetailHeader name={detail.name} badge={props.badge(detail)} description={detail.description} />
          {props.children(detail)}
        </div>
      )}
    </div>
  );
}

/** A titled part of a detail page; `label` names it for assistive technology (default: the title). */
export function DetailSection(props: {
  className: string;
  title: string;
  label?: string;
  children: React.ReactNode;
}): JSX.Element {
  return (
    <section className={props.className} aria-label={props.label ?? props.title}>
      <h3 className="jp-AquaExt-sectionTitle">{props.title}</h3>
      {props.children}
    </section>
  );
}
