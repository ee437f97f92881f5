/**
 * Parts of the fine-tune form: its text and number inputs bound to the form,
 * the shape picker, and the advanced options.
 */
import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import type { TrainingFit } from '../../api/types';
import { shapeLabel } from '../../shared/labels';
import { ChoiceGroup } from '../../ui/ChoiceGroup';
import { FieldError, SelectField, TextField } from '../../ui/FormField';
import { availabilityText } from '../../ui/MemoryFit';
import {
  bindInput,
  BoundCheckbox,
  boundTextField,
  OciJobFieldset,
  type IFormBinding,
  type ITextOptions
} from '../../ui/formInputs';
import {
  FORM_FIELDS,
  LIMITS,
  type FineTuneErrors,
  type FineTuneField,
  type FormKey,
  type IFineTuneForm
} from './finetuneForm';

interface INumberOptions {
  hint?: React.ReactNode;
  min?: number;
  max?: number;
  step?: number | 'any';
  decimal?: boolean;
  suffix?: string;
}

export interface IFineTuneInputs {
  /** The form the inputs are bound to. */
  binding: IFormBinding<IFineTuneForm, FineTuneField>;
  /** A whole-number or decimal input bound to one form key. */
  numberField: (key: FormKey, label: string, options?: INumberOptions) => JSX.Element;
  /** A text input bound to one form key. */
  textField: (key: FormKey, label: string, options?: ITextOptions) => JSX.Element;
}

/** The inputs of the fine-tune form, bound to its values, errors and updates. */
export function fineTuneInputs(binding: {
  form: IFineTuneForm;
  errors: FineTuneErrors;
  busy: boolean;
  update: (patch: Partial<IFineTuneForm>) => void;
  id: (name: string) => string;
}): IFineTuneInputs {
  const bound: IFormBinding<IFineTuneForm, FineTuneField> = { ...binding, fields: FORM_FIELDS };
  const numberField = (key: FormKey, label: string, options: INumberOptions = {}): JSX.Element => (
    <TextField
      {...bindInput(bound, key)}
      label={label}
      hint={options.hint}
      type={options.decimal ? 'text' : 'number'}
      inputMode={options.decimal ? 'decimal' : 'numeric'}
      min={options.min}
      max={options.max}
      step={options.step ?? 1}
      narrow
      wrap={input => (
        <span className="jp-AquaExt-FineTuneDialog-number">
          {input}
          {options.suffix && <span className="jp-AquaExt-FineTuneDialog-suffix">{options.suffix}</span>}
        </span>
      )}
    />
  );
  const textField = boundTextField(bound);
  return { binding: bound, numberField, textField };
}

/** The shape: a select of the OCI shapes with their training fit, or the local devices as choices. */
export function FineTuneShapeField(props: {
  id: string;
  onOci: boolean;
  value: string;
  shapes: readonly string[];
  fit: TrainingFit | null;
  loading: boolean;
  error?: string;
  disabled: boolean;
  trans: TranslationBundle;
  onChange: (shape: string) => void;
}): JSX.Element | null {
  const { onOci, shapes, fit, loading, trans, ...input } = props;
  if (onOci) {
    return (
      <SelectField
        {...input}
        field="shape"
        label={trans.__('Shape')}
        hint={loading ? trans.__('Loading the shapes and their training fit…') : undefined}
      >
        <option value="">{trans.__('Let the server choose (smallest that fits)')}</option>
        {shapes.map(name => {
          const row = fit?.targets.find(item => item.name === name);
          const available = row ? availabilityText(row, trans) : null;
          return (
            <option key={name} value={name} disabled={row?.available === 0}>
              {name}
              {row ? ` — ${row.fits ? trans.__('fits') : trans.__('does not fit')}` : ''}
              {row?.recommended ? ` · ${trans.__('recommended')}` : ''}
              {available ? ` — ${available}` : ''}
            </option>
          );
        })}
      </SelectField>
    );
  }
  if (shapes.length === 0) {
    return null;
  }
  return (
    <ChoiceGroup
      {...input}
      field="shape"
      legend={trans.__('Shape')}
      choices={shapes.map(name => {
        const row = fit?.targets.find(item => item.name === name);
        return {
          value: name,
          label: shapeLabel(name, trans),
          description: row ? (row.fits ? trans.__('Training fits') : trans.__('Training does not fit')) : undefined
        };
      })}
    />
  );
}

/** The advanced options: padding, LoRA details, early stopping, logging, and OCI networking. */
export function FineTuneAdvancedFields(props: {
  inputs: IFineTuneInputs;
  onOci: boolean;
  trans: TranslationBundle;
}): JSX.Element {
  const { onOci, trans } = props;
  const { numberField, textField } = props.inputs;
  const { form, errors } = props.inputs.binding;
  const lora = form.trainingType === 'lora';
  return (
    <>
      <BoundCheckbox
        binding={props.inputs.binding}
        name="padToMaxLength"
        label={trans.__('Pad every row to the sequence length')}
      />
      <FieldError>{errors.pad_to_max_length}</FieldError>
      {lora && (
        <div className="jp-AquaExt-FineTuneDialog-grid">
          {numberField('loraAlpha', trans.__('LoRA alpha'), {
            min: LIMITS.loraAlpha[0],
            max: LIMITS.loraAlpha[1]
          })}
          {numberField('loraDropout', trans.__('LoRA dropout'), { decimal: true })}
        </div>
      )}
      {lora &&
        textField('loraTargetModules', trans.__('Target modules'), {
          placeholder: 'q_proj, v_proj',
          hint: trans.__('Comma-separated module names; empty: every linear layer.')
        })}
      <div className="jp-AquaExt-FineTuneDialog-grid">
        {numberField('earlyStoppingPatience', trans.__('Early-stopping patience'), {
          min: LIMITS.patience[0],
          max: LIMITS.patience[1],
          hint: trans.__('Evaluations without improvement before training stops; 0: off.')
        })}
        {numberField('earlyStoppingThreshold', trans.__('Early-stopping threshold'), {
          decimal: true,
          hint: trans.__('The least decrease of the validation loss that counts.')
        })}
        {numberField('loggingSteps', trans.__('Logging interval'), {
          min: LIMITS.loggingSteps[0],
          max: LIMITS.loggingSteps[1],
          hint: trans.__('Log the train loss every N steps.')
        })}
      </div>
      {onOci && (
        <OciJobFieldset
          trans={trans}
          legend={trans.__('Networking and logging')}
          textField={textField}
          ociIdMaxLength={LIMITS.ociId}
        >
          {textField('subnetId', trans.__('Subnet OCID'), {
            placeholder: 'ocid1.subnet.oc1…',
            maxLength: LIMITS.ociId
          })}
        </OciJobFieldset>
      )}
    </>
  );
}
