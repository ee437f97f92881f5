/**
 * Form pieces the deploy and fine-tune dialogs share word for word: the
 * optional description and the collapsed "Advanced options".
 */
import * as React from 'react';

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
      className="jp-AquaExt-DeployDialog-advanced"
      open={props.open}
      onToggle={event => props.onToggle((event.currentTarget as HTMLDetailsElement).open)}
    >
      <summary>{props.trans.__('Advanced options')}</summary>
      <div className="jp-AquaExt-DeployDialog-advancedBody">{props.children}</div>
    </details>
  );
}
