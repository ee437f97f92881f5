/**
 * Changing the LoRA adapters of a deployment: the set being edited (a draft of the served one), the models that
 * may be added (the deploy form's candidates: LoRA fine-tunes of the deployment's target), the PUT body (the whole
 * set), what the server answered in words, and its refusal placed under the adapter it names. Whether a
 * deployment's adapters may change at all is the server's `adapters` action; whether an adapter fits the base
 * and the engine is its check on PUT (services/adapters.py), never decided here.
 */
import type { TranslationBundle } from '@jupyterlab/translation';

import { AquaApiError } from '../../api/errors';
import type {
  DeploymentAdapter,
  DeploymentDetail,
  ModelSummary,
  SetAdaptersRequest,
  SetAdaptersResponse
} from '../../api/types';
import { describeError } from '../../shared/errors';
import { adapterCandidates } from './deployForm';

/** An adapter of the set being edited: one the deployment serves (its name kept), or one added (named by the server). */
export interface IAdapterDraftItem {
  model_id: string;
  /** The served name (what a request's `model` names); null for one added, which the server names. */
  name: string | null;
  model_name: string;
  rank: number | null;
}

/** The set the deployment serves now, as a draft to edit. */
export function draftOf(adapters: readonly DeploymentAdapter[]): IAdapterDraftItem[] {
  return adapters.map(item => ({
    model_id: item.model_id,
    name: item.name,
    model_name: item.model_name,
    rank: item.rank ?? null
  }));
}

/** The fine-tunes that may be added: the deploy form's candidates for this base, less those in the draft. */
export function addableAdapters<M extends Pick<ModelSummary, 'id' | 'name' | 'source' | 'tags' | 'target'>>(
  models: readonly M[],
  detail: Pick<DeploymentDetail, 'model_id' | 'target'>,
  draft: readonly IAdapterDraftItem[]
): M[] {
  const taken = new Set(draft.map(item => item.model_id));
  return adapterCandidates(models, { id: detail.model_id, target: detail.target }).filter(item => !taken.has(item.id));
}

export function withAdapter(
  draft: readonly IAdapterDraftItem[],
  model: Pick<ModelSummary, 'id' | 'name'>
): IAdapterDraftItem[] {
  if (draft.some(item => item.model_id === model.id)) {
    return [...draft];
  }
  return [...draft, { model_id: model.id, name: null, model_name: model.name, rank: null }];
}

export function withoutAdapter(draft: readonly IAdapterDraftItem[], modelId: string): IAdapterDraftItem[] {
  return draft.filter(item => item.model_id !== modelId);
}

/** Whether the draft differs from what the deployment serves (the order matters: llama.cpp's ids follow it). */
export function draftChanged(served: readonly DeploymentAdapter[], draft: readonly IAdapterDraftItem[]): boolean {
  return served.length !== draft.length || served.some((item, i) => item.model_id !== draft[i].model_id);
}

/** The PUT body: the whole set, served names kept (a request naming one keeps reaching it). */
export function adaptersRequest(draft: readonly IAdapterDraftItem[]): SetAdaptersRequest {
  return {
    adapters: draft.map(item =>
      item.name ? { model_id: item.model_id, name: item.name } : { model_id: item.model_id }
    )
  };
}

/** What the server did with the new set, in words. */
export function appliedText(
  response: Pick<SetAdaptersResponse, 'applied' | 'deployment'>,
  trans: TranslationBundle
): string {
  const count = response.deployment.adapters.length;
  switch (response.applied) {
    case 'live':
      return count
        ? trans._n(
            'Applied live: the running engine serves %1 adapter now.',
            'Applied live: the running engine serves %1 adapters now.',
            count
          )
        : trans.__('Applied live: the running engine serves the base model alone now.');
    case 'restart':
      return trans.__(
        'The engine restarts with the new set of adapters (this engine loads adapters only when it starts); the deployment answers again once it is ACTIVE.'
      );
    case 'saved':
      return trans.__('Saved: the engine starts with these adapters the next time the deployment is activated.');
  }
}

export interface IAdapterErrors {
  /** Under the list: a refusal of the whole set, or one naming no adapter of the draft. */
  list: string | null;
  /** Under an adapter of the draft, by model id: the server named its item (`adapters.<i>`). */
  byModel: Record<string, string>;
}

const ITEM_FIELD = /(?:^|\.)adapters\.(\d+)(?:\.|$)/;

/**
 * A refusal of the PUT placed: a 400's field errors under the adapter they name (`adapters.1` is the draft's second,
 * the body's order), the rest (`adapters`, `engine`, a 409 naming the state) under the list.
 */
export function placeAdapterErrors(
  reason: unknown,
  draft: readonly IAdapterDraftItem[],
  trans: TranslationBundle
): IAdapterErrors {
  const byModel: Record<string, string> = {};
  const rest: string[] = [];
  const fields = reason instanceof AquaApiError && reason.status === 400 ? (reason.fields ?? []) : [];
  for (const error of fields) {
    const message = error.message.replace(/^value error,\s*/i, '');
    const match = ITEM_FIELD.exec(error.field);
    const item = match ? draft[Number(match[1])] : undefined;
    if (item) {
      byModel[item.model_id] = byModel[item.model_id] ? `${byModel[item.model_id]} ${message}` : message;
    } else {
      rest.push(message);
    }
  }
  if (fields.length === 0) {
    rest.push(describeError(reason, trans));
  }
  return { list: rest.length ? rest.join(' ') : null, byModel };
}
