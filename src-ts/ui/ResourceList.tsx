import * as React from 'react';

import { addIcon, Button } from '@jupyterlab/ui-components';
import type { TranslationBundle } from '@jupyterlab/translation';

import { shapeLabel } from '../shared/labels';
import { formatDateTime } from '../shared/format';
import { stateMessageText } from '../shared/jobStates';
import type { FineTuneState, TargetProblem } from '../api/types';
import { JobStateBadge } from './JobStateBadge';
import { Loaded } from './Loading';
import { RefreshButton } from './RefreshButton';
import { TargetBadge, TargetProblems } from './Targets';
import { TextButton } from './TextButton';

/** A column between the name and the creation date. */
export interface IResourceListColumn<T> {
  key: string;
  header: string;
  headerClassName?: string;
  className?: string;
  cell: (item: T) => React.ReactNode;
}

/** The words of one kind of list (deployments, fine-tuning jobs). */
export interface IResourceListText {
  count: (n: number) => string;
  reloadTitle: string;
  newLabel: string;
  loadError: string;
  loading: string;
  emptyTitle: string;
  emptyBody: string;
  tableLabel: string;
}

/** What a section passes to its list (the list itself brings words and columns). */
export interface IResourceListSectionProps<T> {
  items: T[] | null;
  /** Targets whose items the list misses, and why (a notice above the rows). */
  problems?: readonly TargetProblem[];
  error: unknown;
  trans: TranslationBundle;
  /** Open one row's detail (by id). */
  onOpen: (id: string) => void;
  onNew: () => void;
  onRefresh: () => void;
  onBrowseModels: () => void;
}

/** What every row of a resource list has: its owner target shows beside its name. */
export interface IListedResource {
  id: string;
  name: string;
  created_at: string;
  target: string;
}

export interface IResourceListProps<T extends IListedResource> extends IResourceListSectionProps<T> {
  text: IResourceListText;
  /**
   * Class names added to the shared ones: the fine-tuning list is laid out by
   * the deployment list's classes and adds its own for what differs.
   */
  classNames: { root?: string; newButton: string; table?: string; row?: string };
  /** The row's data attribute holding its id (`data-deployment-id`, `data-finetune-id`). */
  rowIdAttribute: `data-${string}`;
  /** The model under the name: its name, and a tooltip. */
  model: (item: T) => { name: string; title?: string };
  columns: readonly IResourceListColumn<T>[];
}

/**
 * The state column: the state's badge, and beside it the item's message when
 * `message` says it is worth showing (the badge's tooltip has it always).
 */
export function stateColumn<T extends { state_message: string }>(
  trans: TranslationBundle,
  badge: (item: T) => React.ReactNode,
  message: (item: T) => string | null
): IResourceListColumn<T> {
  return {
    key: 'state',
    header: trans.__('State'),
    cell: item => {
      const text = message(item);
      return (
        <>
          {badge(item)}
          {text && (
            <span className="jp-AquaExt-ResourceList-message" title={item.state_message}>
              {text}
            </span>
          )}
        </>
      );
    }
  };
}

/** A job's state column (fine-tuning jobs, evaluations): the message shows when it says more than the badge. */
export function jobStateColumn<T extends { state: FineTuneState; state_message: string }>(
  trans: TranslationBundle
): IResourceListColumn<T> {
  return stateColumn<T>(
    trans,
    item => <JobStateBadge state={item.state} trans={trans} title={item.state_message || undefined} />,
    item => stateMessageText(item, trans)
  );
}

/** A job's progress column (fine-tuning jobs, evaluations): `bar` draws the item's bar under its accessible name. */
export function progressColumn<T extends { name: string }>(
  trans: TranslationBundle,
  bar: (item: T, label: string) => React.ReactNode
): IResourceListColumn<T> {
  return {
    key: 'progress',
    header: trans.__('Progress'),
    headerClassName: 'jp-AquaExt-FineTuneTable-progressColumn',
    className: 'jp-AquaExt-FineTuneRow-progress',
    cell: item => bar(item, trans.__('Progress of %1', item.name))
  };
}

/** The shape column: "CPU", "GPU" or an OCI shape, "× N" past one replica or node. */
export function shapeColumn<T extends { shape: string; replicas: number }>(
  trans: TranslationBundle
): IResourceListColumn<T> {
  return {
    key: 'shape',
    header: trans.__('Shape'),
    cell: item => (
      <>
        {shapeLabel(item.shape, trans)}
        {item.replicas > 1 ? ` × ${item.replicas}` : ''}
      </>
    )
  };
}

const withClass = (base: string, extra: string | undefined): string => (extra ? `${base} ${extra}` : base);

/**
 * The frame of a list page (deployments, fine-tuning jobs, connections): a
 * toolbar with the count, Refresh, the page's own tools and New; the load
 * error; "Loading…" until the items arrive, the empty state when there are
 * none, and else the table (`children`) in its scroller.
 */
export function ListFrame(props: {
  /** The root's classes. */
  className: string;
  text: Omit<IResourceListText, 'tableLabel'>;
  /** How many items there are; null until they arrive. */
  count: number | null;
  error: unknown;
  trans: TranslationBundle;
  newButtonClassName: string;
  onNew: () => void;
  onRefresh: () => void;
  /** Toolbar buttons between Refresh and New. */
  tools?: React.ReactNode;
  /** Above the rows (or the empty state) once a list arrived, under the load error. */
  notice?: React.ReactNode;
  /** The empty state's buttons. */
  emptyActions?: React.ReactNode;
  /** What opens over the list (its dialogs). */
  dialogs?: React.ReactNode;
  children: React.ReactNode;
}): JSX.Element {
  const { count, error, trans, text } = props;
  return (
    <div className={props.className}>
      <div className="jp-AquaExt-ResourceList-toolbar">
        <span className="jp-AquaExt-ResourceList-count">{count === null ? '' : text.count(count)}</span>
        <span className="jp-AquaExt-toolbarSpacer" />
        <RefreshButton trans={trans} title={text.reloadTitle} onClick={props.onRefresh} />
        {props.tools}
        <Button
          className={`jp-mod-styled jp-mod-accept jp-AquaExt-button ${props.newButtonClassName}`}
          onClick={props.onNew}
        >
          <addIcon.react tag="span" className="jp-AquaExt-buttonIcon" />
          {text.newLabel}
        </Button>
      </div>
      <Loaded
        trans={trans}
        value={count}
        error={error}
        loading={text.loading}
        errorTitle={text.loadError}
        errorClassName="jp-AquaExt-ErrorState-banner"
        onRetry={props.onRefresh}
      >
        {listed => (
          <>
            {props.notice}
            {listed === 0 ? (
              <div className="jp-AquaExt-EmptyState">
                <div className="jp-AquaExt-EmptyState-title">{text.emptyTitle}</div>
                <p>{text.emptyBody}</p>
                {props.emptyActions && <div className="jp-AquaExt-EmptyState-actions">{props.emptyActions}</div>}
              </div>
            ) : (
              <div className="jp-AquaExt-ResourceList-scroll">{props.children}</div>
            )}
          </>
        )}
      </Loaded>
      {props.dialogs}
    </div>
  );
}

/**
 * A polled list of things the user created from a model (deployments,
 * fine-tuning jobs), newest first, in a `ListFrame` whose table row opens the
 * detail. Both sections use it so they behave and look alike; only columns
 * and words differ.
 */
export function ResourceList<T extends IListedResource>(props: IResourceListProps<T>): JSX.Element {
  const { items, error, trans, text, classNames } = props;
  const sorted = React.useMemo(
    () => (items ? [...items].sort((a, b) => b.created_at.localeCompare(a.created_at)) : null),
    [items]
  );
  return (
    <ListFrame
      className={withClass('jp-AquaExt-ResourceList', classNames.root)}
      text={text}
      count={sorted === null ? null : sorted.length}
      error={error}
      trans={trans}
      newButtonClassName={classNames.newButton}
      onNew={props.onNew}
      onRefresh={props.onRefresh}
      notice={<TargetProblems problems={props.problems} trans={trans} />}
      emptyActions={
        <>
          <TextButton kind="accept" label={text.newLabel} onClick={props.onNew} />
          <TextButton label={trans.__('Browse models')} onClick={props.onBrowseModels} />
        </>
      }
    >
      <table className={withClass('jp-AquaExt-ResourceList-table', classNames.table)} aria-label={text.tableLabel}>
        <thead>
          <tr>
            <th scope="col">{trans.__('Name')}</th>
            {props.columns.map(column => (
              <th key={column.key} scope="col" className={column.headerClassName}>
                {column.header}
              </th>
            ))}
            <th scope="col">{trans.__('Created')}</th>
          </tr>
        </thead>
        <tbody>
          {(sorted ?? []).map(item => {
            const model = props.model(item);
            return (
              <tr
                key={item.id}
                className={withClass('jp-AquaExt-ResourceList-row', classNames.row)}
                {...{ [props.rowIdAttribute]: item.id }}
                onClick={() => props.onOpen(item.id)}
              >
                <td className="jp-AquaExt-ResourceList-name">
                  <button
                    type="button"
                    className="jp-AquaExt-linkButton"
                    onClick={event => {
                      event.stopPropagation();
                      props.onOpen(item.id);
                    }}
                  >
                    {item.name}
                  </button>
                  <TargetBadge target={item.target} />
                  <span className="jp-AquaExt-ResourceList-model" title={model.title}>
                    {model.name}
                  </span>
                </td>
                {props.columns.map(column => (
                  <td key={column.key} className={column.className}>
                    {column.cell(item)}
                  </td>
                ))}
                <td className="jp-AquaExt-ResourceList-created">
                  <time dateTime={item.created_at} title={new Date(item.created_at).toLocaleString()}>
                    {formatDateTime(item.created_at)}
                  </time>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </ListFrame>
  );
}
