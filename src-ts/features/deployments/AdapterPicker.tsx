/**
 * The deploy form's LoRA adapters: fine-tunes served beside the base model, each answering the requests
 * that name it (the playground, Compare and evaluations pick one). The server checks each against the base
 * and the engine, naming the adapter it refuses; the error shows under the list.
 */
import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import type { ModelSummary } from '../../api/types';
import { FieldError } from '../../ui/FormField';

export interface IAdapterPickerProps {
  id: string;
  trans: TranslationBundle;
  /** The LoRA fine-tunes offered (adapterCandidates); null while they load (nothing is shown). */
  candidates: readonly Pick<ModelSummary, 'id' | 'name'>[] | null;
  value: readonly string[];
  /** Why adapters cannot be chosen now (an engine that serves none), or null. */
  unavailable: string | null;
  /** The target fixes a deployment's adapters at create (OCI's stacked deployment): other ones need a new one. */
  fixedAtCreate?: boolean;
  disabled: boolean;
  error?: string;
  onChange: (value: string[]) => void;
}

export function AdapterPicker(props: IAdapterPickerProps): JSX.Element | null {
  const { id, trans, candidates, value, error } = props;
  if (candidates === null || (candidates.length === 0 && value.length === 0)) {
    return null; // nothing to offer (yet): no LoRA fine-tune on this target, or still loading
  }
  const toggle = (modelId: string, on: boolean): void =>
    props.onChange(on ? [...value, modelId] : value.filter(item => item !== modelId));
  return (
    <fieldset
      className={
        error ? 'jp-AquaExt-fieldset jp-AquaExt-ChoiceGroup jp-mod-error' : 'jp-AquaExt-fieldset jp-AquaExt-ChoiceGroup'
      }
      data-field="adapters"
      aria-describedby={error ? `${id}-error` : `${id}-hint`}
    >
      <legend className="jp-AquaExt-formField-label">{trans.__('LoRA adapters (optional)')}</legend>
      <div className="jp-AquaExt-ChoiceGroup-options">
        {candidates.map(model => (
          <label key={model.id} className="jp-AquaExt-choice">
            <input
              type="checkbox"
              checked={value.includes(model.id)}
              disabled={props.disabled || (props.unavailable !== null && !value.includes(model.id))}
              onChange={event => toggle(model.id, event.target.checked)}
            />
            <span className="jp-AquaExt-choice-text">
              <span className="jp-AquaExt-choice-label">{model.name}</span>
            </span>
          </label>
        ))}
      </div>
      <div id={`${id}-hint`} className="jp-AquaExt-formField-hint">
        {props.unavailable ??
          (props.fixedAtCreate
            ? trans.__(
                'Each adapter answers the requests that name it; without one, the base model answers. Adapters must be trained on this model; on this target they are chosen now, and other ones need a new deployment.'
              )
            : trans.__(
                'Each adapter answers the requests that name it; without one, the base model answers. Adapters must be trained on this model.'
              ))}
      </div>
      <FieldError id={`${id}-error`}>{error}</FieldError>
    </fieldset>
  );
}
