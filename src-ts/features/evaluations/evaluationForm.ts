/**
 * The evaluation form without React: its values (raw text, so a half-typed
 * number survives), client-side validation with the contract's bounds, the
 * request it becomes, and where a 400's field errors go. Model parameters are
 * the playground's sampling fields (`shared/sampling.ts`), parsed the
 * same way; their server errors (`params.temperature`) land under the same
 * inputs. What is asked is a deployment, or a connection (a hosted service) and
 * one of its models; a connection is evaluated on the local target, so its form
 * has no OCI fields.
 */
import type { TranslationBundle } from '@jupyterlab/translation';

import { CONTRACT_LIMITS } from '../../api/limits';
import type { CreateEvaluationRequest, EvaluationMetric, FieldError } from '../../api/types';
import type { BackendKind } from '../../shared/labels';
import { datasetStem } from '../../shared/format';
import { placeFieldErrors } from '../../shared/fieldErrors';
import { DEFAULT_SAMPLING, parseSampling, type ISamplingForm, type SamplingField } from '../../shared/sampling';
import { METRICS } from './format';
import { nameDescriptionErrors } from '../../shared/nameDescription';
import { logPairErrors } from '../../shared/ociLog';
import { parseTargetKey } from '../../shared/chatTarget';

/** Where the rows come from: a JSONL file, or the dataset a fine-tune was trained on. */
export type DatasetSource = 'file' | 'finetune';

/** What answers the prompts: one of our deployments, or a connection (a hosted service). */
export type EvaluatedKind = 'deployment' | 'connection';

/** The target the server evaluates a connection on (services/evaluations.py, CONNECTION_TARGET). */
export const CONNECTION_TARGET = 'local';

export interface IEvaluationForm {
  asks: EvaluatedKind;
  deploymentId: string;
  connectionId: string;
  /** The connection's model ('' lets the server take the connection's default). */
  connectionModel: string;
  name: string;
  description: string;
  source: DatasetSource;
  datasetPath: string;
  finetuneId: string;
  /** Empty: every row. */
  sampleSize: string;
  metrics: EvaluationMetric[];
  sampling: ISamplingForm;
  concurrency: string;
  /** OCI: the evaluation job's CPU shape ('' lets the server choose). */
  shape: string;
  /** OCI: where the report goes (oci://bucket@namespace/prefix). */
  reportUri: string;
  logGroupId: string;
  logId: string;
}

export type EvaluationField =
  | 'deployment_id'
  | 'connection_id'
  | 'connection_model'
  | 'name'
  | 'description'
  | 'dataset_path'
  | 'finetune_id'
  | 'sample_size'
  | 'metrics'
  | 'concurrency'
  | 'shape'
  | 'report_uri'
  | 'log_group_id'
  | 'log_id';

export const EVALUATION_FIELDS: readonly EvaluationField[] = [
  'deployment_id',
  'connection_id',
  'connection_model',
  'name',
  'description',
  'dataset_path',
  'finetune_id',
  'sample_size',
  'metrics',
  'concurrency',
  'shape',
  'report_uri',
  'log_group_id',
  'log_id'
];

export type EvaluationErrors = Partial<Record<EvaluationField, string>>;
export type SamplingErrors = Partial<Record<SamplingField, string>>;

/** The request's `params` fields and the sampling inputs they come from. */
export const PARAM_FIELDS: Readonly<Record<string, SamplingField>> = {
  max_tokens: 'maxTokens',
  temperature: 'temperature',
  top_p: 'topP',
  top_k: 'topK',
  frequency_penalty: 'frequencyPenalty',
  presence_penalty: 'presencePenalty',
  stop: 'stop',
  seed: 'seed'
};

const CONTRACT = CONTRACT_LIMITS.CreateEvaluationRequest;

/** Bounds of the contract (CreateEvaluationRequest and ModelParameters in schema/api/openapi.json). */
export const EVALUATION_LIMITS = {
  name: CONTRACT.name.maxLength,
  description: CONTRACT.description.maxLength,
  datasetPath: CONTRACT.dataset_path.maxLength,
  sampleSize: [CONTRACT.sample_size.minimum, CONTRACT.sample_size.maximum],
  concurrency: [CONTRACT.concurrency.minimum, CONTRACT.concurrency.maximum],
  maxTokens: CONTRACT_LIMITS['ModelParameters-Input'].max_tokens.maximum,
  shape: CONTRACT.shape.maxLength,
  reportUri: CONTRACT.report_uri.maxLength,
  ociId: CONTRACT.log_id.maxLength,
  connectionModel: CONTRACT.connection_model.maxLength
} as const;

/** An evaluation asks greedily and briefly by default (the contract's ModelParameters). */
export const EVALUATION_SAMPLING: Readonly<ISamplingForm> = Object.freeze({
  ...DEFAULT_SAMPLING,
  maxTokens: '256',
  temperature: '0'
});

export function initialEvaluationForm(
  options: {
    deploymentId?: string | null;
    connectionId?: string | null;
    finetuneId?: string | null;
    datasetPath?: string | null;
  } = {}
): IEvaluationForm {
  return {
    asks: options.connectionId ? 'connection' : 'deployment',
    deploymentId: options.deploymentId ?? '',
    connectionId: options.connectionId ?? '',
    connectionModel: '',
    name: '',
    description: '',
    source: options.finetuneId ? 'finetune' : 'file',
    datasetPath: options.datasetPath ?? '',
    finetuneId: options.finetuneId ?? '',
    sampleSize: '',
    metrics: [...METRICS],
    sampling: { ...EVALUATION_SAMPLING, stop: [] },
    concurrency: '4',
    shape: '',
    reportUri: '',
    logGroupId: '',
    logId: ''
  };
}

/**
 * The name of what answers in a default evaluation name: a deployment's name, or a connection's
 * with the model asked ("사내 GPT · gpt-4o-mini").
 */
export function evaluatedName(
  form: Pick<IEvaluationForm, 'asks' | 'connectionModel'>,
  deployment: { name: string } | null,
  connection: { name: string } | null,
  trans: TranslationBundle
): string {
  if (form.asks === 'deployment') {
    return deployment?.name ?? '';
  }
  if (!connection) {
    return '';
  }
  const model = form.connectionModel.trim();
  return model ? trans.__('%1 · %2', connection.name, model) : connection.name;
}

/** "Qwen chat · support-qa", "Qwen chat · training data of Qwen support", or the deployment's name alone. */
export function defaultEvaluationName(
  deploymentName: string | null | undefined,
  form: Pick<IEvaluationForm, 'source' | 'datasetPath'>,
  finetuneName: string | null | undefined,
  trans: TranslationBundle
): string {
  const deployment = (deploymentName ?? '').trim();
  const data =
    form.source === 'finetune'
      ? finetuneName
        ? trans.__('training data of %1', finetuneName)
        : ''
      : datasetStem(form.datasetPath);
  const name = deployment && data ? `${deployment} · ${data}` : deployment || data;
  return name.slice(0, EVALUATION_LIMITS.name).trim();
}

function wholeNumber(text: string): number | null {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) {
    return null;
  }
  return Number(trimmed);
}

export interface IEvaluationValidation {
  errors: EvaluationErrors;
  sampling: SamplingErrors;
}

/** What is wrong with the form before it is sent (the server checks again). */
export function validateEvaluationForm(
  form: IEvaluationForm,
  backendKind: BackendKind,
  trans: TranslationBundle
): IEvaluationValidation {
  const errors: EvaluationErrors = {};
  if (form.asks === 'connection') {
    if (!form.connectionId) {
      errors.connection_id = trans.__('Choose a connection that answers chat or completions.');
    }
    if (form.connectionModel.length > EVALUATION_LIMITS.connectionModel) {
      errors.connection_model = trans.__('At most %1 characters.', EVALUATION_LIMITS.connectionModel);
    }
  } else if (!form.deploymentId) {
    errors.deployment_id = trans.__('Choose an active deployment.');
  }
  Object.assign(errors, nameDescriptionErrors(form, EVALUATION_LIMITS, trans.__('Give the evaluation a name.'), trans));
  if (form.source === 'file') {
    if (!form.datasetPath.trim()) {
      errors.dataset_path = trans.__('Choose a JSONL dataset.');
    } else if (form.datasetPath.length > EVALUATION_LIMITS.datasetPath) {
      errors.dataset_path = trans.__('At most %1 characters.', EVALUATION_LIMITS.datasetPath);
    }
  } else if (!form.finetuneId) {
    errors.finetune_id = trans.__('Choose a fine-tuning job that succeeded.');
  }
  if (form.sampleSize.trim()) {
    const size = wholeNumber(form.sampleSize);
    const [min, max] = EVALUATION_LIMITS.sampleSize;
    if (size === null || size < min || size > max) {
      errors.sample_size = trans.__(
        'A whole number from %1 to %2, or empty for every row.',
        min,
        max.toLocaleString('en-US')
      );
    }
  }
  if (form.metrics.length === 0) {
    errors.metrics = trans.__('Choose at least one metric.');
  }
  const concurrency = wholeNumber(form.concurrency);
  const [cMin, cMax] = EVALUATION_LIMITS.concurrency;
  if (concurrency === null || concurrency < cMin || concurrency > cMax) {
    errors.concurrency = trans.__('A whole number from %1 to %2.', cMin, cMax);
  }
  if (ociFields(form, backendKind)) {
    const uri = form.reportUri.trim();
    if (uri && !uri.startsWith('oci://')) {
      errors.report_uri = trans.__('An Object Storage location: oci://bucket@namespace/prefix.');
    }
    Object.assign(errors, logPairErrors(form, trans));
  }
  const parsed = parseSampling(form.sampling, trans);
  const sampling: SamplingErrors = { ...parsed.errors };
  if (parsed.value && parsed.value.max_tokens !== undefined && parsed.value.max_tokens > EVALUATION_LIMITS.maxTokens) {
    sampling.maxTokens = trans.__('A whole number from %1 to %2.', 1, EVALUATION_LIMITS.maxTokens);
  }
  return { errors, sampling };
}

export function hasErrors(validation: IEvaluationValidation): boolean {
  return Object.keys(validation.errors).length > 0 || Object.keys(validation.sampling).length > 0;
}

/** The form has the OCI job's fields: on an OCI target, for a deployment (a connection runs locally). */
export function ociFields(form: Pick<IEvaluationForm, 'asks'>, backendKind: BackendKind): boolean {
  return backendKind === 'oci' && form.asks === 'deployment';
}

/** The deployment asked, from the picker's key: its id, and the adapter that answers when one is chosen. */
export function evaluatedDeployment(key: string): { deployment_id: string; adapter?: string } {
  const { id, adapter } = parseTargetKey(key);
  return adapter ? { deployment_id: id, adapter } : { deployment_id: id };
}

/** The request body for a valid form; the metrics in their usual order. */
export function buildEvaluationRequest(
  form: IEvaluationForm,
  backendKind: BackendKind,
  trans: TranslationBundle
): CreateEvaluationRequest {
  const parsed = parseSampling(form.sampling, trans).value;
  const model = form.connectionModel.trim();
  const asked =
    form.asks === 'connection'
      ? { connection_id: form.connectionId, ...(model ? { connection_model: model } : {}) }
      : evaluatedDeployment(form.deploymentId);
  const request: CreateEvaluationRequest = {
    ...asked,
    name: form.name.trim(),
    description: form.description.trim(),
    metrics: METRICS.filter(metric => form.metrics.includes(metric)),
    concurrency: Number(form.concurrency.trim())
  };
  if (form.source === 'file') {
    request.dataset_path = form.datasetPath.trim();
  } else {
    request.finetune_id = form.finetuneId;
  }
  if (form.sampleSize.trim()) {
    request.sample_size = Number(form.sampleSize.trim());
  }
  if (parsed) {
    const params: NonNullable<CreateEvaluationRequest['params']> = {
      max_tokens: parsed.max_tokens,
      temperature: parsed.temperature,
      top_p: parsed.top_p,
      frequency_penalty: parsed.frequency_penalty,
      presence_penalty: parsed.presence_penalty,
      stop: parsed.stop ?? []
    };
    if (parsed.top_k !== null && parsed.top_k !== undefined) {
      params.top_k = parsed.top_k;
    }
    if (parsed.seed !== null && parsed.seed !== undefined) {
      params.seed = parsed.seed;
    }
    request.params = params;
  }
  if (ociFields(form, backendKind)) {
    const text = (value: string): string | undefined => value.trim() || undefined;
    const shape = text(form.shape);
    const reportUri = text(form.reportUri);
    const logGroupId = text(form.logGroupId);
    const logId = text(form.logId);
    if (shape) {
      request.shape = shape;
    }
    if (reportUri) {
      request.report_uri = reportUri;
    }
    if (logGroupId && logId) {
      request.log_group_id = logGroupId;
      request.log_id = logId;
    }
  }
  return request;
}

export interface IPlacedEvaluationErrors {
  byField: EvaluationErrors;
  sampling: SamplingErrors;
  /** Errors that name no input of the form. */
  other: FieldError[];
}

/**
 * A 400's field errors under their inputs: `body.name` → name,
 * `body.params.temperature` → the temperature input, and pydantic's
 * "Value error, dataset_path: …" on the whole body → the dataset.
 */
export function placeEvaluationErrors(fields: readonly FieldError[] | null | undefined): IPlacedEvaluationErrors {
  const known = [...EVALUATION_FIELDS, ...Object.keys(PARAM_FIELDS)];
  const placed = placeFieldErrors<string>(fields, known);
  const byField: EvaluationErrors = {};
  const sampling: SamplingErrors = {};
  for (const [key, message] of Object.entries(placed.byField)) {
    if (!message) {
      continue;
    }
    if (key in PARAM_FIELDS) {
      sampling[PARAM_FIELDS[key]] = message;
    } else {
      byField[key as EvaluationField] = message;
    }
  }
  return { byField, sampling, other: placed.other };
}
