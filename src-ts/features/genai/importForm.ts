/**
 * The Generative AI import form (seed 001): a Hugging Face id with its
 * revision and, for a gated model, a token; or an Object Storage prefix
 * holding config.json and the weights; and the model's one capability. The
 * server checks config.json, the weights and the capability against the
 * architecture before anything is created.
 */
import type { TranslationBundle } from '@jupyterlab/translation';

import { CONTRACT_LIMITS } from '../../api/limits';
import type { ImportCapability, ImportGenAiModelRequest } from '../../api/types';
import { hfIdError, osUriError } from '../../shared/modelSources';
import { displayNameErrors, typedDescription } from '../../shared/nameDescription';

const CONTRACT = CONTRACT_LIMITS.ImportGenAiModelRequest;

export const IMPORT_LIMITS = {
  name: CONTRACT.display_name.maxLength,
  description: CONTRACT.description.maxLength,
  revision: CONTRACT.revision.maxLength
} as const;

export const IMPORT_FIELDS = [
  'source',
  'display_name',
  'description',
  'capability',
  'hf_id',
  'revision',
  'token',
  'os_uri',
  'region'
] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];

export type ImportSource = ImportGenAiModelRequest['source'];

/** Seed 001's four capabilities, in its order. */
export const IMPORT_CAPABILITIES: readonly ImportCapability[] = [
  'TEXT_TO_TEXT',
  'IMAGE_TEXT_TO_TEXT',
  'EMBEDDING',
  'RERANK'
];

export interface IImportForm {
  source: ImportSource;
  name: string;
  description: string;
  capability: ImportCapability;
  hfId: string;
  revision: string;
  /** Kept only until the request is sent; the dialog's input is not React-controlled. */
  token: string;
  osUri: string;
}

export function initialImportForm(): IImportForm {
  return {
    source: 'huggingface',
    name: '',
    description: '',
    capability: 'TEXT_TO_TEXT',
    hfId: '',
    revision: '',
    token: '',
    osUri: ''
  };
}

/** A name from the source while the user typed none: the model's part of the id, or the prefix's last folder. */
export function suggestedName(form: IImportForm): string {
  const text = form.source === 'huggingface' ? form.hfId : form.osUri;
  const last = text.trim().replace(/\/+$/, '').split('/').pop() ?? '';
  return last.includes('@') ? '' : last.slice(0, IMPORT_LIMITS.name);
}

export function validateImportForm(form: IImportForm, trans: TranslationBundle): Partial<Record<ImportField, string>> {
  const errors: Partial<Record<ImportField, string>> = displayNameErrors(
    form,
    IMPORT_LIMITS,
    trans.__('Enter a name for the model.'),
    trans
  );
  if (form.source === 'huggingface') {
    const problem = hfIdError(form.hfId, trans);
    if (problem) {
      errors.hf_id = problem;
    }
    if (form.revision.trim().length > IMPORT_LIMITS.revision) {
      errors.revision = trans.__('At most %1 characters.', IMPORT_LIMITS.revision);
    }
  } else {
    const problem = osUriError(form.osUri, trans);
    if (problem) {
      errors.os_uri = problem;
    }
  }
  return errors;
}

/** The request; the token only for a Hugging Face import that has one, the other source's fields never. */
export function buildImportRequest(form: IImportForm): ImportGenAiModelRequest {
  const body: ImportGenAiModelRequest = {
    source: form.source,
    display_name: form.name.trim(),
    capability: form.capability,
    ...typedDescription(form)
  };
  if (form.source === 'huggingface') {
    body.hf_id = form.hfId.trim();
    if (form.revision.trim()) {
      body.revision = form.revision.trim();
    }
    if (form.token) {
      body.token = form.token;
    }
  } else {
    body.os_uri = form.osUri.trim();
  }
  return body;
}
