import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import { ChoiceGroup } from '../../ui/ChoiceGroup';
import { PickerField } from '../../ui/DialogParts';
import { FormField } from '../../ui/FormField';
import {
  JUDGE_LIMITS,
  JUDGE_RUBRICS,
  type IJudgeCandidate,
  type IJudgeForm,
  type IJudgeSlot,
  type JudgeErrors,
  type JudgeRubric
} from './judgeForm';

export interface IJudgeFieldsetProps {
  id: (name: string) => string;
  trans: TranslationBundle;
  value: IJudgeForm;
  /** The deployments and connections that chat; null while they load. */
  candidates: IJudgeCandidate[] | null;
  errors: JudgeErrors;
  disabled: boolean;
  onChange: (next: IJudgeForm) => void;
}

function rubricLabel(rubric: JudgeRubric, trans: TranslationBundle): string {
  switch (rubric) {
    case 'correctness':
      return trans.__('Correctness');
    case 'helpfulness':
      return trans.__('Helpfulness');
    default:
      return trans.__('Custom');
  }
}

function rubricDescription(rubric: JudgeRubric, trans: TranslationBundle): string {
  switch (rubric) {
    case 'correctness':
      return trans.__('Does the answer say what the reference says?');
    case 'helpfulness':
      return trans.__('How well does the answer help the person who asked?');
    default:
      return trans.__('Your own text: what makes an answer score 5, and 1.');
  }
}

/**
 * LLM-as-judge in the evaluation dialog: one or two models (deployments or
 * connections that chat) grade each answer against its reference, 1–5 with a
 * reason, by a rubric. No judge chosen: no judge runs.
 */
export function JudgeFieldset(props: IJudgeFieldsetProps): JSX.Element {
  const { id, trans, value, candidates, errors, disabled } = props;
  const setSlot = (place: number, slot: IJudgeSlot): void => {
    props.onChange({ ...value, slots: value.slots.map((old, i) => (i === place ? slot : old)) });
  };
  const anyJudge = value.slots.some(slot => slot.id !== '');
  const deployments = (candidates ?? []).filter(candidate => candidate.kind === 'deployment');
  const connections = (candidates ?? []).filter(candidate => candidate.kind === 'connection');

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
              {deployments.length > 0 && (
                <optgroup label={trans.__('Deployments')}>
                  {deployments.map(item => (
                    <option key={item.id} value={item.id}>
                      {item.name}
                    </option>
                  ))}
                </optgroup>
              )}
              {connections.length > 0 && (
                <optgroup label={trans.__('Connections')}>
                  {connections.map(item => (
                    <option key={item.id} value={item.id}>
                      {item.name}
                    </option>
                  ))}
                </optgroup>
              )}
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
            choices={JUDGE_RUBRICS.map(rubric => ({
              value: rubric,
              label: rubricLabel(rubric, trans),
              description: rubricDescription(rubric, trans)
            }))}
            onChange={rubric => props.onChange({ ...value, rubric })}
          />
          {value.rubric === 'custom' && (
            <FormField
              id={id('rubric_text')}
              field="judge.rubric_text"
              label={trans.__('Rubric text')}
              error={errors.rubric_text}
            >
              {input => (
                <textarea
                  {...input}
                  className="jp-mod-styled jp-AquaExt-input jp-AquaExt-textarea"
                  rows={3}
                  value={value.rubricText}
                  maxLength={JUDGE_LIMITS.rubricText}
                  disabled={disabled}
                  placeholder={trans.__('5: … 1: …')}
                  onChange={event => props.onChange({ ...value, rubricText: event.target.value })}
                />
              )}
            </FormField>
          )}
        </>
      )}
      {errors.judge && (
        <div className="jp-AquaExt-fieldError" role="alert">
          {errors.judge}
        </div>
      )}
    </fieldset>
  );
}
