import * as React from 'react';

import { Button, closeIcon } from '@jupyterlab/ui-components';
import type { TranslationBundle } from '@jupyterlab/translation';

import { DEFAULT_SAMPLING, SAMPLING_LIMITS, type ISamplingForm, type SamplingField } from '../shared/sampling';
import { FieldError, TextField } from './FormField';
import { TextButton } from './TextButton';

export interface ISamplingPanelProps {
  value: ISamplingForm;
  errors: Partial<Record<SamplingField, string>>;
  trans: TranslationBundle;
  onChange: (value: ISamplingForm) => void;
}

/** Max tokens, temperature, top-p/k, penalties, stop sequences and seed. */
export function SamplingPanel(props: ISamplingPanelProps): JSX.Element {
  const { value, errors, trans } = props;
  const ids = React.useId().replace(/:/g, '');
  const [stopDraft, setStopDraft] = React.useState('');

  const field = (
    key: Exclude<SamplingField, 'stop'>,
    label: string,
    input: { min: number; max: number; step: number | 'any'; placeholder?: string },
    hint?: string
  ): JSX.Element => {
    return (
      <TextField
        id={`${ids}-${key}`}
        field={key}
        label={label}
        error={errors[key]}
        hint={errors[key] ? undefined : hint}
        type="number"
        {...input}
        value={value[key]}
        onChange={text => props.onChange({ ...value, [key]: text })}
      />
    );
  };

  const addStop = (): void => {
    if (!stopDraft || value.stop.length >= SAMPLING_LIMITS.stop) {
      return;
    }
    props.onChange({ ...value, stop: [...value.stop, stopDraft] });
    setStopDraft('');
  };

  return (
    <section className="jp-AquaExt-SamplingPanel" aria-label={trans.__('Sampling settings')}>
      <div className="jp-AquaExt-SamplingPanel-header">
        <h3 className="jp-AquaExt-sectionTitle">{trans.__('Settings')}</h3>
        <Button
          type="button"
          className="jp-AquaExt-button"
          minimal
          small
          onClick={() => props.onChange({ ...DEFAULT_SAMPLING, stop: [] })}
          title={trans.__('Back to the default settings')}
        >
          {trans.__('Reset')}
        </Button>
      </div>
      {field('maxTokens', trans.__('Max tokens'), { min: 1, max: SAMPLING_LIMITS.maxTokens[1], step: 1 })}
      {field(
        'temperature',
        trans.__('Temperature'),
        { min: 0, max: 2, step: 0.1 },
        trans.__('0 is greedy; higher is more varied.')
      )}
      {field('topP', trans.__('Top-p'), { min: 0, max: 1, step: 0.05 })}
      {field('topK', trans.__('Top-k'), {
        min: -1,
        max: SAMPLING_LIMITS.topK[1],
        step: 1,
        placeholder: trans.__('off')
      })}
      {field('frequencyPenalty', trans.__('Frequency penalty'), { min: -2, max: 2, step: 0.1 })}
      {field('presencePenalty', trans.__('Presence penalty'), { min: -2, max: 2, step: 0.1 })}
      <div className={errors.stop ? 'jp-AquaExt-formField jp-mod-error' : 'jp-AquaExt-formField'} data-field="stop">
        <label htmlFor={`${ids}-stop`} className="jp-AquaExt-formField-label">
          {trans.__('Stop sequences')}
        </label>
        {value.stop.length > 0 && (
          <ul className="jp-AquaExt-StopList">
            {value.stop.map((item, index) => (
              <li key={`${index}:${item}`} className="jp-AquaExt-StopList-item">
                <code>{item}</code>
                <button
                  type="button"
                  className="jp-AquaExt-StopList-remove"
                  aria-label={trans.__('Remove stop sequence %1', item)}
                  title={trans.__('Remove')}
                  onClick={() => props.onChange({ ...value, stop: value.stop.filter((_, i) => i !== index) })}
                >
                  <closeIcon.react tag="span" className="jp-AquaExt-buttonIcon" />
                </button>
              </li>
            ))}
          </ul>
        )}
        <div className="jp-AquaExt-StopList-add">
          <input
            id={`${ids}-stop`}
            type="text"
            className="jp-mod-styled jp-AquaExt-input"
            placeholder={trans.__('e.g. \\n\\n or ###')}
            value={stopDraft}
            disabled={value.stop.length >= SAMPLING_LIMITS.stop}
            aria-describedby={`${ids}-stop-hint`}
            onChange={event => setStopDraft(event.target.value)}
            onKeyDown={event => {
              if (event.key === 'Enter') {
                event.preventDefault();
                addStop();
              }
            }}
          />
          <TextButton label={trans.__('Add')} disabled={!stopDraft} onClick={addStop} />
        </div>
        <div id={`${ids}-stop-hint`} className="jp-AquaExt-formField-hint">
          {trans.__('Up to %1; type \\n for a newline.', SAMPLING_LIMITS.stop)}
        </div>
        <FieldError>{errors.stop}</FieldError>
      </div>
      {field('seed', trans.__('Seed'), {
        min: 0,
        max: SAMPLING_LIMITS.seed[1],
        step: 1,
        placeholder: trans.__('random')
      })}
    </section>
  );
}
