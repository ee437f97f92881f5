/**
 * The deploy form without React: its values, the choices each backend
 * offers (engines, modes, shapes), client-side validation and the request
 * body it becomes. The server validates again; its 400 field errors land
 * under the same inputs (DEPLOY_FIELDS are the request's field names).
 */
import type { TranslationBundle } from '@jupyterlab/translation';

import { CONTRACT_LIMITS } from '../../api/limits';
import type {
  AdapterChange,
  CreateDeploymentRequest,
  Dtype,
  EngineName,
  FitReport,
  FitTarget,
  InferenceMode,
  Info,
  ModelSummary
} from '../../api/types';
import { allows } from '../../shared/actions';
import { engineLabel, modeLabel, type BackendKind } from '../../shared/labels';
import { nameDescriptionErrors, typedDescription } from '../../shared/nameDescription';
import { logPairErrors } from '../../shared/ociLog';

export type DeployField =
  | 'model_id'
  | 'name'
  | 'description'
  | 'shape'
  | 'replicas'
  | 'engine'
  | 'mode'
  | 'quantization'
  | 'adapters'
  | 'max_model_len'
  | 'dtype'
  | 'params'
  | 'log_group_id'
  | 'log_id'
  | 'idle_stop_minutes';

/** In form order: the advanced options (the deploy dialog's fold) from max_model_len on. */
export const DEPLOY_FIELDS: readonly DeployField[] = [
  'model_id',
  'name',
  'description',
  'shape',
  'replicas',
  'engine',
  'mode',
  'quantization',
  'adapters',
  'max_model_len',
  'dtype',
  'params',
  'log_group_id',
  'log_id',
  'idle_stop_minutes'
];

const CONTRACT = CONTRACT_LIMITS.CreateDeploymentRequest;

/** Bounds of the contract (CreateDeploymentRequest in schema/api/openapi.json). */
export const LIMITS = {
  adapters: CONTRACT.adapters.maxItems,
  name: CONTRACT.name.maxLength,
  description: CONTRACT.description.maxLength,
  replicasMin: CONTRACT.replicas.minimum,
  replicasMax: CONTRACT.replicas.maximum,
  maxModelLenMin: CONTRACT.max_model_len.minimum,
  maxModelLenMax: CONTRACT.max_model_len.maximum,
  params: CONTRACT.params.maxItems,
  idleStopMin: CONTRACT.idle_stop_minutes.minimum,
  idleStopMax: CONTRACT.idle_stop_minutes.maximum,
  logId: CONTRACT.log_id.maxLength
} as const;

/** One `--name value` row of the engine parameters (value empty for a flag). */
export interface IParamRow {
  /** Stable React key. */
  key: number;
  name: string;
  value: string;
}

export interface IDeployForm {
  modelId: string;
  name: string;
  description: string;
  /** Local: 'cpu' or 'gpu'. OCI: a shape name, or '' to let the server pick. */
  shape: string;
  replicas: string;
  engine: EngineName;
  mode: InferenceMode;
  maxModelLen: string;
  /** '' = the server's default (bfloat16 on GPU, float32 on CPU). */
  dtype: Dtype | '';
  /** One of the fit's `quantizations` for the engine (a dtype, a GGUF level…); '' = the engine's default. */
  quantization: string;
  params: IParamRow[];
  logGroupId: string;
  logId: string;
  /** Minutes without a request before it is deactivated; '' = never. */
  idleStopMinutes: string;
  /** LoRA fine-tunes served beside the base (their model ids), each picked per request by its name. */
  adapters: string[];
}

export interface IChoice<T extends string = string> {
  value: T;
  label: string;
  disabled: boolean;
  /** Why it is disabled (shown next to the choice). */
  reason: string | null;
}

export type DeployErrors = Partial<Record<DeployField, string>>;

export const LOCAL_ENGINES: readonly EngineName[] = ['transformers', 'vllm', 'llama.cpp'];
export const OCI_ENGINES: readonly EngineName[] = ['vllm', 'llama.cpp', 'tgi'];
export const MODES: readonly InferenceMode[] = ['chat', 'completion', 'embedding'];

/**
 * The engines that serve LoRA adapters on the chosen target, and how other adapters reach a deployment once it
 * exists: the server's own table (the target's `adapter_engines`, services/adapters.py), not one of the form's.
 */
export function adapterEngines(info: Info | null): Partial<Record<EngineName, AdapterChange>> {
  return (info?.backend.adapter_engines ?? {}) as Partial<Record<EngineName, AdapterChange>>;
}

/** Whether adapters may be picked for `engine` in `mode` (an embedding gives vectors: adapters change answers). */
export function servesAdapters(engine: EngineName, mode: InferenceMode, info: Info | null): boolean {
  return mode !== 'embedding' && adapterEngines(info)[engine] !== undefined;
}

/** Why adapters cannot be picked with `engine` in `mode`, naming the engines of this target that serve them. */
export function noAdaptersReason(
  engine: EngineName,
  mode: InferenceMode,
  info: Info | null,
  trans: TranslationBundle
): string {
  if (mode === 'embedding' && adapterEngines(info)[engine] !== undefined) {
    return trans.__('An embedding deployment gives vectors: adapters change answers.');
  }
  const others = (Object.keys(adapterEngines(info)) as EngineName[])
    .map(engineLabel)
    .sort((a, b) => a.localeCompare(b));
  return others.length > 0
    ? trans.__('%1 serves no adapters on this target; engines that do: %2.', engineLabel(engine), others.join(', '))
    : trans.__('%1 serves no adapters on this target.', engineLabel(engine));
}

/**
 * The models offered as adapters: LoRA fine-tunes on the deployment's target (the server checks each was trained
 * on the deployed base and that the engine loads its rank, naming the adapter that does not).
 */
export function adapterCandidates<M extends Pick<ModelSummary, 'id' | 'source' | 'tags' | 'target'>>(
  models: readonly M[],
  base: Pick<ModelSummary, 'id' | 'target'> | null
): M[] {
  return models.filter(
    item =>
      item.source === 'fine-tuned' &&
      item.tags.includes('lora') &&
      item.id !== base?.id &&
      (!base || item.target === base.target)
  );
}

/** The models the server allows deploying now (downloaded, with weights). */
export function isDeployable(model: Pick<ModelSummary, 'actions'>): boolean {
  return allows(model, 'deploy');
}

export function defaultDeploymentName(model: Pick<ModelSummary, 'name'> | null): string {
  return (model?.name ?? '').trim().slice(0, LIMITS.name);
}

/** Engines to choose from; on this machine the ones not installed are disabled with the reason. */
export function engineChoices(
  backend: BackendKind,
  info: Info | null,
  trans: TranslationBundle
): IChoice<EngineName>[] {
  if (backend === 'oci') {
    return OCI_ENGINES.map(value => ({ value, label: engineLabel(value), disabled: false, reason: null }));
  }
  return LOCAL_ENGINES.map(value => {
    const engine = info?.engines.find(item => item.name === value);
    // transformers is what the local backend always ships; the others must be installed.
    const available = engine ? engine.available : value === 'transformers';
    return {
      value,
      label: engine?.version ? `${engineLabel(value)} ${engine.version}` : engineLabel(value),
      disabled: !available,
      reason: available ? null : engine?.reason || trans.__('Not installed on this machine.')
    };
  });
}

/**
 * The modes the chosen target deploys `engine` in, as its driver says (`info.backend.engine_modes`,
 * the table the create request is checked against); unknown (a target not started yet, an older
 * server) offers every mode and lets the server answer.
 */
function servedModes(engine: EngineName, info: Info | null): readonly string[] {
  return info?.backend.engine_modes?.[engine] ?? MODES;
}

/** Inference modes; those the target does not deploy with `engine` are disabled with the reason. */
export function modeChoices(engine: EngineName, info: Info | null, trans: TranslationBundle): IChoice<InferenceMode>[] {
  const served = servedModes(engine, info);
  return MODES.map(value => {
    const refused = !served.includes(value);
    return {
      value,
      label: modeLabel(value, trans),
      disabled: refused,
      reason: refused
        ? trans.__(
            '%1 does not serve %2 on this target; it serves %3.',
            engineLabel(engine),
            modeLabel(value, trans),
            served.map(mode => modeLabel(mode as InferenceMode, trans)).join(', ')
          )
        : null
    };
  });
}

/** CPU, and GPU when this machine has one. */
export function localShapeChoices(info: Info | null, trans: TranslationBundle): IChoice[] {
  const hardware = info?.hardware;
  const cpu: IChoice = {
    value: 'cpu',
    label: hardware
      ? trans.__('CPU (%1 cores, %2 GB memory)', hardware.cpu_count, Math.round(hardware.memory_gb))
      : trans.__('CPU'),
    disabled: false,
    reason: null
  };
  const gpus = hardware?.gpus ?? [];
  const gpu: IChoice = {
    value: 'gpu',
    label:
      gpus.length === 0
        ? trans.__('GPU')
        : gpus.length === 1
          ? trans.__('GPU (%1, %2 GB)', gpus[0].name, Math.round(gpus[0].memory_gb))
          : trans.__(
              'GPU (%1 × %2, %3 GB in all)',
              gpus.length,
              gpus[0].name,
              Math.round(gpus.reduce((sum, g) => sum + g.memory_gb, 0))
            ),
    disabled: gpus.length === 0,
    reason: gpus.length === 0 ? trans.__('No GPU on this machine.') : null
  };
  return [cpu, gpu];
}

/** The OCI shapes of the fit report, the recommended one first. */
export function ociShapeChoices(fit: FitReport | null): FitTarget[] {
  if (!fit) {
    return [];
  }
  return [...fit.shapes].sort((a, b) => {
    const ra = a.recommended || a.name === fit.recommended_shape ? 0 : 1;
    const rb = b.recommended || b.name === fit.recommended_shape ? 0 : 1;
    return ra - rb;
  });
}

/** The fit report's row for the chosen shape (local: the CPU or the first GPU row). */
export function fitTargetForShape(fit: FitReport | null, backend: BackendKind, shape: string): FitTarget | null {
  if (!fit) {
    return null;
  }
  if (backend === 'oci') {
    return fit.shapes.find(target => target.name === shape) ?? null;
  }
  const kind = shape === 'gpu' ? 'local-gpu' : 'local-cpu';
  const rows = fit.local.filter(target => target.kind === kind);
  return rows.find(target => target.recommended) ?? rows[0] ?? null;
}

/** The data type the fit is computed for: the chosen one, else what the server will use. */
export function effectiveDtype(form: Pick<IDeployForm, 'dtype' | 'shape'>, backend: BackendKind): Dtype {
  if (form.dtype) {
    return form.dtype;
  }
  return backend === 'local' && form.shape !== 'gpu' ? 'float32' : 'bfloat16';
}

/** The shape the server would pick when the user has not chosen one. */
export function defaultShape(backend: BackendKind, info: Info | null, fit: FitReport | null): string {
  if (backend === 'local') {
    return (info?.hardware.gpus.length ?? 0) > 0 ? 'gpu' : 'cpu';
  }
  if (!fit) {
    return '';
  }
  return fit.recommended_shape ?? fit.shapes.find(shape => shape.fits)?.name ?? fit.shapes[0]?.name ?? '';
}

export function defaultEngine(
  backend: BackendKind,
  model: Pick<ModelSummary, 'formats'> | null,
  info: Info | null
): EngineName {
  if (backend === 'oci') {
    return 'vllm';
  }
  const ggufOnly = !!model && model.formats.length > 0 && model.formats.every(format => format === 'gguf');
  const llamaCpp = info?.engines.find(engine => engine.name === 'llama.cpp');
  return ggufOnly && llamaCpp?.available ? 'llama.cpp' : 'transformers';
}

export function defaultMode(
  model: Pick<ModelSummary, 'capability'> | null,
  engine: EngineName,
  info: Info | null
): InferenceMode {
  return model?.capability === 'EMBEDDING' && servedModes(engine, info).includes('embedding') ? 'embedding' : 'chat';
}

let rowKey = 0;
export function newParamRow(name = '', value = ''): IParamRow {
  rowKey += 1;
  return { key: rowKey, name, value };
}

export function initialDeployForm(model: ModelSummary | null, backend: BackendKind, info: Info | null): IDeployForm {
  const engine = defaultEngine(backend, model, info);
  return {
    modelId: model?.id ?? '',
    name: defaultDeploymentName(model),
    description: '',
    shape: defaultShape(backend, info, null),
    replicas: '1',
    engine,
    mode: defaultMode(model, engine, info),
    maxModelLen: '',
    dtype: '',
    quantization: '',
    params: [],
    logGroupId: '',
    logId: '',
    idleStopMinutes: '',
    adapters: []
  };
}

/** `--name value` rows as argv tokens; empty rows are skipped, a row without a value is a flag. */
export function paramTokens(rows: readonly IParamRow[]): string[] {
  const tokens: string[] = [];
  for (const row of rows) {
    const name = row.name.trim();
    const value = row.value.trim();
    if (!name && !value) {
      continue;
    }
    tokens.push(name);
    if (value) {
      tokens.push(value);
    }
  }
  return tokens;
}

/** Whether the text holds a control character (U+0000 to U+001F). */
function hasControl(text: string): boolean {
  return [...text].some(char => char.charCodeAt(0) < 0x20);
}

function wholeNumber(text: string): number | null {
  return /^\d+$/.test(text.trim()) ? Number(text.trim()) : null;
}

/** Whether `text` is a whole number from `min` to `max`. */
function inRange(text: string, min: number, max: number): boolean {
  const value = wholeNumber(text);
  return value !== null && value >= min && value <= max;
}

/** Errors to show before anything is sent; empty when the form can be submitted. */
export function validateDeployForm(
  form: IDeployForm,
  backend: BackendKind,
  info: Info | null,
  trans: TranslationBundle
): DeployErrors {
  const errors: DeployErrors = {};
  if (!form.modelId) {
    errors.model_id = trans.__('Choose a model to deploy.');
  }
  Object.assign(errors, nameDescriptionErrors(form, LIMITS, trans.__('Enter a name for the deployment.'), trans));
  if (backend === 'local' && form.shape !== 'cpu' && form.shape !== 'gpu') {
    errors.shape = trans.__('Choose CPU or GPU.');
  }
  if (form.adapters.length > LIMITS.adapters) {
    errors.adapters = trans.__('At most %1 adapters.', LIMITS.adapters);
  } else if (form.adapters.length > 0 && !servesAdapters(form.engine, form.mode, info)) {
    errors.adapters = noAdaptersReason(form.engine, form.mode, info, trans);
  }
  if (backend === 'oci' && !inRange(form.replicas, LIMITS.replicasMin, LIMITS.replicasMax)) {
    errors.replicas = trans.__('A whole number from %1 to %2.', LIMITS.replicasMin, LIMITS.replicasMax);
  }
  if (form.maxModelLen.trim() && !inRange(form.maxModelLen, LIMITS.maxModelLenMin, LIMITS.maxModelLenMax)) {
    errors.max_model_len = trans.__(
      'A whole number of tokens from %1 to %2, or empty for the model’s own.',
      LIMITS.maxModelLenMin,
      LIMITS.maxModelLenMax.toLocaleString()
    );
  }
  if (form.idleStopMinutes.trim() && !inRange(form.idleStopMinutes, LIMITS.idleStopMin, LIMITS.idleStopMax)) {
    errors.idle_stop_minutes = trans.__(
      'A whole number of minutes from %1 to %2 (a week), or empty to never stop.',
      LIMITS.idleStopMin,
      LIMITS.idleStopMax.toLocaleString()
    );
  }
  const paramErrors: string[] = [];
  const filled = form.params.filter(row => row.name.trim() || row.value.trim());
  if (filled.length > LIMITS.params / 2) {
    paramErrors.push(trans.__('At most %1 parameters.', LIMITS.params / 2));
  }
  for (const row of filled) {
    const rowName = row.name.trim();
    if (!rowName) {
      paramErrors.push(trans.__('“%1” has no parameter name before it.', row.value.trim()));
    } else if (!/^--?[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(rowName)) {
      paramErrors.push(trans.__('“%1” is not a parameter name such as --max-num-seqs.', rowName));
    } else if (hasControl(row.value)) {
      paramErrors.push(trans.__('The value of %1 holds control characters.', rowName));
    }
  }
  if (paramErrors.length > 0) {
    errors.params = paramErrors.join(' ');
  }
  if (backend === 'oci') {
    const group = form.logGroupId.trim();
    const log = form.logId.trim();
    Object.assign(errors, logPairErrors(form, trans));
    if (group.length > LIMITS.logId) {
      errors.log_group_id = trans.__('At most %1 characters.', LIMITS.logId);
    }
    if (log.length > LIMITS.logId) {
      errors.log_id = trans.__('At most %1 characters.', LIMITS.logId);
    }
  }
  return errors;
}

/** The request body; optional fields left empty are left out (the server's defaults apply). */
export function buildDeployRequest(
  form: IDeployForm,
  backend: BackendKind,
  info: Info | null
): CreateDeploymentRequest {
  const body: CreateDeploymentRequest = {
    model_id: form.modelId,
    name: form.name.trim(),
    engine: form.engine,
    mode: form.mode,
    ...typedDescription(form)
  };
  if (form.shape) {
    body.shape = form.shape;
  }
  if (form.dtype) {
    body.dtype = form.dtype;
  }
  if (form.quantization) {
    body.quantization = form.quantization;
  }
  if (form.maxModelLen.trim()) {
    body.max_model_len = Number(form.maxModelLen.trim());
  }
  if (form.idleStopMinutes.trim()) {
    body.idle_stop_minutes = Number(form.idleStopMinutes.trim());
  }
  const params = paramTokens(form.params);
  if (params.length > 0) {
    body.params = params;
  }
  // Adapters are picked where the engine serves them: a choice left from another target or engine is not sent.
  if (form.adapters.length > 0 && servesAdapters(form.engine, form.mode, info)) {
    body.adapters = form.adapters.map(modelId => ({ model_id: modelId }));
  }
  if (backend === 'oci') {
    body.replicas = Number(form.replicas.trim());
    if (form.logGroupId.trim() && form.logId.trim()) {
      body.log_group_id = form.logGroupId.trim();
      body.log_id = form.logId.trim();
    }
  }
  return body;
}
