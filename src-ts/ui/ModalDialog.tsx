import * as React from 'react';

import { Button, closeIcon } from '@jupyterlab/ui-components';
import type { TranslationBundle } from '@jupyterlab/translation';

export interface IModalDialogProps {
  /** The heading; also the dialog's accessible name unless `label` is given. */
  title: string;
  label?: string;
  trans: TranslationBundle;
  /** Extra class of the dialog box (its width and layout). */
  className?: string;
  /** Asked to close by Escape, the × button or a click on the backdrop. */
  onClose: () => void;
  /** Disables the × button (e.g. while a request is in flight). */
  closeDisabled?: boolean;
  children: React.ReactNode;
}

/**
 * A dialog over the panel (not the whole page, so other tabs stay usable):
 * backdrop, box, heading and close button. The content brings its own body
 * and footer.
 */
export function ModalDialog(props: IModalDialogProps): JSX.Element {
  const { trans } = props;
  return (
    <div
      className="jp-AquaExt-overlay"
      onMouseDown={event => {
        if (event.target === event.currentTarget) {
          props.onClose();
        }
      }}
    >
      <div
        className={['jp-AquaExt-ModalDialog', props.className ?? ''].join(' ').trim()}
        role="dialog"
        aria-modal="true"
        aria-label={props.label ?? props.title}
        onKeyDown={event => {
          if (event.key === 'Escape') {
            event.stopPropagation();
            props.onClose();
          }
        }}
      >
        <div className="jp-AquaExt-ModalDialog-header">
          <h2 className="jp-AquaExt-ModalDialog-title">{props.title}</h2>
          <Button
            className="jp-AquaExt-button jp-AquaExt-iconButton"
            minimal
            type="button"
            aria-label={trans.__('Close dialog')}
            title={trans.__('Close dialog')}
            onClick={props.onClose}
            disabled={props.closeDisabled}
          >
            <closeIcon.react tag="span" className="jp-AquaExt-buttonIcon" />
          </Button>
        </div>
        {props.children}
      </div>
    </div>
  );
}
