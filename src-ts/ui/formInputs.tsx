/**
 * Text inputs bound to a create dialog's form: each shows the form's value
 * for its key and the error of the request field that key feeds, and edits
 * go back through the form's update (which clears that error).
 */
import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import { TextField } from './FormField';

export interface IFormBinding<F, Field extends string> {
  form: F;
  errors: Partial<Record<Field, string>>;
  /** The form is being sent: every input is disabled. */
  busy: boolean;
  update: (patch: Partial<F>) => void;
  /** The element id of an input, from its request field. */
  id: (name: string) => string;
  /** The request field each form key feeds. */
  fields: Partial<Record<keyof F, Field>>;
}

/**
 * The binding of a form kept in `React.useState`: an edit merges its patch
 * (then `settle` may derive more from the result, e.g. a suggested name) and
 * clears the errors of the request fields its keys feed.
 */
export function formBinding<F, Field extends string>(options: {
  form: F;
  setForm: React.Dispatch<React.SetStateAction<F>>;
  submit: {
    errors: Partial<Record<Field, string>>;
    submitting: boolean;
    clearErrors: (fields: readonly Field[]) => void;
  };
  id: (name: string) => string;
  /** The request field each key feeds; a key without one clears no error. */
  fields: Partial<Record<keyof F, Field>>;
  settle?: (next: F) => F;
}): IFormBinding<F, Field> {
  const { submit, fields, settle } = options;
  return {
    form: options.form,
    errors: submit.errors,
    busy: submit.submitting,
    id: options.id,
    fields,
    update: patch => {
      options.setForm(previous => {
        const next = { ...previous, ...patch };
        return settle ? settle(next) : next;
      });
      submit.clearErrors((Object.keys(patch) as (keyof F)[]).flatMap(key => fields[key] ?? []));
    }
  };
}

/**
 * The attributes of the input for one form key (whose value is a string); a
 * key that feeds no request field (a choice between parts of the form) is
 * named by itself and has no error.
 */
export function bindInput<F, Field extends string>(binding: IFormBinding<F, Field>, key: keyof F & string) {
  const field = (binding.fields[key] ?? key) as Field;
  return {
    id: binding.id(field),
    field,
    error: binding.errors[field],
    value: binding.form[key] as unknown as string,
    disabled: binding.busy,
    onChange: (value: string) => binding.update({ [key]: value } as unknown as Partial<F>)
  };
}

/**
 * A labelled checkbox bound to one boolean form key; `data-field` names the
 * request field it feeds (a refusal of that field is placed by it).
 */
export function BoundCheckbox<F, Field extends string>(props: {
  binding: IFormBinding<F, Field>;
  name: keyof F & string;
  label: string;
}): JSX.Element {
  const { binding, name } = props;
  return (
    <label className="jp-AquaExt-checkbox" data-field={binding.fields[name] ?? name}>
      <input
        type="checkbox"
        checked={binding.form[name] as unknown as boolean}
        disabled={binding.busy}
        onChange={event => binding.update({ [name]: event.target.checked } as unknown as Partial<F>)}
      />
      {props.label}
    </label>
  );
}

/** The attributes of a narrow number input for a whole number from `min` to `max`. */
export function wholeNumberInput(min: number, max: number) {
  return { type: 'number', min, max, step: 1, narrow: true } as const;
}

export interface ITextOptions {
  hint?: React.ReactNode;
  placeholder?: string;
  maxLength?: number;
  /** A whole number typed as text: a narrow input with a numeric keyboard. */
  numeric?: boolean;
}

/** A labelled text input bound to one form key. */
export function boundTextField<F, Field extends string>(
  binding: IFormBinding<F, Field>
): (key: keyof F & string, label: string, options?: ITextOptions) => JSX.Element {
  return (key, label, options = {}) => (
    <TextField
      {...bindInput(binding, key)}
      label={label}
      hint={options.hint}
      inputMode={options.numeric ? 'numeric' : undefined}
      narrow={options.numeric}
      placeholder={options.placeholder}
      maxLength={options.maxLength}
    />
  );
}

/**
 * The OCI job's settings of a job form (fine-tune, evaluation), under
 * `legend`: the form's own ones (`children`), then the log group and log
 * that the job run's output goes to.
 */
export function OciJobFieldset(props: {
  trans: TranslationBundle;
  legend: string;
  textField: (key: 'logGroupId' | 'logId', label: string, options?: ITextOptions) => JSX.Element;
  /** The longest OCID the contract accepts. */
  ociIdMaxLength: number;
  children: React.ReactNode;
}): JSX.Element {
  const { trans, textField } = props;
  return (
    <fieldset className="jp-AquaExt-fieldset" data-field="networking">
      <legend className="jp-AquaExt-formField-label">{props.legend}</legend>
      {props.children}
      {textField('logGroupId', trans.__('Log group OCID'), {
        placeholder: 'ocid1.loggroup.oc1…',
        maxLength: props.ociIdMaxLength
      })}
      {textField('logId', trans.__('Log OCID'), {
        placeholder: 'ocid1.log.oc1…',
        maxLength: props.ociIdMaxLength,
        hint: trans.__('The job run’s output goes to this log.')
      })}
    </fieldset>
  );
}
