/**
 * The Generative AI endpoint form: a name, the model, and the hosting
 * cluster it runs on. Which models may be hosted and which clusters take an
 * endpoint are the server's `actions` (`host`, `create_endpoint`).
 */
import type { TranslationBundle } from '@jupyterlab/translation';

import { CONTRACT_LIMITS } from '../../api/limits';
import type { CreateGenAiEndpointRequest } from '../../api/types';
import { displayNameErrors, typedDescription } from '../../shared/nameDescription';

const CONTRACT = CONTRACT_LIMITS.CreateGenAiEndpointRequest;

export const ENDPOINT_LIMITS = {
  name: CONTRACT.display_name.maxLength,
  description: CONTRACT.description.maxLength
} as const;

export const ENDPOINT_FIELDS = ['display_name', 'description', 'model_id', 'dedicated_ai_cluster_id'] as const;
export type EndpointField = (typeof ENDPOINT_FIELDS)[number];

export interface IEndpointForm {
  name: string;
  description: string;
  modelId: string;
  clusterId: string;
}

export function validateEndpointForm(
  form: IEndpointForm,
  trans: TranslationBundle
): Partial<Record<EndpointField, string>> {
  const errors: Partial<Record<EndpointField, string>> = displayNameErrors(
    form,
    ENDPOINT_LIMITS,
    trans.__('Enter a name for the endpoint.'),
    trans
  );
  if (!form.modelId) {
    errors.model_id = trans.__('Choose the model to host.');
  }
  if (!form.clusterId) {
    errors.dedicated_ai_cluster_id = trans.__('Choose a hosting cluster (create one first if there is none).');
  }
  return errors;
}

export function buildEndpointRequest(form: IEndpointForm): CreateGenAiEndpointRequest {
  return {
    display_name: form.name.trim(),
    model_id: form.modelId,
    dedicated_ai_cluster_id: form.clusterId,
    ...typedDescription(form)
  };
}
