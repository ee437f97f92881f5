import * as React from 'react';

import { addIcon, Button, closeIcon } from '@jupyterlab/ui-components';
import type { TranslationBundle } from '@jupyterlab/translation';

import { LIMITS, newParamRow, type DeployErrors, type IDeployForm } from './deployForm';
import { FieldError } from '../../ui/FormField';

/** The engine parameters as editable `--name value` rows. */
export function ParamRows(props: {
  form: IDeployForm;
  errors: DeployErrors;
  busy: boolean;
  trans: TranslationBundle;
  idPrefix: string;
  onChange: (patch: Partial<IDeployForm>) => void;
}): JSX.Element {
  const { form, errors, trans, idPrefix } = props;
  const setRow = (key: number, patch: { name?: string; value?: string }): void =>
    props.onChange({ params: form.params.map(row => (row.key === key ? { ...row, ...patch } : row)) });
  return (
    <fieldset
      className={
        errors.params
          ? 'jp-AquaExt-fieldset jp-AquaExt-ParamRows jp-mod-error'
          : 'jp-AquaExt-fieldset jp-AquaExt-ParamRows'
      }
      data-field="params"
      aria-describedby={errors.params ? `${idPrefix}-error` : `${idPrefix}-hint`}
    >
      <legend className="jp-AquaExt-formField-label">{trans.__('Engine parameters')}</legend>
      {form.params.map((row, index) => (
        <div className="jp-AquaExt-ParamRows-row" key={row.key}>
          <ParamInput
            className="jp-AquaExt-ParamRows-name"
            label={trans.__('Parameter %1 name', index + 1)}
            placeholder="--name"
            value={row.name}
            disabled={props.busy}
            onChange={name => setRow(row.key, { name })}
          />
          <ParamInput
            className="jp-AquaExt-ParamRows-value"
            label={trans.__('Parameter %1 value', index + 1)}
            placeholder={trans.__('value (empty for a flag)')}
            value={row.value}
            disabled={props.busy}
            onChange={value => setRow(row.key, { value })}
          />
          <Button
            className="jp-AquaExt-button jp-AquaExt-iconButton"
            minimal
            type="button"
            aria-label={trans.__('Remove parameter %1', index + 1)}
            title={trans.__('Remove')}
            disabled={props.busy}
            onClick={() => props.onChange({ params: form.params.filter(item => item.key !== row.key) })}
          >
            <closeIcon.react tag="span" className="jp-AquaExt-buttonIcon" />
          </Button>
        </div>
      ))}
      <div>
        <Button
          className="jp-mod-styled jp-AquaExt-button"
          type="button"
          disabled={props.busy || form.params.length >= LIMITS.params / 2}
          onClick={() => props.onChange({ params: [...form.params, newParamRow()] })}
        >
          <addIcon.react tag="span" className="jp-AquaExt-buttonIcon" />
          {trans.__('Add parameter')}
        </Button>
      </div>
      <div id={`${idPrefix}-hint`} className="jp-AquaExt-formField-hint">
        {trans.__(
          'Passed to the engine’s command line, checked against its allowed options (for example --dtype bfloat16).'
        )}
      </div>
      <FieldError id={`${idPrefix}-error`}>{errors.params}</FieldError>
    </fieldset>
  );
}

/** One half of a row: the option's name or its value, as typed. */
function ParamInput(props: {
  className: string;
  label: string;
  placeholder: string;
  value: string;
  disabled: boolean;
  onChange: (value: string) => void;
}): JSX.Element {
  return (
    <input
      type="text"
      className={`jp-mod-styled jp-AquaExt-input ${props.className}`}
      aria-label={props.label}
      placeholder={props.placeholder}
      value={props.value}
      disabled={props.disabled}
      autoComplete="off"
      spellCheck={false}
      onChange={event => props.onChange(event.target.value)}
    />
  );
}
