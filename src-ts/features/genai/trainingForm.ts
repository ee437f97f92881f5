/**
 * The Generative AI fine-tune form (seed 003, `oci_generative_ai_model`):
 * base model, fine-tuning cluster, one JSONL dataset in Object Storage, the
 * training method (LoRA, T-Few, vanilla last-N-layers) and its
 * hyperparameters. Which fields a method takes, their defaults and ranges
 * come from the server (`GET genai/training-defaults`): an empty input is
 * the service's default.
 */
import type { TranslationBundle } from '@jupyterlab/translation';

import { CONTRACT_LIMITS } from '../../api/limits';
import type {
  CreateGenAiFineTuneRequest,
  GenAiTrainingConfig,
  GenAiTrainingDefaults,
  TrainingConfigType,
  TrainingField
} from '../../api/types';
import { parseOsUri } from '../../shared/modelSources';
import { displayNameErrors, typedDescription } from '../../shared/nameDescription';

const CONTRACT = CONTRACT_LIMITS.CreateGenAiFineTuneRequest;

// The contract bounds the name only; a description is the service's to refuse.
export const TRAINING_LIMITS = { name: CONTRACT.display_name.maxLength, description: Number.MAX_SAFE_INTEGER } as const;

/** A hyperparameter's name (`GenAiTrainingConfig`'s fields but the method). */
export type HyperParameter = Exclude<keyof GenAiTrainingConfig, 'training_config_type'>;

/** The request fields a refusal may name (the dataset's three parts show under its one input). */
export const TRAINING_FIELDS = [
  'display_name',
  'description',
  'base_model_id',
  'dedicated_ai_cluster_id',
  'training_dataset',
  'training_config_type',
  'total_training_epochs',
  'learning_rate',
  'training_batch_size',
  'early_stopping_patience',
  'early_stopping_threshold',
  'log_model_metrics_interval_in_steps',
  'num_of_last_layers',
  'lora_r',
  'lora_alpha',
  'lora_dropout'
] as const;
export type TrainingFormField = (typeof TRAINING_FIELDS)[number];

/** The hyperparameters of early stopping, shown together under their own legend. */
export const EARLY_STOPPING: readonly HyperParameter[] = ['early_stopping_patience', 'early_stopping_threshold'];

export interface ITrainingForm {
  name: string;
  description: string;
  baseModelId: string;
  clusterId: string;
  /** `oci://bucket@namespace/path/train.jsonl`. */
  dataset: string;
  method: TrainingConfigType;
  /** Per hyperparameter: '' is the service's default. */
  values: Partial<Record<HyperParameter, string>>;
}

export function initialTrainingForm(baseModelId: string | null, clusterId: string | null): ITrainingForm {
  return {
    name: '',
    description: '',
    baseModelId: baseModelId ?? '',
    clusterId: clusterId ?? '',
    dataset: '',
    method: 'LORA_TRAINING_CONFIG',
    values: {}
  };
}

/** The fields the chosen method takes, with their defaults and ranges (none until the server answered). */
export function methodFields(defaults: GenAiTrainingDefaults | null, method: TrainingConfigType): TrainingField[] {
  return defaults?.methods.find(item => item.training_config_type === method)?.fields ?? [];
}

/**
 * The methods a base model can be trained with: the ones the server lists
 * for it (its `training_methods`), else every method the service has.
 */
export function offeredMethods(
  defaults: GenAiTrainingDefaults | null,
  modelMethods: readonly TrainingConfigType[] | undefined
): TrainingConfigType[] {
  const all = defaults?.methods.map(item => item.training_config_type) ?? [];
  return modelMethods && modelMethods.length > 0 ? all.filter(method => modelMethods.includes(method)) : all;
}

/** "Default 8 · from 1 to 64" (the service's default and range, as the server answers them). */
export function rangeHint(field: TrainingField, trans: TranslationBundle): string {
  const text = (value: number): string => String(value);
  let range = '';
  if (field.low !== null && field.high !== null) {
    range = field.high_exclusive
      ? trans.__('from %1 to below %2', text(field.low), text(field.high))
      : trans.__('from %1 to %2', text(field.low), text(field.high));
  } else if (field.low !== null) {
    range = trans.__('%1 or more', text(field.low));
  } else if (field.high !== null) {
    range = trans.__('up to %1', text(field.high));
  }
  const base = trans.__('Default %1', text(field.default));
  return range ? `${base} · ${range}` : base;
}

/** Why a typed value is not one the field takes, or null (empty: the default). */
export function valueError(field: TrainingField, raw: string, trans: TranslationBundle): string | null {
  const text = raw.trim();
  if (!text) {
    return null;
  }
  const value = Number(text);
  if (!Number.isFinite(value) || (field.integer && !Number.isInteger(value))) {
    return field.integer ? trans.__('A whole number.') : trans.__('A number.');
  }
  const belowLow = field.low !== null && value < field.low;
  const aboveHigh = field.high !== null && (field.high_exclusive ? value >= field.high : value > field.high);
  return belowLow || aboveHigh ? rangeHint(field, trans) : null;
}

export function validateTrainingForm(
  form: ITrainingForm,
  defaults: GenAiTrainingDefaults | null,
  trans: TranslationBundle
): Partial<Record<TrainingFormField, string>> {
  const errors: Partial<Record<TrainingFormField, string>> = displayNameErrors(
    form,
    TRAINING_LIMITS,
    trans.__('Enter a name for the fine-tuned model.'),
    trans
  );
  if (!form.baseModelId) {
    errors.base_model_id = trans.__('Choose the base model to fine-tune.');
  }
  if (!form.clusterId) {
    errors.dedicated_ai_cluster_id = trans.__('Choose a fine-tuning cluster (create one first if there is none).');
  }
  const dataset = parseOsUri(form.dataset);
  if (!dataset || !dataset.object || dataset.object.endsWith('/')) {
    errors.training_dataset = trans.__('The JSONL file in Object Storage: oci://bucket@namespace/path/train.jsonl.');
  }
  for (const field of methodFields(defaults, form.method)) {
    const problem = valueError(field, form.values[field.name as HyperParameter] ?? '', trans);
    if (problem) {
      errors[field.name as HyperParameter] = problem;
    }
  }
  return errors;
}

/** The training configuration: the method, and only the values typed for the fields it takes. */
export function buildTrainingConfig(form: ITrainingForm, defaults: GenAiTrainingDefaults | null): GenAiTrainingConfig {
  const config: GenAiTrainingConfig = { training_config_type: form.method };
  for (const field of methodFields(defaults, form.method)) {
    const name = field.name as HyperParameter;
    const text = (form.values[name] ?? '').trim();
    if (text) {
      config[name] = Number(text);
    }
  }
  return config;
}

export function buildTrainingRequest(
  form: ITrainingForm,
  defaults: GenAiTrainingDefaults | null
): CreateGenAiFineTuneRequest {
  const dataset = parseOsUri(form.dataset) ?? { bucket: '', namespace: '', object: '' };
  return {
    display_name: form.name.trim(),
    base_model_id: form.baseModelId,
    dedicated_ai_cluster_id: form.clusterId,
    training_dataset: { namespace: dataset.namespace, bucket: dataset.bucket, object: dataset.object },
    training_config: buildTrainingConfig(form, defaults),
    ...typedDescription(form)
  };
}

/** A hyperparameter's label. */
export function hyperParameterLabel(name: string, trans: TranslationBundle): string {
  switch (name) {
    case 'total_training_epochs':
      return trans.__('Epochs');
    case 'learning_rate':
      return trans.__('Learning rate');
    case 'training_batch_size':
      return trans.__('Batch size');
    case 'early_stopping_patience':
      return trans.__('Patience (evaluations; 0 turns it off)');
    case 'early_stopping_threshold':
      return trans.__('Threshold (loss improvement)');
    case 'log_model_metrics_interval_in_steps':
      return trans.__('Log metrics every N steps (after the first 20; 0 turns it off)');
    case 'num_of_last_layers':
      return trans.__('Last layers to train');
    case 'lora_r':
      return trans.__('LoRA r (rank)');
    case 'lora_alpha':
      return trans.__('LoRA alpha');
    case 'lora_dropout':
      return trans.__('LoRA dropout');
    default:
      return name;
  }
}
