/**
 * The evaluation form's Judge section without React (LLM-as-judge): up to two
 * judges, each a deployment or a connection (and one of its models) whose
 * `actions` include chat; the rubric (correctness, helpfulness, or a custom
 * text); the `judge` settings of the request they become; and where a 400 on
 * `judge.*` goes. The grading rules themselves are the server's
 * (aqua_ext/jobs/eval_judge.py).
 */
import type { TranslationBundle } from '@jupyterlab/translation';

import { CONTRACT_LIMITS } from '../../api/limits';
import type {
  ConnectionSummary,
  CreateEvaluationRequest,
  DeploymentSummary,
  FieldError,
  OnDemandModel
} from '../../api/types';
import { allows } from '../../shared/actions';

export type JudgeSettings = NonNullable<CreateEvaluationRequest['judge']>;
export type JudgeRubric = NonNullable<JudgeSettings['rubric']>;

export const JUDGE_RUBRICS: readonly JudgeRubric[] = ['correctness', 'helpfulness', 'custom'];

const LIMITS = CONTRACT_LIMITS.JudgeSettings;
export const JUDGE_LIMITS = {
  judges: LIMITS.judges.maxItems,
  rubricText: LIMITS.rubric_text.maxLength
} as const;

/** Judge requests in flight at once: the contract's default (the form does not change it). */
export const JUDGE_CONCURRENCY = 8;

/** One judge slot: a deployment or connection id ('' for none) and, for a connection, its model. */
export interface IJudgeSlot {
  id: string;
  /** A connection's model ('' lets the server take the connection's default). */
  model: string;
}

export interface IJudgeForm {
  /** JUDGE_LIMITS.judges slots; the first empty means no judge. */
  slots: IJudgeSlot[];
  rubric: JudgeRubric;
  rubricText: string;
}

/** Where judge errors go: a slot (by place), the rubric text, or the section as a whole. */
export type JudgeErrors = Partial<Record<'judge' | 'rubric_text' | `slot${number}`, string>>;

export function initialJudgeForm(): IJudgeForm {
  return {
    slots: Array.from({ length: JUDGE_LIMITS.judges }, () => ({ id: '', model: '' })),
    rubric: 'correctness',
    rubricText: ''
  };
}

/** A model that can grade: a deployment or a connection that chats. */
export interface IJudgeCandidate {
  id: string;
  kind: 'deployment' | 'connection';
  name: string;
  /** A connection's models (none for a deployment). */
  models: readonly string[];
  defaultModel: string | null;
}

/**
 * The deployments and connections a judge may be: those whose actions include
 * chat (an embedding deployment answers no text), deployments first.
 */
export function judgeCandidates(
  deployments: readonly DeploymentSummary[] | null,
  connections: readonly ConnectionSummary[] | null,
  onDemand: readonly OnDemandModel[] = []
): IJudgeCandidate[] {
  const fromDeployments = (deployments ?? [])
    .filter(item => allows(item, 'chat') && item.mode !== 'embedding')
    .map(item => ({
      id: item.id,
      kind: 'deployment' as const,
      name: item.name,
      models: [],
      defaultModel: null
    }));
  const fromConnections = (connections ?? [])
    .filter(item => allows(item, 'chat'))
    .map(item => ({
      id: item.id,
      kind: 'connection' as const,
      name: item.name,
      models: item.models,
      defaultModel: item.default_model ?? null
    }));
  // An on-demand model of OCI Generative AI judges as a deployment does, by its OCID.
  const fromOnDemand = onDemand
    .filter(item => allows(item, 'chat') && item.mode === 'chat')
    .map(item => ({ id: item.id, kind: 'deployment' as const, name: item.name, models: [], defaultModel: null }));
  return [...fromDeployments, ...fromOnDemand, ...fromConnections];
}

/** The judges chosen: the filled slots, in order. */
export function chosenJudges(form: IJudgeForm): Array<IJudgeSlot & { place: number }> {
  return form.slots.map((slot, place) => ({ ...slot, place })).filter(slot => slot.id !== '');
}

export function validateJudgeForm(
  form: IJudgeForm,
  candidates: readonly IJudgeCandidate[] | null,
  trans: TranslationBundle
): JudgeErrors {
  const errors: JudgeErrors = {};
  const chosen = chosenJudges(form);
  if (chosen.length === 0) {
    return errors;
  }
  if (form.slots[0].id === '') {
    errors.slot0 = trans.__('Choose the first judge (the second is optional).');
  }
  if (chosen.length === 2 && chosen[0].id === chosen[1].id && chosen[0].model === chosen[1].model) {
    errors[`slot${chosen[1].place}`] = trans.__('The second judge is the first one again: choose another.');
  }
  if (candidates !== null) {
    for (const slot of chosen) {
      if (!candidates.some(candidate => candidate.id === slot.id)) {
        errors[`slot${slot.place}`] = trans.__(
          'This judge cannot chat: choose an active chat deployment or connection.'
        );
      }
    }
  }
  if (form.rubric === 'custom' && !form.rubricText.trim()) {
    errors.rubric_text = trans.__('Say what makes an answer score 5, and 1.');
  } else if (form.rubricText.length > JUDGE_LIMITS.rubricText) {
    errors.rubric_text = trans.__('At most %1 characters.', JUDGE_LIMITS.rubricText);
  }
  return errors;
}

/** The request's `judge` for the chosen judges; undefined when none is chosen. */
export function buildJudgeSettings(
  form: IJudgeForm,
  candidates: readonly IJudgeCandidate[] | null
): JudgeSettings | undefined {
  const chosen = chosenJudges(form);
  if (chosen.length === 0) {
    return undefined;
  }
  const kindOf = (id: string): IJudgeCandidate['kind'] =>
    candidates?.find(candidate => candidate.id === id)?.kind ?? (id.startsWith('conn-') ? 'connection' : 'deployment');
  const judges = chosen.map(slot =>
    kindOf(slot.id) === 'deployment'
      ? { deployment_id: slot.id, connection_id: null, model: null }
      : { deployment_id: null, connection_id: slot.id, model: slot.model.trim() || null }
  );
  return {
    judges,
    rubric: form.rubric,
    rubric_text: form.rubric === 'custom' ? form.rubricText.trim() : '',
    concurrency: JUDGE_CONCURRENCY
  };
}

/**
 * A 400's `judge.*` errors under the Judge section's inputs
 * (`judge.judges.1.connection_id` → the second slot, `judge.rubric_text` → the
 * rubric text, anything else on `judge` → the section); the other errors are
 * left for the rest of the form.
 */
export function placeJudgeErrors(fields: readonly FieldError[] | null | undefined): {
  judge: JudgeErrors;
  rest: FieldError[];
} {
  const judge: JudgeErrors = {};
  const rest: FieldError[] = [];
  for (const error of fields ?? []) {
    const message = error.message.replace(/^value error,\s*/i, '');
    const prefixed = /^(judge(?:\.[\w.]+)?):\s*(.+)$/.exec(message);
    const path = (prefixed ? prefixed[1] : error.field.replace(/^body\./, '')).split('.');
    if (path[0] !== 'judge') {
      rest.push(error);
      continue;
    }
    const text = prefixed ? prefixed[2] : message;
    const key: keyof JudgeErrors =
      path[1] === 'judges' && /^\d+$/.test(path[2] ?? '')
        ? `slot${Number(path[2])}`
        : path[1] === 'rubric_text'
          ? 'rubric_text'
          : 'judge';
    judge[key] = judge[key] ? `${judge[key]} ${text}` : text;
  }
  return { judge, rest };
}
