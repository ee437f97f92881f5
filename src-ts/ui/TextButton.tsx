import * as React from 'react';

import { Button } from '@jupyterlab/ui-components';

/**
 * A labelled button styled like the rest of the extension: `accept` for the
 * action the dialog or page is for, `reject` for the way out (Cancel, Close)
 * beside it, none for the others. While `busy` it says `busyLabel` (what it is
 * doing) instead of its label.
 */
export function TextButton(props: {
  label: React.ReactNode;
  kind?: 'accept' | 'reject';
  /** Added after the shared classes (styles and tests find the button by it). */
  className?: string;
  /** `submit` sends the form it is in; the default does nothing but `onClick`. */
  type?: 'button' | 'submit';
  disabled?: boolean;
  title?: string;
  busy?: boolean;
  busyLabel?: React.ReactNode;
  onClick?: () => void;
}): JSX.Element {
  const classes = ['jp-mod-styled', props.kind && `jp-mod-${props.kind}`, 'jp-AquaExt-button', props.className];
  return (
    <Button
      className={classes.filter(Boolean).join(' ')}
      type={props.type ?? 'button'}
      disabled={props.disabled}
      title={props.title}
      onClick={props.onClick}
    >
      {props.busy ? props.busyLabel : props.label}
    </Button>
  );
}
