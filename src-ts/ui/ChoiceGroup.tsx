import * as React from 'react';

import { FieldError } from './FormField';

/** One radio button of a ChoiceGroup. */
export interface IChoiceGroupOption<T extends string = string> {
  value: T;
  label: string;
  /** Greyed out and not selectable (a `reason` should say why). */
  disabled?: boolean;
  /** Why it is disabled: shown under the label and as its tooltip. */
  reason?: string | null;
  /** A line of explanation under the label (no tooltip); a `reason` takes its place. */
  description?: string;
}

export interface IChoiceGroupProps<T extends string = string> {
  /** The radios' name, and the prefix of the error's id. */
  id: string;
  /** The request field it feeds (`data-field`, where server errors are placed). */
  field: string;
  legend: string;
  choices: readonly IChoiceGroupOption<T>[];
  value: string;
  /** Disables every choice (while the form is being submitted). */
  disabled: boolean;
  error?: string;
  onChange: (value: T) => void;
}

/**
 * Radio buttons for a few exclusive choices, each with an optional line under
 * its label. Shared by the deploy and fine-tune dialogs (engine, mode, shape,
 * training type), so both look and read the same.
 */
export function ChoiceGroup<T extends string = string>(props: IChoiceGroupProps<T>): JSX.Element {
  const { id, error } = props;
  return (
    <fieldset
      className={
        error ? 'jp-AquaExt-fieldset jp-AquaExt-ChoiceGroup jp-mod-error' : 'jp-AquaExt-fieldset jp-AquaExt-ChoiceGroup'
      }
      data-field={props.field}
      aria-describedby={error ? `${id}-error` : undefined}
    >
      <legend className="jp-AquaExt-formField-label">{props.legend}</legend>
      <div className="jp-AquaExt-ChoiceGroup-options">
        {props.choices.map(choice => {
          const note = choice.reason || choice.description;
          return (
            <label
              key={choice.value}
              className={choice.disabled ? 'jp-AquaExt-choice jp-mod-disabled' : 'jp-AquaExt-choice'}
              title={choice.reason ?? undefined}
            >
              <input
                type="radio"
                name={id}
                value={choice.value}
                checked={props.value === choice.value}
                disabled={props.disabled || choice.disabled}
                onChange={() => props.onChange(choice.value)}
              />
              <span className="jp-AquaExt-choice-text">
                <span className="jp-AquaExt-choice-label">{choice.label}</span>
                {note && <span className="jp-AquaExt-choice-reason">{note}</span>}
              </span>
            </label>
          );
        })}
      </div>
      <FieldError id={`${id}-error`}>{error}</FieldError>
    </fieldset>
  );
}
