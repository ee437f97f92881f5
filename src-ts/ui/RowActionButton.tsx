import * as React from 'react';

import { Button } from '@jupyterlab/ui-components';
import type { TranslationBundle } from '@jupyterlab/translation';

import { allows } from '../shared/actions';

/**
 * One action of a table row whose buttons are the server's `actions` (a
 * connection's, a cluster's): its label, named for the row it acts on
 * ("Delete: <name>"), `data-action` for styles and tests, red when `warn`.
 */
export function RowActionButton(props: {
  action: string;
  label: string;
  /** The row's name, for the accessible name. */
  subject: string;
  disabled: boolean;
  warn?: boolean;
  onClick: () => void;
}): JSX.Element {
  return (
    <Button
      className={`jp-mod-styled jp-AquaExt-button${props.warn ? ' jp-mod-warn' : ''}`}
      data-action={props.action}
      disabled={props.disabled}
      aria-label={`${props.label}: ${props.subject}`}
      title={props.label}
      onClick={props.onClick}
    >
      {props.label}
    </Button>
  );
}

/** One button a row may have; `false` or `undefined` where the page does not offer it. */
export interface IRowAction<A extends string> {
  action: A;
  label: string;
  onClick: () => void;
  warn?: boolean;
}

/**
 * The last cell of such a row: a button for each of `actions` that the
 * server lists on `item`, in the order given.
 */
export function RowActionsCell<A extends string>(props: {
  item: { readonly name: string; readonly actions: readonly A[] };
  disabled: boolean;
  actions: readonly (IRowAction<A> | false | undefined)[];
}): JSX.Element {
  const { item } = props;
  return (
    <td className="jp-AquaExt-ConnectionTable-actions">
      <div className="jp-AquaExt-ConnectionTable-buttons">
        {props.actions
          .filter((entry): entry is IRowAction<A> => !!entry && allows(item, entry.action))
          .map(entry => (
            <RowActionButton
              key={entry.action}
              action={entry.action}
              label={entry.label}
              subject={item.name}
              disabled={props.disabled}
              warn={entry.warn}
              onClick={entry.onClick}
            />
          ))}
      </div>
    </td>
  );
}

/** The header over `RowActionsCell`: named for screen readers only. */
export function RowActionsHeader(props: { trans: TranslationBundle }): JSX.Element {
  return (
    <th scope="col">
      <span className="jp-AquaExt-visuallyHidden">{props.trans.__('Actions')}</span>
    </th>
  );
}
