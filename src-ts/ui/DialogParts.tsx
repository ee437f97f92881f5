/**
 * Form pieces the deploy, fine-tune and evaluation dialogs share word for
 * word: the optional description, the collapsed "Advanced options" and the footer.
 */
import * as React from 'react';

import { Button } from '@jupyterlab/ui-components';
import type { TranslationBundle } from '@jupyterlab/translation';

import { FormField } from './FormField';

/** The optional description (`field="description"`), two rows high. */
export function DescriptionField(props: {
  id: string;
  trans: TranslationBundle;
  value: string;
  maxLength: number;
  disabled: boolean;
  error?: string;
  onChange: (value: string) => void;
}): JSX.Element {
  const { trans } = props;
  return (
    <FormField id={props.id} field="description" label={trans.__('Description (optional)')} error={props.error}>
      {input => (
        <textarea
          {...input}
          className="jp-mod-styled jp-AquaExt-input jp-AquaExt-textarea"
          rows={2}
          value={props.value}
          maxLength={props.maxLength}
          disabled={props.disabled}
          onChange={event => props.onChange(event.target.value)}
        />
      )}
    </FormField>
  );
}

/**
 * "Advanced options", collapsed unless `open`: the dialog opens it itself
 * when one of the fields inside has an error, so the state is the dialog's.
 */
export function AdvancedOptions(props: {
  trans: TranslationBundle;
  open: boolean;
  onToggle: (open: boolean) => void;
  children: React.ReactNode;
}): JSX.Element {
  return (
    <details
      className="jp-AquaExt-AdvancedOptions"
      open={props.open}
      onToggle={event => props.onToggle((event.currentTarget as HTMLDetailsElement).open)}
    >
      <summary>{props.trans.__('Advanced options')}</summary>
      <div className="jp-AquaExt-AdvancedOptions-body">{props.children}</div>
    </details>
  );
}

/**
 * The footer of a create dialog: why it cannot be sent yet (`children`, on
 * the left), Cancel, and the submit button that says so while sending.
 */
export function DialogFooter(props: {
  trans: TranslationBundle;
  submitting: boolean;
  onCancel: () => void;
  /** Added to the accept button's classes (the tests find it by them). */
  submitClassName: string;
  submitDisabled: boolean;
  submitLabel: string;
  submittingLabel: string;
  children?: React.ReactNode;
}): JSX.Element {
  return (
    <div className="jp-AquaExt-ModalDialog-footer">
      {props.children}
      <Button
        className="jp-mod-styled jp-mod-reject jp-AquaExt-button"
        type="button"
        onClick={props.onCancel}
        disabled={props.submitting}
      >
        {props.trans.__('Cancel')}
      </Button>
      <Button
        className={`jp-mod-styled jp-mod-accept jp-AquaExt-button ${props.submitClassName}`}
        type="submit"
        disabled={props.submitDisabled}
      >
        {props.submitting ? props.submittingLabel : props.submitLabel}
      </Button>
    </div>
  );
}

/** Under the footer's buttons while the dataset check found errors: nothing is sent. */
export function DatasetBlockedNotice(props: { trans: TranslationBundle; blocked: boolean }): JSX.Element | null {
  return props.blocked ? (
    <span className="jp-AquaExt-DatasetBlockedNotice" role="status">
      {props.trans.__('Fix the dataset first.')}
    </span>
  ) : null;
}
