import * as React from 'react';

import { FormField } from './FormField';

/**
 * A labelled password input (a connection's key, a Hugging Face token): never
 * autofilled, never spell-checked, never in the page's HTML.
 */
export function PasswordField(props: {
  id: string;
  /** The request field it feeds (`data-field`, where the server's error about it lands). */
  field: string;
  label: string;
  value: string;
  error?: string;
  hint?: string;
  disabled: boolean;
  onChange: (value: string) => void;
}): JSX.Element {
  const ref = React.useRef<HTMLInputElement>(null);
  // Not a controlled input: React mirrors a controlled input's value into its `value` attribute, so the
  // key typed would be in the page's HTML (whatever serializes the DOM) while the dialog is open. The
  // input's value property follows the form's instead (a property is never in the HTML).
  React.useLayoutEffect(() => {
    if (ref.current && ref.current.value !== props.value) {
      ref.current.value = props.value;
    }
  }, [props.value]);
  return (
    <FormField id={props.id} field={props.field} label={props.label} error={props.error} hint={props.hint}>
      {input => (
        <input
          {...input}
          ref={ref}
          type="password"
          className="jp-mod-styled jp-AquaExt-input"
          disabled={props.disabled}
          autoComplete="new-password"
          spellCheck={false}
          onChange={event => props.onChange(event.target.value)}
        />
      )}
    </FormField>
  );
}
