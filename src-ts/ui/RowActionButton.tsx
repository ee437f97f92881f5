import * as React from 'react';

import { Button } from '@jupyterlab/ui-components';

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
