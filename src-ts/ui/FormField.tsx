import * as React from 'react';

export interface IFormFieldProps {
  /** The input's id (the label points at it; hint and error ids derive from it). */
  id: string;
  label: string;
  /** The request field it maps to (for locating server errors in tests and styles). */
  field?: string;
  hint?: React.ReactNode;
  error?: string;
  className?: string;
  /** Renders the input with the accessibility attributes it needs. */
  children: (input: { id: string; 'aria-invalid'?: true; 'aria-describedby'?: string }) => React.ReactNode;
}

/** An input's error message (nothing without one); `id` lets the input point at it. */
export function FieldError(props: { id?: string; children?: React.ReactNode }): JSX.Element | null {
  return props.children ? (
    <div id={props.id} className="jp-AquaExt-fieldError" role="alert">
      {props.children}
    </div>
  ) : null;
}

/** A labelled input with its hint and its error message right under it. */
export function FormField(props: IFormFieldProps): JSX.Element {
  const { id, error, hint } = props;
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  const classes = ['jp-AquaExt-formField'];
  if (error) {
    classes.push('jp-mod-error');
  }
  if (props.className) {
    classes.push(props.className);
  }
  return (
    <div className={classes.join(' ')} data-field={props.field}>
      <label htmlFor={id} className="jp-AquaExt-formField-label">
        {props.label}
      </label>
      {props.children({
        id,
        'aria-invalid': error ? true : undefined,
        'aria-describedby': describedBy || undefined
      })}
      {hint && (
        <div id={`${id}-hint`} className="jp-AquaExt-formField-hint">
          {hint}
        </div>
      )}
      <FieldError id={`${id}-error`}>{error}</FieldError>
    </div>
  );
}

export interface ITextFieldProps extends Omit<IFormFieldProps, 'children'> {
  value: string;
  onChange: (value: string) => void;
  disabled?: boolean;
  placeholder?: string;
  maxLength?: number;
  /** `number` for whole numbers with arrows; decimals stay `text` with a decimal keyboard. */
  type?: 'text' | 'number';
  inputMode?: 'numeric' | 'decimal';
  min?: number;
  max?: number;
  step?: number | 'any';
  /** A narrow input (numbers). */
  narrow?: boolean;
  inputRef?: React.Ref<HTMLInputElement>;
  /** Put the input inside something (a unit after it, for example). */
  wrap?: (input: JSX.Element) => React.ReactNode;
}

/** A labelled one-line input: text, or a number typed as text. */
export function TextField(props: ITextFieldProps): JSX.Element {
  const { value, onChange, disabled, placeholder, maxLength, type, inputMode, min, max, step, narrow, inputRef, wrap } =
    props;
  return (
    <FormField id={props.id} label={props.label} field={props.field} hint={props.hint} error={props.error}>
      {attributes => {
        const input = (
          <input
            {...attributes}
            ref={inputRef}
            type={type ?? 'text'}
            inputMode={inputMode}
            min={min}
            max={max}
            step={step}
            className={
              narrow ? 'jp-mod-styled jp-AquaExt-input jp-AquaExt-narrowInput' : 'jp-mod-styled jp-AquaExt-input'
            }
            placeholder={placeholder}
            maxLength={maxLength}
            value={value}
            disabled={disabled}
            autoComplete="off"
            spellCheck={false}
            onChange={event => onChange(event.target.value)}
          />
        );
        return wrap ? wrap(input) : input;
      }}
    </FormField>
  );
}

export interface ITextAreaFieldProps extends Omit<IFormFieldProps, 'children'> {
  value: string;
  onChange: (value: string) => void;
  rows: number;
  disabled?: boolean;
  placeholder?: string;
  maxLength?: number;
  /** Code or markup (JSON, YAML): in the code font. */
  code?: boolean;
  /** False for what is not prose (names, code). */
  spellCheck?: boolean;
}

/** A labelled input of a few lines of free text (`field` names the request field it feeds). */
export function TextAreaField(props: ITextAreaFieldProps): JSX.Element {
  const { value, onChange, rows, disabled, placeholder, maxLength, code, spellCheck, ...field } = props;
  return (
    <FormField {...field}>
      {attributes => (
        <textarea
          {...attributes}
          className={
            code
              ? 'jp-mod-styled jp-AquaExt-input jp-AquaExt-textarea jp-AquaExt-code'
              : 'jp-mod-styled jp-AquaExt-input jp-AquaExt-textarea'
          }
          rows={rows}
          value={value}
          maxLength={maxLength}
          disabled={disabled}
          placeholder={placeholder}
          spellCheck={spellCheck}
          onChange={event => onChange(event.target.value)}
        />
      )}
    </FormField>
  );
}

export interface ISelectFieldProps extends Omit<IFormFieldProps, 'children'> {
  value: string;
  onChange: (value: string) => void;
  disabled?: boolean;
  /** A narrow select (a data type). */
  narrow?: boolean;
  /** Added to the select's classes. */
  selectClassName?: string;
  /** A dialog focuses it first when it is the first input. */
  selectRef?: React.Ref<HTMLSelectElement>;
  /** The options. */
  children: React.ReactNode;
}

/** A labelled select of `children` options. */
export function SelectField(props: ISelectFieldProps): JSX.Element {
  const { value, onChange, disabled, narrow, selectClassName, selectRef, children, ...field } = props;
  const classes = ['jp-mod-styled jp-AquaExt-input jp-AquaExt-select'];
  if (narrow) {
    classes.push('jp-AquaExt-narrowInput');
  }
  if (selectClassName) {
    classes.push(selectClassName);
  }
  return (
    <FormField {...field}>
      {attributes => (
        <select
          {...attributes}
          ref={selectRef}
          className={classes.join(' ')}
          value={value}
          disabled={disabled}
          onChange={event => onChange(event.target.value)}
        >
          {children}
        </select>
      )}
    </FormField>
  );
}

/**
 * A select's options for `values`, each its own label, and `current` too
 * when the list lacks it (a value typed before, or no longer listed).
 */
export function ValueOptions(props: { values: readonly string[]; current?: string }): JSX.Element {
  const values = [...new Set([...props.values, ...(props.current ? [props.current] : [])])];
  return (
    <>
      {values.map(value => (
        <option key={value} value={value}>
          {value}
        </option>
      ))}
    </>
  );
}
