import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import { ModalDialog } from '../../ui/ModalDialog';
import { TextButton } from '../../ui/TextButton';

/**
 * The import and export dialogs around their body (`children`): a footer of
 * Cancel and the button that sends the dialog's one request
 * (`useDialogRequest`), which says so while it is on its way. Like a create
 * dialog while it sends, neither closes while `busy`.
 */
export function RequestDialog(props: {
  trans: TranslationBundle;
  title: string;
  /** The dialog's own class, after `jp-AquaExt-FormDialog`. */
  className: string;
  busy: boolean;
  onClose: () => void;
  /** The send button: its class (the tests find it by it), its words, and whether it is off besides while busy. */
  send: { className: string; label: string; busyLabel: string; disabled?: boolean; onClick: () => void };
  /** The request did what it was for and the body says so: the footer only closes ("Done"). */
  done?: boolean;
  children: React.ReactNode;
}): JSX.Element {
  const { trans, busy, send } = props;
  return (
    <ModalDialog
      title={props.title}
      className={`jp-AquaExt-FormDialog ${props.className}`}
      trans={trans}
      onClose={() => !busy && props.onClose()}
      closeDisabled={busy}
    >
      <div className="jp-AquaExt-ModalDialog-body">{props.children}</div>
      <div className="jp-AquaExt-ModalDialog-footer">
        {props.done ? (
          <TextButton kind="accept" label={trans.__('Done')} onClick={props.onClose} />
        ) : (
          <>
            <TextButton kind="reject" label={trans.__('Cancel')} disabled={busy} onClick={props.onClose} />
            <TextButton
              kind="accept"
              className={send.className}
              label={send.label}
              busy={busy}
              busyLabel={send.busyLabel}
              disabled={busy || send.disabled}
              onClick={send.onClick}
            />
          </>
        )}
      </div>
    </ModalDialog>
  );
}
