import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import { ChoiceGroup } from '../../ui/ChoiceGroup';
import { PickerField } from '../../ui/DialogParts';
import { FieldError, FormField, TextAreaField } from '../../ui/FormField';
import {
  JUDGE_LIMITS,
  JUDGE_RUBRICS,
  type IJudgeCandidate,
  type IJudgeForm,
  type IJudgeSlot,
  type JudgeErrors,
  type JudgeRubric
} from './judgeForm';

/** The section's form, its errors, and what a change does (the dialog holds them). */
export interface IJudgeState {
  value: IJudgeForm;
  errors: JudgeErrors;
  onChange: (next: IJudgeForm) => void;
}

export interface IJudgeFieldsetProps {
  id: (name: string) => string;
  trans: TranslationBundle;
  /** The deployments and connections that chat; null while they load. */
  candidates: IJudgeCandidate[] | null;
  disabled: boolean;
  state: IJudgeState;
}

/** Each rubric's radio: its label and what it grades by. */
const RUBRIC_CHOICES: Record<JudgeRubric, (trans: TranslationBundle) => { label: string; description: string }> = {
  correctness: trans => ({
    label: trans.__('Correctness'),
    description: trans.__('Does the answer say what the reference says?')
  }),
  helpfulness: trans => ({
    label: trans.__('Helpfulness'),
    description: trans.__('How well does the answer help the person who asked?')
  }),
  custom: trans => ({
    label: trans.__('Custom'),
    description: trans.__('Your own text: what makes an answer score 5, and 1.')
  })
};

/**
 * LLM-as-judge in the evaluation dialog: one or two models (deployments or
 * connections that chat) grade each answer against its reference, 1–5 with a
 * reason, by a rubric. No judge chosen: no judge runs.
 */
export function JudgeFieldset(props: IJudgeFieldsetProps): JSX.Element {
  const { id, trans, candidates, disabled } = props;
  const { value, errors, onChange } = props.state;
  const setSlot = (place: number, slot: IJudgeSlot): void => {
    onChange({ ...value, slots: value.slots.map((old, i) => (i === place ? slot : old)) });
  };
  const anyJudge = value.slots.some(slot => slot.id !== '');
  // The choices by kind, each kind under its heading (an empty kind is left out).
  const groups = (
    [
      [trans.__('Deployments'), 'deployment'],
      [trans.__('Connections'), 'connection']
    ] as const
  )
    .map(([label, kind]) => [label, (candidates ?? []).filter(c => c.kind === kind)] as const)
    .filter(([, items]) => items.length > 0);

  return (
    <fieldset
      className={
        errors.judge
          ? 'jp-AquaExt-fieldset jp-AquaExt-EvaluationDialog-judge jp-mod-error'
          : 'jp-AquaExt-fieldset jp-AquaExt-EvaluationDialog-judge'
      }
      data-field="judge"
    >
      <legend className="jp-AquaExt-formField-label">{trans.__('Judge (optional)')}</legend>
      <p className="jp-AquaExt-muted jp-AquaExt-EvaluationDialog-judgeHint">
        {trans.__(
          'A model grades each answer against its reference, 1 to 5 with its reason. Two judges: their agreement is shown too.'
        )}
      </p>
      {value.slots.map((slot, place) => {
        const chosen = candidates?.find(candidate => candidate.id === slot.id) ?? null;
        const field = `judge.judges.${place}`;
        return (
          <div key={place} className="jp-AquaExt-EvaluationDialog-judgeSlot" data-judge-slot={place}>
            <PickerField
              id={id(`judge${place}`)}
              field={field}
              label={place === 0 ? trans.__('Judge') : trans.__('Second judge (optional)')}
              error={errors[`slot${place}`]}
              hint={
                place === 0 && candidates !== null && candidates.length === 0
                  ? trans.__('No deployment or connection chats: deploy a chat model or add a connection.')
                  : undefined
              }
              value={slot.id}
              disabled={disabled || (place > 0 && value.slots[0].id === '')}
              loaded={candidates !== null}
              loadingLabel={trans.__('Loading judges…')}
              chooseLabel={place === 0 ? trans.__('No judge') : trans.__('No second judge')}
              onChange={next => {
                const picked = candidates?.find(candidate => candidate.id === next);
                setSlot(place, { id: next, model: picked?.defaultModel ?? picked?.models[0] ?? '' });
              }}
            >
              {slot.id && candidates !== null && !chosen && <option value={slot.id}>{slot.id}</option>}
              {groups.map(([label, items]) => (
                <optgroup key={label} label={label}>
                  {items.map(item => (
                    <option key={item.id} value={item.id}>
                      {item.name}
                    </option>
                  ))}
                </optgroup>
              ))}
            </PickerField>
            {chosen?.kind === 'connection' && (
              <FormField id={id(`judge${place}-model`)} field={`${field}.model`} label={trans.__('Judge model')}>
                {input =>
                  chosen.models.length > 0 ? (
                    <select
                      {...input}
                      className="jp-mod-styled jp-AquaExt-input jp-AquaExt-select"
                      value={slot.model}
                      disabled={disabled}
                      onChange={event => setSlot(place, { ...slot, model: event.target.value })}
                    >
                      {chosen.models.map(model => (
                        <option key={model} value={model}>
                          {model}
                        </option>
                      ))}
                    </select>
                  ) : (
                    <input
                      {...input}
                      className="jp-mod-styled jp-AquaExt-input"
                      value={slot.model}
                      placeholder={trans.__('the service’s default')}
                      disabled={disabled}
                      onChange={event => setSlot(place, { ...slot, model: event.target.value })}
                    />
                  )
                }
              </FormField>
            )}
          </div>
        );
      })}
      {anyJudge && (
        <>
          <ChoiceGroup<JudgeRubric>
            id={id('rubric')}
            field="judge.rubric"
            legend={trans.__('Rubric')}
            value={value.rubric}
            disabled={disabled}
            choices={JUDGE_RUBRICS.map(rubric => ({ value: rubric, ...RUBRIC_CHOICES[rubric](trans) }))}
            onChange={rubric => onChange({ ...value, rubric })}
          />
          {value.rubric === 'custom' && (
            <TextAreaField
              id={id('rubric_text')}
              field="judge.rubric_text"
              label={trans.__('Rubric text')}
              rows={3}
              value={value.rubricText}
              maxLength={JUDGE_LIMITS.rubricText}
              disabled={disabled}
              error={errors.rubric_text}
              placeholder={trans.__('5: … 1: …')}
              onChange={rubricText => onChange({ ...value, rubricText })}
            />
          )}
        </>
      )}
      <FieldError>{errors.judge}</FieldError>
    </fieldset>
  );
}
