/**
 * The fine-tune form without React: its values (raw text, so a half-typed
 * number is not lost), the model's defaults merged into the fields the user
 * has not edited, client-side validation, the request body it becomes, and
 * the query that refreshes the training memory fit. The server validates
 * again; its 400 field errors land under the same inputs (FINETUNE_FIELDS are
 * the request's field names, hyperparameters by their name inside `params`).
 */
import type { TranslationBundle } from '@jupyterlab/translation';

import { CONTRACT_LIMITS } from '../../api/limits';
import type {
  CreateFineTuneRequest,
  FieldError,
  FineTuneDefaults,
  FineTuneDefaultsQuery,
  FineTuneParams,
  FitTarget,
  ModelSummary,
  TrainingFit,
  TrainingType
} from '../../api/types';
import { allows } from '../../shared/actions';
import type { BackendKind } from '../../shared/labels';
import { placeLineErrors, type IPlacedLineErrors } from '../../shared/fieldErrors';
import { datasetStem } from '../../shared/format';
import { nameDescriptionErrors, typedDescription } from '../../shared/nameDescription';
import { logPairErrors } from '../../shared/ociLog';

export type FineTuneField =
  | 'model_id'
  | 'name'
  | 'description'
  | 'dataset_path'
  | 'validation_split'
  | 'training_type'
  | 'epochs'
  | 'learning_rate'
  | 'batch_size'
  | 'max_seq_length'
  | 'pad_to_max_length'
  | 'lora_r'
  | 'lora_alpha'
  | 'lora_dropout'
  | 'lora_target_modules'
  | 'last_n_layers'
  | 'early_stopping_patience'
  | 'early_stopping_threshold'
  | 'logging_steps'
  | 'shape'
  | 'replicas'
  | 'output_uri'
  | 'experiment_name'
  | 'subnet_id'
  | 'log_group_id'
  | 'log_id';

export const FINETUNE_FIELDS: readonly FineTuneField[] = [
  'model_id',
  'name',
  'description',
  'dataset_path',
  'validation_split',
  'training_type',
  'epochs',
  'learning_rate',
  'batch_size',
  'max_seq_length',
  'pad_to_max_length',
  'lora_r',
  'lora_alpha',
  'lora_dropout',
  'lora_target_modules',
  'last_n_layers',
  'early_stopping_patience',
  'early_stopping_threshold',
  'logging_steps',
  'shape',
  'replicas',
  'output_uri',
  'experiment_name',
  'subnet_id',
  'log_group_id',
  'log_id'
];

export type FineTuneErrors = Partial<Record<FineTuneField, string>>;

const CONTRACT = CONTRACT_LIMITS.CreateFineTuneRequest;
const PARAMS = CONTRACT_LIMITS['FineTuneParams-Input'];
const range = (bounds: { minimum: number; maximum: number }): readonly [number, number] => [
  bounds.minimum,
  bounds.maximum
];

/** Bounds of the contract (CreateFineTuneRequest and FineTuneParams in schema/api/openapi.json). */
export const LIMITS = {
  name: CONTRACT.name.maxLength,
  description: CONTRACT.description.maxLength,
  datasetPath: CONTRACT.dataset_path.maxLength,
  validationSplitMaxPercent: Math.round(CONTRACT.validation_split.maximum * 100),
  epochs: range(PARAMS.epochs),
  learningRateMax: PARAMS.learning_rate.maximum,
  batchSize: range(PARAMS.batch_size),
  maxSeqLength: range(PARAMS.max_seq_length),
  loraR: range(PARAMS.lora_r),
  loraAlpha: range(PARAMS.lora_alpha),
  targetModules: PARAMS.lora_target_modules.maxItems,
  lastNLayers: range(PARAMS.last_n_layers),
  patience: range(PARAMS.early_stopping_patience),
  thresholdMax: PARAMS.early_stopping_threshold.maximum,
  loggingSteps: range(PARAMS.logging_steps),
  replicasMax: CONTRACT.replicas.maximum,
  ociId: CONTRACT.subnet_id.maxLength,
  outputUri: CONTRACT.output_uri.maxLength,
  experimentName: CONTRACT.experiment_name.maxLength
} as const;

export interface IFineTuneForm {
  modelId: string;
  name: string;
  description: string;
  datasetPath: string;
  /** Percent of the rows held out for validation, 0 to 50. */
  validationSplit: string;
  trainingType: TrainingType;
  epochs: string;
  learningRate: string;
  batchSize: string;
  maxSeqLength: string;
  padToMaxLength: boolean;
  loraR: string;
  loraAlpha: string;
  loraDropout: string;
  /** Comma-separated module names; empty: every linear layer. */
  loraTargetModules: string;
  lastNLayers: string;
  earlyStoppingPatience: string;
  earlyStoppingThreshold: string;
  loggingSteps: string;
  /** Local: 'cpu' or 'gpu'; OCI: a job shape; '' lets the server choose. */
  shape: string;
  replicas: string;
  outputUri: string;
  experimentName: string;
  subnetId: string;
  logGroupId: string;
  logId: string;
}

export type FormKey = keyof IFineTuneForm;

/** The request field each input feeds (editing an input clears that field's error). */
export const FORM_FIELDS: Record<FormKey, FineTuneField> = {
  modelId: 'model_id',
  name: 'name',
  description: 'description',
  datasetPath: 'dataset_path',
  validationSplit: 'validation_split',
  trainingType: 'training_type',
  epochs: 'epochs',
  learningRate: 'learning_rate',
  batchSize: 'batch_size',
  maxSeqLength: 'max_seq_length',
  padToMaxLength: 'pad_to_max_length',
  loraR: 'lora_r',
  loraAlpha: 'lora_alpha',
  loraDropout: 'lora_dropout',
  loraTargetModules: 'lora_target_modules',
  lastNLayers: 'last_n_layers',
  earlyStoppingPatience: 'early_stopping_patience',
  earlyStoppingThreshold: 'early_stopping_threshold',
  loggingSteps: 'logging_steps',
  shape: 'shape',
  replicas: 'replicas',
  outputUri: 'output_uri',
  experimentName: 'experiment_name',
  subnetId: 'subnet_id',
  logGroupId: 'log_group_id',
  logId: 'log_id'
};

/** Form keys that come from a model's defaults (`FineTuneDefaults.params`). */
const PARAM_KEYS = [
  'trainingType',
  'epochs',
  'learningRate',
  'batchSize',
  'maxSeqLength',
  'padToMaxLength',
  'loraR',
  'loraAlpha',
  'loraDropout',
  'loraTargetModules',
  'lastNLayers',
  'earlyStoppingPatience',
  'earlyStoppingThreshold',
  'loggingSteps'
] as const satisfies readonly FormKey[];

/** Inputs under "Advanced options" (the section opens when one of them has an error). */
export const ADVANCED_FIELDS: readonly FineTuneField[] = [
  'pad_to_max_length',
  'lora_alpha',
  'lora_dropout',
  'lora_target_modules',
  'early_stopping_patience',
  'early_stopping_threshold',
  'logging_steps',
  'subnet_id',
  'log_group_id',
  'log_id',
  'experiment_name'
];

/** The contract's own defaults, used until a model's arrive. */
export const CONTRACT_DEFAULTS: Readonly<FineTuneParams> = Object.freeze({
  training_type: 'lora',
  epochs: 3,
  learning_rate: 2e-4,
  batch_size: 8,
  max_seq_length: 512,
  pad_to_max_length: false,
  lora_r: 8,
  lora_alpha: 16,
  lora_dropout: 0.05,
  lora_target_modules: [],
  last_n_layers: 1,
  early_stopping_patience: 0,
  early_stopping_threshold: 0,
  logging_steps: 10,
  seed: 42
}) as FineTuneParams;

/** The models the server allows fine-tuning now (weights and tokenizer on hand). */
export function isFineTunable(model: Pick<ModelSummary, 'actions'>): boolean {
  return allows(model, 'finetune');
}

/** "Qwen2.5 0.5B Instruct · support-chats", or "… fine-tuned" before a dataset is chosen. */
export function defaultJobName(modelName: string | null | undefined, datasetPath: string): string {
  const model = (modelName ?? '').trim();
  const stem = datasetStem(datasetPath);
  const name = model && stem ? `${model} · ${stem}` : model ? `${model} fine-tuned` : stem;
  return name.slice(0, LIMITS.name).trim();
}

/** The form's values for a set of hyperparameters. */
export function paramsToForm(params: FineTuneParams): Pick<IFineTuneForm, (typeof PARAM_KEYS)[number]> {
  return {
    trainingType: params.training_type,
    epochs: String(params.epochs),
    learningRate: String(params.learning_rate),
    batchSize: String(params.batch_size),
    maxSeqLength: String(params.max_seq_length),
    padToMaxLength: params.pad_to_max_length,
    loraR: String(params.lora_r),
    loraAlpha: String(params.lora_alpha),
    loraDropout: String(params.lora_dropout),
    loraTargetModules: (params.lora_target_modules ?? []).join(', '),
    lastNLayers: String(params.last_n_layers),
    earlyStoppingPatience: String(params.early_stopping_patience),
    earlyStoppingThreshold: String(params.early_stopping_threshold),
    loggingSteps: String(params.logging_steps)
  };
}

export function initialFineTuneForm(model: Pick<ModelSummary, 'id' | 'name'> | null, datasetPath = ''): IFineTuneForm {
  return {
    modelId: model?.id ?? '',
    name: defaultJobName(model?.name, datasetPath),
    description: '',
    datasetPath,
    validationSplit: '10',
    ...paramsToForm(CONTRACT_DEFAULTS),
    shape: '',
    replicas: '1',
    outputUri: '',
    experimentName: '',
    subnetId: '',
    logGroupId: '',
    logId: ''
  };
}

/**
 * A model's defaults merged into the form: every hyperparameter and the shape
 * the user has not edited (`touched`) takes the model's value.
 */
export function applyDefaults(
  form: IFineTuneForm,
  defaults: Pick<FineTuneDefaults, 'params' | 'default_shape' | 'shapes'>,
  touched: ReadonlySet<FormKey>
): IFineTuneForm {
  const next: IFineTuneForm = { ...form };
  const values = paramsToForm({ ...CONTRACT_DEFAULTS, ...defaults.params });
  for (const key of PARAM_KEYS) {
    if (!touched.has(key)) {
      (next as unknown as Record<string, unknown>)[key] = values[key];
    }
  }
  if (!touched.has('shape') || (form.shape && defaults.shapes.length > 0 && !defaults.shapes.includes(form.shape))) {
    next.shape = defaults.default_shape ?? defaults.shapes[0] ?? '';
  }
  return next;
}

// ---- parsing -------------------------------------------------------------------------

function integer(text: string): number | null {
  return /^\s*\d+\s*$/.test(text) ? Number(text.trim()) : null;
}

function decimal(text: string): number | null {
  const trimmed = text.trim();
  if (!/^(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(trimmed)) {
    return null;
  }
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : null;
}

function inRange(value: number | null, [min, max]: readonly [number, number]): value is number {
  return value !== null && value >= min && value <= max;
}

/** "q_proj, v_proj" → ["q_proj", "v_proj"] (blanks dropped). */
export function parseModules(text: string): string[] {
  return text
    .split(/[,\s]+/)
    .map(item => item.trim())
    .filter(Boolean);
}

const MODULE_NAME = /^[A-Za-z_][A-Za-z0-9_.]{0,99}$/;
const OS_URI = /^oci:\/\/[^/@\s]+@[^/@\s]+(\/\S*)?$/;

/** The validation split as the fraction the contract wants (percent / 100), or null when invalid. */
export function splitFraction(form: Pick<IFineTuneForm, 'validationSplit'>): number | null {
  const percent = decimal(form.validationSplit);
  return percent !== null && percent >= 0 && percent <= LIMITS.validationSplitMaxPercent
    ? Math.round(percent * 100) / 10000
    : null;
}

/** The sequence length when it is a valid one. */
export function seqLength(form: Pick<IFineTuneForm, 'maxSeqLength'>): number | null {
  const value = integer(form.maxSeqLength);
  return inRange(value, LIMITS.maxSeqLength) ? value : null;
}

// ---- validation ----------------------------------------------------------------------

/** Errors to show before anything is sent; empty when the form can be submitted. */
export function validateFineTuneForm(
  form: IFineTuneForm,
  backend: BackendKind,
  trans: TranslationBundle,
  options: { needsOutputUri?: boolean; maxReplicas?: number } = {}
): FineTuneErrors {
  const errors: FineTuneErrors = {};
  const between = (min: number, max: number): string =>
    trans.__('A whole number from %1 to %2.', min.toLocaleString(), max.toLocaleString());
  if (!form.modelId) {
    errors.model_id = trans.__('Choose the base model to fine-tune.');
  }
  Object.assign(
    errors,
    nameDescriptionErrors(form, LIMITS, trans.__('Enter a name for the job (the fine-tuned model gets it too).'), trans)
  );
  const path = form.datasetPath.trim();
  if (!path) {
    errors.dataset_path = trans.__('Choose a JSONL dataset: a path inside the Jupyter root, Browse… or Upload….');
  } else if (path.length > LIMITS.datasetPath) {
    errors.dataset_path = trans.__('At most %1 characters.', LIMITS.datasetPath);
  } else if (path.startsWith('oci://') && backend !== 'oci') {
    errors.dataset_path = trans.__('An oci:// dataset needs the OCI backend: use a file inside the Jupyter root.');
  }
  if (splitFraction(form) === null) {
    errors.validation_split = trans.__('A percentage from 0 to %1.', LIMITS.validationSplitMaxPercent);
  }
  if (!inRange(integer(form.epochs), LIMITS.epochs)) {
    errors.epochs = between(...LIMITS.epochs);
  }
  const rate = decimal(form.learningRate);
  if (rate === null || rate <= 0 || rate > LIMITS.learningRateMax) {
    errors.learning_rate = trans.__('A number above 0 and at most 1, such as 2e-4.');
  }
  if (!inRange(integer(form.batchSize), LIMITS.batchSize)) {
    errors.batch_size = between(...LIMITS.batchSize);
  }
  if (seqLength(form) === null) {
    errors.max_seq_length = between(...LIMITS.maxSeqLength);
  }
  if (form.trainingType === 'lora') {
    if (!inRange(integer(form.loraR), LIMITS.loraR)) {
      errors.lora_r = between(...LIMITS.loraR);
    }
    if (!inRange(integer(form.loraAlpha), LIMITS.loraAlpha)) {
      errors.lora_alpha = between(...LIMITS.loraAlpha);
    }
    const dropout = decimal(form.loraDropout);
    if (dropout === null || dropout >= 1) {
      errors.lora_dropout = trans.__('A number from 0 up to (not including) 1.');
    }
    const modules = parseModules(form.loraTargetModules);
    const bad = modules.find(item => !MODULE_NAME.test(item));
    if (bad !== undefined) {
      errors.lora_target_modules = trans.__(
        '“%1” is not a module name (letters, digits, “_” and “.”).',
        bad.slice(0, 50)
      );
    } else if (modules.length > LIMITS.targetModules) {
      errors.lora_target_modules = trans.__('At most %1 modules.', LIMITS.targetModules);
    }
  } else if (!inRange(integer(form.lastNLayers), LIMITS.lastNLayers)) {
    errors.last_n_layers = between(...LIMITS.lastNLayers);
  }
  if (!inRange(integer(form.earlyStoppingPatience), LIMITS.patience)) {
    errors.early_stopping_patience = between(...LIMITS.patience);
  }
  const threshold = decimal(form.earlyStoppingThreshold);
  if (threshold === null || threshold > LIMITS.thresholdMax) {
    errors.early_stopping_threshold = trans.__('A number from 0 to %1.', LIMITS.thresholdMax);
  }
  if (!inRange(integer(form.loggingSteps), LIMITS.loggingSteps)) {
    errors.logging_steps = between(...LIMITS.loggingSteps);
  }
  if (backend === 'local' && form.shape && form.shape !== 'cpu' && form.shape !== 'gpu') {
    errors.shape = trans.__('Choose CPU or GPU.');
  }
  if (backend === 'oci') {
    const maxReplicas = Math.min(LIMITS.replicasMax, options.maxReplicas ?? LIMITS.replicasMax);
    const replicas = integer(form.replicas);
    if (!inRange(replicas, [1, maxReplicas])) {
      errors.replicas = between(1, maxReplicas);
    }
    const uri = form.outputUri.trim();
    if (!uri && options.needsOutputUri) {
      errors.output_uri = trans.__(
        'Choose where the fine-tuned weights go: oci://bucket@namespace/prefix in a versioned bucket.'
      );
    } else if (uri && !OS_URI.test(uri)) {
      errors.output_uri = trans.__('Must look like oci://bucket@namespace/prefix.');
    } else if (uri.length > LIMITS.outputUri) {
      errors.output_uri = trans.__('At most %1 characters.', LIMITS.outputUri);
    }
    if (form.experimentName.trim().length > LIMITS.experimentName) {
      errors.experiment_name = trans.__('At most %1 characters.', LIMITS.experimentName);
    }
    Object.assign(errors, logPairErrors(form, trans));
    if (replicas !== null && replicas > 1) {
      if (!form.subnetId.trim()) {
        errors.subnet_id = trans.__('A run on more than one node needs a subnet.');
      }
      if (!form.logGroupId.trim() && !errors.log_group_id) {
        errors.log_group_id = trans.__('A run on more than one node needs a log group and a log.');
      }
    }
    for (const [key, field] of [
      ['subnetId', 'subnet_id'],
      ['logGroupId', 'log_group_id'],
      ['logId', 'log_id']
    ] as const) {
      if (form[key].trim().length > LIMITS.ociId) {
        errors[field] = trans.__('At most %1 characters.', LIMITS.ociId);
      }
    }
  }
  return errors;
}

// ---- the request ---------------------------------------------------------------------

/** The hyperparameters of the form (every one sent: the job records exactly what it ran with). */
export function buildParams(form: IFineTuneForm): NonNullable<CreateFineTuneRequest['params']> {
  const params: NonNullable<CreateFineTuneRequest['params']> = {
    training_type: form.trainingType,
    epochs: Number(form.epochs.trim()),
    learning_rate: Number(form.learningRate.trim()),
    batch_size: Number(form.batchSize.trim()),
    max_seq_length: Number(form.maxSeqLength.trim()),
    pad_to_max_length: form.padToMaxLength,
    early_stopping_patience: Number(form.earlyStoppingPatience.trim()),
    early_stopping_threshold: Number(form.earlyStoppingThreshold.trim()),
    logging_steps: Number(form.loggingSteps.trim())
  };
  if (form.trainingType === 'lora') {
    params.lora_r = Number(form.loraR.trim());
    params.lora_alpha = Number(form.loraAlpha.trim());
    params.lora_dropout = Number(form.loraDropout.trim());
    params.lora_target_modules = parseModules(form.loraTargetModules);
  } else {
    params.last_n_layers = Number(form.lastNLayers.trim());
  }
  return params;
}

/** The request body; OCI-only fields are left out on this machine, empty optional ones always. */
export function buildFineTuneRequest(form: IFineTuneForm, backend: BackendKind): CreateFineTuneRequest {
  const body: CreateFineTuneRequest = {
    model_id: form.modelId,
    name: form.name.trim(),
    dataset_path: form.datasetPath.trim(),
    validation_split: splitFraction(form) ?? 0.1,
    params: buildParams(form),
    ...typedDescription(form)
  };
  if (form.shape) {
    body.shape = form.shape;
  }
  if (backend === 'oci') {
    body.replicas = Number(form.replicas.trim());
    const optional: Array<[keyof CreateFineTuneRequest, string]> = [
      ['output_uri', form.outputUri],
      ['experiment_name', form.experimentName],
      ['subnet_id', form.subnetId],
      ['log_group_id', form.logGroupId],
      ['log_id', form.logId]
    ];
    for (const [key, value] of optional) {
      if (value.trim()) {
        (body as Record<string, unknown>)[key] = value.trim();
      }
    }
  }
  return body;
}

/**
 * The query that refreshes the training memory fit for what the form says now,
 * or null while one of its numbers is not valid (the last fit stays shown).
 */
export function fitQuery(form: IFineTuneForm): FineTuneDefaultsQuery | null {
  const batch = integer(form.batchSize);
  const length = seqLength(form);
  if (!inRange(batch, LIMITS.batchSize) || length === null) {
    return null;
  }
  const query: FineTuneDefaultsQuery = {
    training_type: form.trainingType,
    batch_size: batch,
    max_seq_length: length
  };
  if (form.trainingType === 'lora') {
    const r = integer(form.loraR);
    if (!inRange(r, LIMITS.loraR)) {
      return null;
    }
    query.lora_r = r;
  } else {
    const layers = integer(form.lastNLayers);
    if (!inRange(layers, LIMITS.lastNLayers)) {
      return null;
    }
    query.last_n_layers = layers;
  }
  if (form.shape) {
    query.shape = form.shape;
  }
  return query;
}

/** A stable key of a query (to skip a request whose answer is already shown). */
export function queryKey(modelId: string, query: object | null): string {
  if (query === null) {
    return '';
  }
  const entries = Object.entries(query)
    .filter(([, value]) => value !== undefined && value !== null)
    .sort(([a], [b]) => a.localeCompare(b));
  return `${modelId}?${entries.map(([key, value]) => `${key}=${String(value)}`).join('&')}`;
}

/** The fit row of the chosen shape (or the recommended one when the server chooses). */
export function fitTargetFor(fit: TrainingFit | null, shape: string): FitTarget | null {
  if (!fit) {
    return null;
  }
  const wanted = shape || fit.recommended_shape;
  return fit.targets.find(target => target.name === wanted) ?? null;
}

// ---- server errors -------------------------------------------------------------------

export type IPlacedFineTuneErrors = IPlacedLineErrors<FineTuneField>;

/** Place a 400's field errors under the fine-tune form's inputs (`placeLineErrors`). */
export function placeFineTuneErrors(fields: readonly FieldError[] | null | undefined): IPlacedFineTuneErrors {
  return placeLineErrors(fields, FINETUNE_FIELDS);
}
