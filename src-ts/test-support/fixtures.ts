/**
 * Test data shaped by the generated contract types, and a fake client.
 */
import type { IAquaClient } from '../api/client';
import type {
  ChatRequest,
  ChatStreamEvent,
  ConnectionChatRequest,
  ConnectionDetail,
  ConnectionSummary,
  EvaluationDetail,
  EvaluationReport,
  EvaluationRow,
  EvaluationSummary,
  CreateFineTuneRequest,
  DatasetReport,
  DeploymentDetail,
  DeploymentMetrics,
  LogPage,
  DeploymentSummary,
  FineTuneDefaults,
  FineTuneDetail,
  FineTuneSummary,
  FitReport,
  FitTarget,
  Info,
  ModelDetail,
  ModelSummary,
  MetricPoint,
  Operation,
  TargetProblem,
  TrainingFit,
  GenAiCluster,
  GenAiModel,
  OnDemandModel,
  WeightChoice
} from '../api/types';
import { CONTRACT_DEFAULTS } from '../features/finetunes/finetuneForm';
import { makeOciSetup } from './ociSetup';
import {
  makeBaseModel,
  makeCluster,
  makeFineTuningCluster,
  makeGenAiModel,
  makePlan,
  makeTrainingDefaults
} from './genai';
import { bestOf, deploymentActions, evaluationActions, fineTuneActions, modelActions } from './serverActions';

/** A model; its `actions` are the server's for its readiness and source unless given. */
export function makeModel(overrides: Partial<ModelSummary> = {}): ModelSummary {
  const model: ModelSummary = {
    id: 'catalog:Qwen--Qwen2.5-0.5B-Instruct',
    name: 'Qwen2.5 0.5B Instruct',
    source: 'catalog',
    organization: 'Alibaba Cloud (Qwen)',
    license: 'apache-2.0',
    task: 'text-generation',
    capability: 'TEXT_TO_TEXT',
    parameter_count: 494_032_768,
    context_length: 32768,
    formats: ['safetensors'],
    size_bytes: 988_097_824,
    hf_id: 'Qwen/Qwen2.5-0.5B-Instruct',
    description: 'Small instruction-tuned chat model.',
    tags: ['chat', 'multilingual'],
    gated: false,
    ready_to_deploy: true,
    ready_to_finetune: true,
    artifact_location: null,
    created_at: null,
    target: 'local',
    actions: [],
    ...overrides
  };
  return { ...model, actions: overrides.actions ?? modelActions(model) };
}

export function makeDetail(overrides: Partial<ModelDetail> = {}): ModelDetail {
  const detail: ModelDetail = {
    ...makeModel(),
    card_markdown: '# Qwen2.5\n\nA **small** model.',
    license_url: 'https://www.apache.org/licenses/LICENSE-2.0',
    architecture: {
      model_type: 'qwen2',
      num_hidden_layers: 24,
      hidden_size: 896,
      num_attention_heads: 14,
      num_key_value_heads: 2,
      head_dim: 64,
      torch_dtype: 'bfloat16',
      vocab_size: 151936,
      tie_word_embeddings: true,
      kv_lora_rank: null,
      qk_rope_head_dim: null,
      is_encoder_decoder: null,
      decoder_layers: null,
      decoder_attention_heads: null,
      encoder_positions: null,
      sliding_window: null,
      sliding_layers: null,
      sliding_window_pattern: null,
      use_sliding_window: null,
      max_window_layers: null,
      quantization: null
    },
    lineage: null,
    files: [],
    notes: [],
    deployment_config: null,
    finetune_config: null,
    ...overrides
  };
  return { ...detail, actions: overrides.actions ?? modelActions(detail) };
}

/** A small but varied catalog. */
export function sampleModels(): ModelSummary[] {
  return [
    makeModel(),
    makeModel({
      id: 'catalog:meta-llama--Llama-3.1-8B-Instruct',
      name: 'Llama 3.1 8B Instruct',
      organization: 'Meta',
      license: 'llama3.1',
      hf_id: 'meta-llama/Llama-3.1-8B-Instruct',
      parameter_count: 8_030_261_248,
      size_bytes: 16_060_522_496,
      gated: true,
      description: 'Meta instruction-tuned model with tool use.',
      tags: ['chat', 'tools'],
      ready_to_finetune: true
    }),
    makeModel({
      id: 'catalog:BAAI--bge-small-en-v1.5',
      name: 'BGE small en v1.5',
      organization: 'BAAI',
      license: 'mit',
      task: 'feature-extraction',
      capability: 'EMBEDDING',
      hf_id: 'BAAI/bge-small-en-v1.5',
      parameter_count: 33_360_000,
      size_bytes: 133_000_000,
      description: 'English sentence embeddings for retrieval.',
      tags: ['embeddings', 'retrieval'],
      ready_to_finetune: false
    }),
    makeModel({
      id: 'reg:tinyllama-gguf',
      name: 'TinyLlama GGUF',
      source: 'registered',
      organization: null,
      license: null,
      hf_id: null,
      formats: ['gguf'],
      parameter_count: 1_100_000_000,
      size_bytes: 669_000_000,
      description: 'Quantized TinyLlama registered from a folder.',
      tags: [],
      ready_to_finetune: false,
      artifact_location: '/home/me/models/tinyllama',
      created_at: '2026-11-20T10:00:00Z'
    }),
    makeModel({
      id: 'demo:aqua-demo-tiny',
      name: 'Aqua demo (tiny)',
      source: 'demo',
      organization: 'aqua_ext',
      license: 'apache-2.0',
      hf_id: null,
      parameter_count: 139_600,
      size_bytes: 600_000,
      description: 'Generated offline with random weights.',
      tags: ['demo'],
      ready_to_finetune: true,
      created_at: '2026-11-21T10:00:00Z'
    })
  ];
}

/** `count` models with varied fields, for volume tests. */
export function manyModels(count: number): ModelSummary[] {
  const capabilities: ModelSummary['capability'][] = ['TEXT_TO_TEXT', 'IMAGE_TEXT_TO_TEXT', 'EMBEDDING', 'RERANK'];
  const sources: ModelSummary['source'][] = ['catalog', 'cache', 'registered', 'fine-tuned', 'demo'];
  const orgs = ['Meta', 'Mistral AI', 'Alibaba Cloud (Qwen)', 'Google', 'Microsoft', 'BAAI'];
  return Array.from({ length: count }, (_, i) =>
    makeModel({
      id: `m${i}`,
      name: `Model ${i} ${orgs[i % orgs.length]}`,
      source: sources[i % sources.length],
      capability: capabilities[i % capabilities.length],
      organization: orgs[i % orgs.length],
      hf_id: `${orgs[i % orgs.length].split(' ')[0].toLowerCase()}/model-${i}`,
      formats: i % 3 === 0 ? ['gguf'] : ['safetensors'],
      size_bytes: (i % 50) * 1e9 + 5e8,
      parameter_count: (i % 70) * 1e9 + 1e8,
      description: `A model number ${i} for ${i % 2 ? 'coding' : 'chat'} tasks.`,
      tags: i % 7 === 0 ? ['vision', 'ocr'] : ['text'],
      ready_to_finetune: i % 4 === 0
    })
  );
}

export function target(overrides: Partial<FitTarget>): FitTarget {
  return {
    name: 'This machine (CPU)',
    kind: 'local-cpu',
    gpu_count: 0,
    memory_gb: 23,
    fits: true,
    headroom_gb: 20,
    recommended: false,
    available: null,
    tokens_per_s: null,
    bandwidth_gb_s: null,
    too_slow: false,
    ...overrides
  };
}

/** The OCI GPU shapes the fits list: their GPUs, memory and headroom (for the 1.5 GB model of `makeFit`). */
const OCI_SHAPES = {
  'VM.GPU.A10.1': { gpu_count: 1, memory_gb: 24, headroom_gb: 22.5 },
  'VM.GPU.A10.2': { gpu_count: 2, memory_gb: 48, headroom_gb: 46.5 },
  'BM.GPU4.8': { gpu_count: 8, memory_gb: 320, headroom_gb: 300 }
} as const;

/** An OCI shape's row of a fit (see OCI_SHAPES), with what the test says of it (availability…). */
export function ociShape(name: keyof typeof OCI_SHAPES, overrides: Partial<FitTarget> = {}): FitTarget {
  return target({ name, kind: 'oci-shape', ...OCI_SHAPES[name], ...overrides });
}

export function makeFit(overrides: Partial<FitReport> = {}): FitReport {
  return {
    model_id: 'catalog:Qwen--Qwen2.5-0.5B-Instruct',
    dtype: 'bfloat16',
    context_length: 4096,
    concurrency: 1,
    parameter_count: 494_032_768,
    bytes_per_parameter: 2,
    weights_gb: 0.99,
    kv_cache_gb: 0.05,
    overhead_gb: 0.5,
    total_gb: 1.54,
    arithmetic: [
      'weights = 494,032,768 params × 2 bytes = 0.99 GB',
      'kv cache = 2 × 24 layers × 2 heads × 64 × 4096 tokens × 1 × 2 bytes = 0.05 GB'
    ],
    assumptions: ['Overhead is 0.5 GB for the engine and activations.'],
    local: [target({})],
    shapes: [ociShape('VM.GPU.A10.1', { recommended: true }), ociShape('VM.GPU.A10.2')],
    recommended_shape: 'VM.GPU.A10.1',
    unknown: [],
    engine: null,
    quantizations: [],
    quantization: null,
    decode: [],
    too_slow_below_tokens_per_s: null,
    ...overrides
  };
}

/**
 * A fit on OCI with each kind of service-limit availability: VM.GPU.A10.1 at
 * its limit, VM.GPU.A10.2 recommended with 3 more allowed, BM.GPU4.8 unknown.
 */
export function limitedShapesFit(): FitReport {
  return makeFit({
    shapes: [
      ociShape('VM.GPU.A10.1', { available: 0 }),
      ociShape('VM.GPU.A10.2', { recommended: true, available: 3 }),
      ociShape('BM.GPU4.8', { available: null })
    ],
    recommended_shape: 'VM.GPU.A10.2'
  });
}

/** One entry of a fit's weights' choices (`quantizations`): none of the flags unless `extra` sets them. */
export function weightChoice(value: string, label: string, extra: Partial<WeightChoice> = {}): WeightChoice {
  return { value, label, bits_per_weight: null, convert: false, default: false, ...extra };
}

/**
 * What the server lists per engine (the specs' stand-in for services/quantization.py): float32 is
 * transformers' default, and `llamaCppDefault` (none unless given) llama.cpp's.
 */
export function weightChoices(llamaCppDefault: string | null = null): Record<string, WeightChoice[]> {
  return {
    transformers: [
      weightChoice('float32', 'float32 (32-bit weights)', { bits_per_weight: 32, default: true }),
      weightChoice('bfloat16', 'bfloat16 (16-bit weights)', { bits_per_weight: 16 })
    ],
    'llama.cpp': [
      weightChoice('Q8_0', 'GGUF Q8_0 (8.5 bits/weight), after a conversion', { bits_per_weight: 8.5, convert: true }),
      weightChoice('Q4_K_M', 'GGUF Q4_K_M (4.84 bits/weight), after a conversion', {
        bits_per_weight: 4.84,
        convert: true
      })
    ].map(choice => ({ ...choice, default: choice.value === llamaCppDefault }))
  };
}

const LOCAL_TARGET: Info['backend'] = {
  kind: 'local',
  name: 'local',
  label: 'Local (this machine)',
  ready: true,
  problem: null,
  data_dir: '/home/me/.local/share/jupyter/aqua_ext',
  region: null,
  compartment_id: null,
  hardware: null,
  shapes: [],
  // As the local driver says (backends/local/engines.py ENGINE_MODES).
  engine_modes: {
    transformers: ['chat', 'completion', 'embedding'],
    vllm: ['chat', 'completion'],
    'llama.cpp': ['chat', 'completion', 'embedding']
  },
  // As services/adapters.py says of the local target.
  adapter_engines: { vllm: 'live', 'llama.cpp': 'restart' }
};

/** An enabled OCI target (ready unless told otherwise), to sit beside the local one in `makeInfo({ targets })`. */
export function ociTarget(overrides: Partial<Info['backend']> = {}): Info['backend'] {
  return {
    ...LOCAL_TARGET,
    kind: 'oci',
    name: 'oci',
    label: 'OCI Data Science',
    data_dir: null,
    region: 'us-ashburn-1',
    compartment_id: 'ocid1.compartment.oc1..aaaaexample123',
    shapes: ['VM.Standard.E4.Flex', 'VM.GPU.A10.1', 'VM.GPU.A10.2'],
    engine_modes: {
      vllm: ['chat', 'completion', 'embedding'],
      'llama.cpp': ['chat', 'completion'],
      tgi: ['chat', 'completion', 'embedding']
    },
    // As services/adapters.py says of OCI: AQUA's stacked deployment on vLLM, its adapters chosen at create.
    adapter_engines: { vllm: 'redeploy' },
    ...overrides
  };
}

export { LOCAL_TARGET };

export function makeInfo(overrides: Partial<Info> = {}): Info {
  return {
    version: '0.1.0',
    backend: LOCAL_TARGET,
    targets: [LOCAL_TARGET],
    hardware: { cpu_count: 2, memory_gb: 23.4, gpus: [], platform: 'linux', memory_bandwidth_gb_s: null },
    engines: [],
    ...overrides
  };
}

export function makeOperation(overrides: Partial<Operation> = {}): Operation {
  return {
    id: 'op-1',
    kind: 'register-model',
    title: 'Download Qwen/Qwen2.5-0.5B-Instruct',
    state: 'RUNNING',
    progress: 0.25,
    message: 'Downloading model.safetensors',
    error: null,
    setup_check: null,
    resource_id: null,
    created_at: '2026-11-21T10:00:00Z',
    updated_at: '2026-11-21T10:00:01Z',
    ...overrides
  };
}

/** A deployment; its `actions` are the server's for its target, state and mode unless given. */
export function makeDeployment(overrides: Partial<DeploymentDetail> = {}): DeploymentDetail {
  const id = overrides.id ?? 'dep-1';
  const deployment: DeploymentDetail = {
    id,
    name: 'Qwen chat',
    description: '',
    model_id: 'catalog:Qwen--Qwen2.5-0.5B-Instruct',
    model_name: 'Qwen2.5 0.5B Instruct',
    state: 'ACTIVE',
    state_message: '',
    mode: 'chat',
    engine: 'transformers',
    shape: 'cpu',
    replicas: 1,
    created_at: '2026-11-21T10:00:00Z',
    updated_at: '2026-11-21T10:00:05Z',
    openai_base_path: `aqua-ext/deployments/${id}/v1`,
    target: 'local',
    actions: [],
    params: [],
    max_model_len: null,
    dtype: null,
    upstream_url: 'http://127.0.0.1:40001',
    log_group_id: null,
    log_id: null,
    operation_id: null,
    failure_log: [],
    idle_stop_minutes: null,
    active_since: null,
    last_request_at: null,
    idle_stop_at: null,
    chat_inputs: ['text'],
    capability: null,
    adapters: [],
    quantization: null,
    ...overrides
  };
  return { ...deployment, actions: overrides.actions ?? deploymentActions(deployment) };
}

/** A Generative AI endpoint as the deployments list has it (target `genai`, served by the service; Korean name). */
export function makeGenAiEndpoint(overrides: Partial<DeploymentDetail> = {}): DeploymentDetail {
  return makeDeployment({
    id: 'ocid1.generativeaiendpoint.oc1.us-chicago-1.chat1',
    name: '생성형 AI 엔드포인트',
    target: 'genai',
    engine: 'oci-genai',
    shape: 'A10_X2',
    actions: ['chat', 'delete'],
    ...overrides
  });
}

/** A deployment's metrics: a vLLM engine's and the proxy's, a little traffic. */
export function makeDeploymentMetrics(
  deploymentId = 'dep-1',
  overrides: Partial<DeploymentMetrics> = {}
): DeploymentMetrics {
  return {
    deployment_id: deploymentId,
    measured_at: '2026-11-21T10:05:00Z',
    engine: {
      engine: 'vllm',
      requests_running: 3,
      requests_waiting: 1,
      kv_cache_usage: 0.1875,
      tokens_per_s: 42.5,
      generation_tokens_total: 4096,
      ttft_p50_ms: 60,
      ttft_p95_ms: 250
    },
    engine_note: null,
    proxy: {
      window_s: 300,
      requests_total: 12,
      requests_in_window: 5,
      in_flight: 1,
      tokens_per_s: 38.2,
      ttft_p50_ms: 71.5,
      ttft_p95_ms: 310,
      last_request_age_s: 4
    },
    idle_stop_at: null,
    ...overrides
  };
}

/** The list's view of a deployment. */
export function summaryOf(detail: DeploymentDetail): DeploymentSummary {
  const { id, name, description, model_id, model_name, state, state_message, mode, engine, shape, replicas } = detail;
  return {
    id,
    name,
    description,
    model_id,
    model_name,
    state,
    state_message,
    mode,
    engine,
    shape,
    replicas,
    created_at: detail.created_at,
    updated_at: detail.updated_at,
    openai_base_path: detail.openai_base_path,
    target: detail.target,
    actions: detail.actions,
    idle_stop_minutes: detail.idle_stop_minutes,
    active_since: detail.active_since,
    chat_inputs: detail.chat_inputs,
    capability: detail.capability,
    adapters: detail.adapters,
    quantization: detail.quantization
  };
}

/** Events of one answer: the deltas, then done. */
export function answerEvents(pieces: string[]): ChatStreamEvent[] {
  return [
    ...pieces.map(content => ({ type: 'delta' as const, data: { content, role: null, finish_reason: null } })),
    {
      type: 'done',
      data: {
        usage: { prompt_tokens: 12, completion_tokens: pieces.length, total_tokens: 12 + pieces.length },
        ttft_ms: 120,
        total_ms: 480,
        tokens: pieces.length,
        tokens_per_s: 25,
        finish_reason: 'stop'
      }
    }
  ];
}

/**
 * A hosted service (an OpenAI-compatible one with a key set, named in Korean);
 * every action is allowed unless `actions` says otherwise (the server's rule).
 */
/** The actions the server allows a connection (services/connections.py `actions`): chat and evaluate
 * only for a service that answers text, as the fixtures of the other resources follow their rules. */
function connectionActions(capabilities: ConnectionDetail['capabilities']): ConnectionDetail['actions'] {
  const talks = capabilities.some(c => c === 'chat' || c === 'completion' || c === 'summarize');
  return talks ? ['edit', 'chat', 'evaluate', 'delete', 'test', 'export'] : ['edit', 'delete', 'test', 'export'];
}

export function makeConnection(overrides: Partial<ConnectionDetail> = {}): ConnectionDetail {
  const capabilities = overrides.capabilities ?? ['chat'];
  return {
    id: 'conn-1',
    name: '사내 GPT 서비스',
    kind: 'openai',
    endpoint: 'https://api.openai.com/v1',
    auth_type: 'bearer',
    capabilities: ['chat'],
    models: ['gpt-4o-mini', 'gpt-4o'],
    default_model: 'gpt-4o-mini',
    secret_set: true,
    streaming: true,
    last_test: null,
    created_at: '2026-12-01T09:00:00Z',
    updated_at: '2026-12-01T09:00:00Z',
    actions: connectionActions(capabilities),
    description: '',
    api_key_header: null,
    username: null,
    headers: {},
    api_version: null,
    compartment_id: null,
    serving_mode: 'ON_DEMAND',
    response_path: null,
    methods: [],
    allow_link_local: false,
    timeout_s: 120,
    ...overrides
  };
}

/** The list row of a connection (its detail less the detail's fields). */
export function connectionSummaryOf(detail: ConnectionDetail): ConnectionSummary {
  return {
    id: detail.id,
    name: detail.name,
    kind: detail.kind,
    endpoint: detail.endpoint,
    auth_type: detail.auth_type,
    capabilities: detail.capabilities,
    models: detail.models,
    default_model: detail.default_model,
    secret_set: detail.secret_set,
    streaming: detail.streaming,
    last_test: detail.last_test,
    created_at: detail.created_at,
    updated_at: detail.updated_at,
    actions: detail.actions
  };
}

/** A fine-tuning job; its `actions` are the server's for its state unless given. */
export function makeFineTune(overrides: Partial<FineTuneDetail> = {}): FineTuneDetail {
  const id = overrides.id ?? 'ftj-0a1b2c';
  const job: FineTuneDetail = {
    id,
    name: 'Qwen support',
    description: '',
    base_model_id: 'catalog:Qwen--Qwen2.5-0.5B-Instruct',
    base_model_name: 'Qwen2.5 0.5B Instruct',
    state: 'IN_PROGRESS',
    state_message: 'Training',
    training_type: 'lora',
    shape: 'cpu',
    replicas: 1,
    dataset_path: 'datasets/support.jsonl',
    dataset_hash: '3f2a9c0d4e5b6a7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e',
    progress: 0.25,
    step: 30,
    total_steps: 120,
    epoch: 0.75,
    eta_seconds: 125,
    output_model_id: null,
    created_at: '2026-11-21T10:00:00Z',
    updated_at: '2026-11-21T10:01:00Z',
    finished_at: null,
    target: 'local',
    actions: [],
    // A job run with the contract's defaults.
    params: { ...CONTRACT_DEFAULTS, lora_target_modules: [] },
    validation_split: 0.1,
    train_rows: 360,
    validation_rows: 40,
    final_train_loss: null,
    final_validation_loss: null,
    final_accuracy: null,
    job_id: null,
    job_run_id: null,
    output_uri: null,
    experiment_name: null,
    log_group_id: null,
    log_id: null,
    subnet_id: null,
    artifact_location: null,
    wall_seconds: null,
    peak_memory_mb: null,
    failure_log: [],
    ...overrides
  };
  return { ...job, actions: overrides.actions ?? fineTuneActions(job) };
}

/** The list's view of a job. */
export function fineTuneSummaryOf(detail: FineTuneDetail): FineTuneSummary {
  const {
    params: _params,
    validation_split: _split,
    train_rows: _train,
    validation_rows: _validation,
    final_train_loss: _ftl,
    final_validation_loss: _fvl,
    final_accuracy: _accuracy,
    job_id: _job,
    job_run_id: _run,
    output_uri: _uri,
    experiment_name: _experiment,
    log_group_id: _group,
    log_id: _log,
    subnet_id: _subnet,
    artifact_location: _artifact,
    wall_seconds: _wall,
    peak_memory_mb: _peak,
    failure_log: _failure,
    ...summary
  } = detail;
  return summary;
}

export function makeTrainingFit(overrides: Partial<TrainingFit> = {}): TrainingFit {
  return {
    dtype: 'float32',
    total_gb: 6.4,
    arithmetic: [
      'weights = 494,032,768 params × 4 bytes = 1.98 GB',
      'trainable = LoRA r 8 × 24 layers × 7 matrices = 4.4M params',
      'total ≈ 6.40 GB'
    ],
    assumptions: ['No gradient checkpointing: the worst case.'],
    targets: [
      target({ name: 'cpu', kind: 'local-cpu', memory_gb: 23.4, headroom_gb: 12.3, fits: true, recommended: true })
    ],
    recommended_shape: 'cpu',
    ...overrides
  };
}

/**
 * The params a create request sends for a LoRA form left at the contract's defaults (no
 * last_n_layers, no seed), written out rather than taken from the form: the specs' oracle.
 */
export function loraRequestParams(overrides: Partial<NonNullable<CreateFineTuneRequest['params']>> = {}) {
  return {
    training_type: 'lora',
    epochs: 3,
    learning_rate: 0.0002,
    batch_size: 8,
    max_seq_length: 512,
    pad_to_max_length: false,
    lora_r: 8,
    lora_alpha: 16,
    lora_dropout: 0.05,
    lora_target_modules: [] as string[],
    early_stopping_patience: 0,
    early_stopping_threshold: 0,
    logging_steps: 10,
    ...overrides
  };
}

export function makeFineTuneDefaults(overrides: Partial<FineTuneDefaults> = {}): FineTuneDefaults {
  return {
    model_id: 'catalog:Qwen--Qwen2.5-0.5B-Instruct',
    ready_to_finetune: true,
    notes: [],
    params: { ...makeFineTune().params, batch_size: 4, max_seq_length: 1024 },
    shapes: ['cpu'],
    default_shape: 'cpu',
    max_replicas: 1,
    fit: makeTrainingFit(),
    needs_output_uri: false,
    ...overrides
  };
}

export function makeDatasetReport(overrides: Partial<DatasetReport> = {}): DatasetReport {
  return {
    path: 'datasets/support.jsonl',
    format: 'conversational',
    rows: 400,
    valid_rows: 400,
    errors: [],
    errors_total: 0,
    duplicates: 3,
    categories: {},
    train_rows: 360,
    validation_rows: 40,
    tokens: {
      model_id: 'catalog:Qwen--Qwen2.5-0.5B-Instruct',
      max_seq_length: 1024,
      min: 20,
      p50: 210,
      p95: 480,
      max: 1300,
      mean: 230.5,
      over_limit: 2,
      over_limit_lines: [17, 230],
      template: 'chat_template'
    },
    size_bytes: 123_456,
    warnings: ['3 rows repeat an earlier row.'],
    ...overrides
  };
}

export function metricPoint(step: number, overrides: Partial<MetricPoint> = {}): MetricPoint {
  return {
    step,
    epoch: step / 40,
    train_loss: 2 - step / 100,
    validation_loss: null,
    learning_rate: 2e-4,
    ...overrides
  };
}

export function makeEvaluationReport(overrides: Partial<EvaluationReport> = {}): EvaluationReport {
  return {
    overall: {
      scores: {
        bertscore: 0.8123,
        rouge1: 0.5012,
        rouge2: 0.3121,
        rougeL: 0.4551,
        exact_match: 0.125,
        bleu: 23.45,
        chrf: 48.2,
        readability: 61.3,
        latency_ms_mean: 812.4,
        latency_ms_p50: 640,
        latency_ms_p95: 1710.2,
        tokens_per_s_mean: 25.31
      },
      rows: 40
    },
    categories: {
      billing: { scores: { bertscore: 0.85, rougeL: 0.5, exact_match: 0.2 }, rows: 25 },
      shipping: { scores: { bertscore: 0.75, rougeL: 0.38, exact_match: 0 }, rows: 15 }
    },
    rows_total: 40,
    rows_answered: 40,
    rows_failed: 1,
    wall_seconds: 95,
    notes: {},
    provenance: {
      model_id: 'ocid1.datasciencemodel.oc1..demo',
      model_name: 'Llama 3.1 8B',
      deployment_id: 'ldep-1',
      deployment_name: '고객 지원',
      connection_id: null,
      connection_name: null,
      connection_model: null,
      finetune_id: null,
      dataset_path: '~/data/サポート.jsonl',
      dataset_sha256: 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90',
      dataset_rows: 62,
      sample_size: 40,
      sample_seed: 0,
      params: { temperature: 0.2, max_tokens: 256 },
      metric_versions: { 'bert-score': '0.3.13', 'rouge-score': '0.1.2', sacrebleu: '2.4.3' },
      aqua_ext_version: '0.1.0',
      started_at: '2026-12-06T21:00:00Z',
      finished_at: '2026-12-06T21:01:35Z'
    },
    judge: null,
    ...overrides
  };
}

/** An evaluation; its `actions` are the server's for its state unless given. */
export function makeEvaluation(overrides: Partial<EvaluationDetail> = {}): EvaluationDetail {
  const id = overrides.id ?? 'evj-0a1b2c';
  const evaluation: EvaluationDetail = {
    id,
    name: 'Qwen chat · support-qa',
    description: '',
    deployment_id: 'dep-1',
    deployment_name: 'Qwen chat',
    adapter: null,
    model_id: 'catalog:Qwen--Qwen2.5-0.5B-Instruct',
    model_name: 'Qwen2.5 0.5B Instruct',
    state: 'IN_PROGRESS',
    state_message: 'Asking the deployment',
    metrics: ['bertscore', 'rouge', 'bleu', 'chrf', 'exact_match', 'readability', 'latency'],
    dataset_path: 'datasets/support-qa.jsonl',
    dataset_hash: '9a8b7c6d5e4f30211a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081',
    rows_total: 40,
    rows_done: 10,
    progress: 0.25,
    eta_seconds: 65,
    scores: {},
    created_at: '2026-11-21T12:00:00Z',
    updated_at: '2026-11-21T12:00:30Z',
    finished_at: null,
    target: 'local',
    actions: [],
    params: {
      max_tokens: 256,
      temperature: 0,
      top_p: 1,
      top_k: null,
      frequency_penalty: 0,
      presence_penalty: 0,
      stop: [],
      seed: null
    },
    concurrency: 4,
    sample_size: null,
    finetune_id: null,
    report: null,
    job_id: null,
    job_run_id: null,
    report_uri: null,
    failure_log: [],
    connection_id: null,
    judge: null,
    ...overrides
  };
  return { ...evaluation, actions: overrides.actions ?? evaluationActions(evaluation) };
}

/** A finished evaluation with its report. */
export function makeFinishedEvaluation(overrides: Partial<EvaluationDetail> = {}): EvaluationDetail {
  const report = overrides.report ?? makeEvaluationReport();
  return makeEvaluation({
    state: 'SUCCEEDED',
    state_message: '',
    rows_done: 40,
    progress: 1,
    eta_seconds: null,
    scores: report.overall.scores,
    report,
    finished_at: '2026-11-21T12:02:00Z',
    updated_at: '2026-11-21T12:02:00Z',
    ...overrides
  });
}

/** The list's view of an evaluation. */
export function evaluationSummaryOf(detail: EvaluationDetail): EvaluationSummary {
  const {
    params: _params,
    concurrency: _concurrency,
    sample_size: _sample,
    finetune_id: _finetune,
    report: _report,
    job_id: _job,
    job_run_id: _run,
    report_uri: _uri,
    failure_log: _failure,
    ...summary
  } = detail;
  return summary;
}

export function makeEvaluationRow(index: number, overrides: Partial<EvaluationRow> = {}): EvaluationRow {
  return {
    index,
    prompt: `Question ${index + 1}?`,
    reference: `Answer ${index + 1}.`,
    output: `The answer ${index + 1}.`,
    category: index % 2 === 0 ? 'billing' : 'shipping',
    latency_ms: 500 + index * 10,
    tokens_per_s: 24,
    scores: { rougeL: 0.5, bertscore: 0.8, exact_match: 0 },
    error: null,
    judgements: [],
    ...overrides
  };
}

/**
 * A fake of the client's method `K`: a jest.fn of `impl`, whose arguments and answer
 * the interface types (the fake restates no request or response type).
 */
function fake<K extends keyof IAquaClient>(impl: IAquaClient[K]): jest.MockedFunction<IAquaClient[K]> {
  return jest.fn(impl as (...args: unknown[]) => unknown) as unknown as jest.MockedFunction<IAquaClient[K]>;
}

/** What a fake chat stream answers: fixed events, or a function that sees the request. */
type EventSource<Body> =
  ChatStreamEvent[] | ((body: Body, signal?: AbortSignal, id?: string) => AsyncIterable<ChatStreamEvent>);

/** A fake list route: every item (as its summary), no target reporting a problem. */
function listing<Item, Summary>(items: () => Item[], summarise: (item: Item) => Summary) {
  return jest.fn(async () => {
    const all = items();
    return { items: all.map(summarise), total: all.length, problems: [] as TargetProblem[] };
  });
}

/** A fake get-by-id route: the item, or a rejection naming what was missing. */
function lookup<Item extends { id: string }>(items: () => Item[], noun: string) {
  return jest.fn(async (id: string): Promise<Item> => {
    const found = items().find(item => item.id === id);
    if (!found) {
      throw new Error(`no ${noun} ${id}`);
    }
    return found;
  });
}

/** A fake streaming route: replays the events (stopping once aborted), or asks the function. */
function replay<Body>(source: () => EventSource<Body>) {
  return jest.fn((id: string, body: Body, signal?: AbortSignal): AsyncIterable<ChatStreamEvent> => {
    const events = source();
    if (typeof events === 'function') {
      return events(body, signal, id);
    }
    return (async function* () {
      for (const event of events) {
        if (signal?.aborted) {
          return;
        }
        yield event;
      }
    })();
  });
}

/** A fake cancel route of a job: the job (or a default one with that id), now canceling. */
function canceling<Job extends FineTuneDetail | EvaluationDetail>(
  jobs: () => Job[],
  make: (overrides: { id: string }) => Job,
  updatedAt: string
) {
  return jest.fn(async (id: string): Promise<Job> => ({
    ...(jobs().find(item => item.id === id) ?? make({ id })),
    state: 'CANCELING',
    state_message: 'Canceling',
    actions: [],
    updated_at: updatedAt
  }));
}

/** A fake logs route: one page of one line. */
function logPage(line: string, source: string) {
  return jest.fn(async (): Promise<LogPage> => ({ lines: [line], cursor: 'c1', source }));
}

/** What a newly accepted job says before its first step. */
const ACCEPTED = { state: 'ACCEPTED', state_message: 'Waiting to start', progress: 0, eta_seconds: null } as const;

/** A fake client: every method is a jest.fn with a sensible default. */
export class FakeClient implements IAquaClient {
  models: ModelSummary[] = sampleModels();

  getInfo = fake<'getInfo'>(async () => makeInfo());
  listModels = listing(
    () => this.models,
    model => model
  );
  getModel = fake<'getModel'>(async modelId => {
    const summary = this.models.find(m => m.id === modelId) ?? makeModel({ id: modelId });
    return makeDetail({ ...summary });
  });
  registerModel = fake<'registerModel'>(async () => ({
    operation: makeOperation({ state: 'SUCCEEDED', progress: 1, resource_id: 'reg:new' }),
    model: makeDetail({ id: 'reg:new', name: 'New model', source: 'registered' })
  }));
  deleteModel = fake<'deleteModel'>(async () => undefined);
  getModelFit = fake<'getModelFit'>(async () => makeFit());
  listOperations = fake<'listOperations'>(async () => ({ items: [] as Operation[] }));
  getOperation = fake<'getOperation'>(async operationId => makeOperation({ id: operationId }));
  cancelOperation = fake<'cancelOperation'>(async operationId =>
    makeOperation({ id: operationId, state: 'CANCELING' })
  );

  deployments: DeploymentDetail[] = [makeDeployment()];
  /** What `streamChat` answers; replace per test (a function sees the request). */
  chatEvents: EventSource<ChatRequest> = answerEvents(['Hello', ' there']);

  listDeployments = listing(() => this.deployments, summaryOf);
  getDeployment = lookup(() => this.deployments, 'deployment');
  createDeployment = fake<'createDeployment'>(async body => ({
    deployment: makeDeployment({
      id: 'dep-new',
      name: body.name,
      model_id: body.model_id,
      state: 'CREATING',
      operation_id: 'op-deploy'
    }),
    operation: makeOperation({
      id: 'op-deploy',
      kind: 'deploy',
      title: `Deploy ${body.name}`,
      progress: 0.1,
      message: 'Starting the engine'
    })
  }));
  exportDeploymentTerraform = fake<'exportDeploymentTerraform'>(async body => ({
    file_name: 'model_deployment.tf',
    hcl: `resource "oci_datascience_model_deployment" "model_deployment" {\n  display_name = "${body.name}"\n}\n`,
    cli: `aqua-ext deployments create ${body.model_id} --name='${body.name}'`,
    python: `import oci\n\ndata_science.create_model_deployment(display_name='${body.name}')\n`
  }));
  deleteDeployment = fake<'deleteDeployment'>(async () => undefined);
  activateDeployment = fake<'activateDeployment'>(async deploymentId => ({
    deployment: makeDeployment({ id: deploymentId, state: 'UPDATING', operation_id: 'op-activate' }),
    operation: makeOperation({ id: 'op-activate', kind: 'activate', title: 'Activate', progress: null })
  }));
  deactivateDeployment = fake<'deactivateDeployment'>(async deploymentId =>
    makeDeployment({ id: deploymentId, state: 'INACTIVE' })
  );
  getDeploymentLogs = logPage('INFO engine ready', '/data/logs/dep-1.log');
  updateDeployment = fake<'updateDeployment'>(async (deploymentId, body) => ({
    ...(this.deployments.find(item => item.id === deploymentId) ?? makeDeployment({ id: deploymentId })),
    ...body
  }));
  /** Saved as given (the server's `applied`: "saved"; tests that need "live" or "restart" replace it). */
  setDeploymentAdapters = fake<'setDeploymentAdapters'>(async (deploymentId, body) => {
    const deployment = this.deployments.find(item => item.id === deploymentId) ?? makeDeployment({ id: deploymentId });
    const adapters = body.adapters.map(({ model_id, name }) => {
      const model = this.models.find(item => item.id === model_id);
      const served = deployment.adapters.find(item => item.model_id === model_id);
      return {
        name: name ?? served?.name ?? (model?.name ?? model_id).toLowerCase().replace(/[^a-z0-9._-]+/g, '-'),
        model_id,
        model_name: model?.name ?? model_id,
        rank: served?.rank ?? null
      };
    });
    return { deployment: { ...deployment, adapters }, applied: 'saved' as const, operation: null };
  });
  getDeploymentMetrics = fake<'getDeploymentMetrics'>(async deploymentId => makeDeploymentMetrics(deploymentId));
  embed = fake<'embed'>(async (_id, body) => ({
    dimensions: 384,
    similarity: body.inputs.map((_, i) => body.inputs.map((__, j) => (i === j ? 1 : 0.5))),
    preview: body.inputs.map(() => [0.1, -0.2, 0.3]),
    usage: { prompt_tokens: 9, completion_tokens: null, total_tokens: 9 },
    total_ms: 42
  }));
  streamChat = replay(() => this.chatEvents);
  serverUrl = fake<'serverUrl'>(path => `http://localhost:8888/${path}`);

  connections: ConnectionDetail[] = [makeConnection()];
  /** What `streamConnectionChat` answers; replace per test (a function sees the request). */
  connectionChatEvents: EventSource<ConnectionChatRequest> = answerEvents(['こんにちは', '、世界']);

  listConnections = fake<'listConnections'>(async () => ({
    connections: this.connections.map(connectionSummaryOf)
  }));
  getConnection = lookup(() => this.connections, 'connection');
  createConnection = fake<'createConnection'>(async body => {
    const { secret, ...fields } = body;
    return makeConnection({ ...fields, id: 'conn-new', secret_set: !!secret, methods: [] });
  });
  updateConnection = fake<'updateConnection'>(async (connectionId, body) => {
    const found = this.connections.find(item => item.id === connectionId) ?? makeConnection({ id: connectionId });
    const { secret, ...fields } = body;
    const changed = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== null));
    return {
      ...found,
      ...changed,
      methods: found.methods,
      secret_set: secret === undefined || secret === null ? found.secret_set : secret !== ''
    };
  });
  deleteConnection = fake<'deleteConnection'>(async () => undefined);
  testConnection = fake<'testConnection'>(async () => ({
    ok: true,
    status_code: 200,
    latency_ms: 312,
    answer: '안녕하세요! 무엇을 도와드릴까요?',
    response: '{"choices":[{"message":{"content":"안녕하세요! 무엇을 도와드릴까요?"}}]}',
    error_kind: null,
    message: 'OK: 200 in 312 ms'
  }));
  listConnectionModels = fake<'listConnectionModels'>(async connectionId => {
    const found = this.connections.find(item => item.id === connectionId);
    return { models: found?.models ?? [], source: 'configured', message: '' };
  });
  importConnections = fake<'importConnections'>(async () => ({
    created: [
      connectionSummaryOf(makeConnection({ id: 'conn-c1', name: 'Cohere 生成', kind: 'cohere' })),
      connectionSummaryOf(makeConnection({ id: 'conn-c2', name: 'Cohere チャット', kind: 'cohere' })),
      connectionSummaryOf(makeConnection({ id: 'conn-l1', name: 'Llama 라마', kind: 'oci_genai' }))
    ]
  }));
  exportConnections = fake<'exportConnections'>(async () => ({
    yaml: 'exportedRestServices:\n- name: 사내 GPT 서비스\n',
    file_name: 'llm-services.yaml'
  }));
  streamConnectionChat = replay(() => this.connectionChatEvents);

  finetunes: FineTuneDetail[] = [makeFineTune()];
  /** The metric points of every job; `getFineTuneMetrics` answers those after the cursor. */
  metricPoints: Record<string, MetricPoint[]> = {};

  validateDataset = fake<'validateDataset'>(async () => makeDatasetReport());
  saveDatasetRow = fake<'saveDatasetRow'>(async body => ({
    saved: true,
    path: body.path,
    created: false,
    line: 1,
    rows: 1,
    warnings: [],
    checked_files: 0,
    checked_all: true
  }));
  getFineTuneDefaults = fake<'getFineTuneDefaults'>(async modelId => makeFineTuneDefaults({ model_id: modelId }));
  listFineTunes = listing(() => this.finetunes, fineTuneSummaryOf);
  getFineTune = lookup(() => this.finetunes, 'fine-tuning job');
  createFineTune = fake<'createFineTune'>(async body => ({
    finetune: makeFineTune({
      id: 'ftj-new',
      name: body.name,
      base_model_id: body.model_id,
      dataset_path: body.dataset_path,
      ...ACCEPTED,
      step: 0
    }),
    preflight: makeDatasetReport({ path: body.dataset_path })
  }));
  exportFineTuneTerraform = fake<'exportFineTuneTerraform'>(async body => ({
    file_name: 'fine_tune.tf',
    hcl: `resource "oci_datascience_job" "fine_tune" {\n  display_name = "${body.name}"\n}\n`,
    cli: `aqua-ext finetune create ${body.model_id} ${body.dataset_path} --name='${body.name}'`,
    python: `import oci\n\ndata_science.create_job(display_name='${body.name}')\n`
  }));
  deleteFineTune = fake<'deleteFineTune'>(async () => undefined);
  cancelFineTune = canceling(() => this.finetunes, makeFineTune, '2026-11-21T10:59:00Z');
  getFineTuneLogs = logPage('step 30: loss 1.7', '/data/runs/ftj-0a1b2c/job.log');
  getFineTuneMetrics = fake<'getFineTuneMetrics'>(async (finetuneId, query = {}) => {
    const all = this.metricPoints[finetuneId] ?? [];
    const after = query.after ?? 0;
    const job = this.finetunes.find(item => item.id === finetuneId);
    return { points: all.slice(after), cursor: all.length, state: job?.state ?? 'IN_PROGRESS' };
  });

  evaluations: EvaluationDetail[] = [makeEvaluation()];
  /** The rows every evaluation answers (`getEvaluationRows` pages them as asked, without sorting). */
  evaluationRows: EvaluationRow[] = Array.from({ length: 3 }, (_, i) => makeEvaluationRow(i));

  listEvaluations = listing(() => this.evaluations, evaluationSummaryOf);
  getEvaluation = lookup(() => this.evaluations, 'evaluation');
  createEvaluation = fake<'createEvaluation'>(async body => ({
    evaluation: makeEvaluation({
      id: 'evj-new',
      name: body.name,
      // A connection's evaluation: no deployment id, the connection's name where the deployment's goes.
      deployment_id: body.deployment_id ?? '',
      deployment_name:
        this.connections.find(item => item.id === body.connection_id)?.name ??
        this.deployments.find(item => item.id === body.deployment_id)?.name ??
        'Qwen chat',
      connection_id: body.connection_id ?? null,
      dataset_path: body.dataset_path ?? '',
      finetune_id: body.finetune_id ?? null,
      ...ACCEPTED,
      rows_done: 0
    }),
    preflight: makeDatasetReport({ path: body.dataset_path ?? '', format: 'instruction' })
  }));
  deleteEvaluation = fake<'deleteEvaluation'>(async () => undefined);
  cancelEvaluation = canceling(() => this.evaluations, makeEvaluation, '2026-11-21T12:59:00Z');
  getEvaluationRows = fake<'getEvaluationRows'>(async (_id, query = {}) => {
    const chosen = this.evaluationRows.filter(row => !query.category || row.category === query.category);
    const offset = query.offset ?? 0;
    return {
      items: chosen.slice(offset, offset + (query.limit ?? 100)),
      total: chosen.length,
      categories: [...new Set(this.evaluationRows.map(row => row.category).filter((c): c is string => !!c))].sort()
    };
  });
  getEvaluationLogs = logPage('row 10: 640 ms', '/data/runs/evj-0a1b2c/job.log');
  compareEvaluations = fake<'compareEvaluations'>(async ids => {
    const chosen = this.evaluations.filter(item => ids.includes(item.id));
    const overall: Record<string, Record<string, number>> = {};
    const categories: Record<string, Record<string, Record<string, number>>> = {};
    for (const item of chosen) {
      for (const [key, value] of Object.entries(item.report?.overall.scores ?? {})) {
        (overall[key] = overall[key] ?? {})[item.id] = value;
      }
      for (const [category, scores] of Object.entries(item.report?.categories ?? {})) {
        const byMetric = (categories[category] = categories[category] ?? {});
        for (const [key, value] of Object.entries(scores.scores)) {
          (byMetric[key] = byMetric[key] ?? {})[item.id] = value;
        }
      }
    }
    const same = new Set(chosen.map(item => item.dataset_hash)).size <= 1;
    return {
      evaluations: chosen.map(evaluationSummaryOf),
      overall,
      categories,
      same_dataset: same,
      best: bestOf(overall),
      category_best: Object.fromEntries(Object.entries(categories).map(([name, scores]) => [name, bestOf(scores)])),
      notes: same
        ? []
        : ['The evaluations scored different datasets (or samples): their scores are not directly comparable.']
    };
  });
  evaluationReportUrl = fake<'evaluationReportUrl'>(id => `/lab-base/aqua-ext/evaluations/${id}/report.html`);
  getOciSetup = fake<'getOciSetup'>(async () => makeOciSetup());

  genaiModels: GenAiModel[] = [makeGenAiModel(), makeBaseModel()];
  clusters: GenAiCluster[] = [makeCluster(), makeFineTuningCluster()];

  listGenAiModels = fake<'listGenAiModels'>(async () => ({ items: this.genaiModels, total: this.genaiModels.length }));
  /** The region's on-demand models (none unless a test sets them: the genai target is off by default). */
  onDemandModels: OnDemandModel[] = [];
  listGenAiOnDemandModels = fake<'listGenAiOnDemandModels'>(async () => ({
    items: this.onDemandModels,
    total: this.onDemandModels.length
  }));
  importGenAiModel = fake<'importGenAiModel'>(async body => ({
    model: makeGenAiModel({ id: 'ocid1.generativeaiimportedmodel.new', name: body.display_name, state: 'CREATING' }),
    operation: makeOperation({ id: 'op-import', kind: 'genai-import', title: `Import ${body.display_name}` })
  }));
  exportGenAiModelTerraform = fake<'exportGenAiModelTerraform'>(async _body => ({
    file_name: 'imported_model.tf',
    hcl: 'resource "oci_generative_ai_imported_model" "imported_model" {}\n',
    cli: 'aqua-ext genai models import --name=model',
    python: 'import oci\n\ngenerative_ai.create_imported_model()\n'
  }));
  listGenAiClusters = fake<'listGenAiClusters'>(async () => ({ items: this.clusters, total: this.clusters.length }));
  createGenAiCluster = fake<'createGenAiCluster'>(async body => ({
    cluster: makeCluster({
      id: 'ocid1.generativeaidedicatedaicluster.new',
      name: body.display_name,
      state: 'CREATING'
    }),
    operation: makeOperation({ id: 'op-cluster', kind: 'genai-cluster', title: `Create ${body.display_name}` })
  }));
  exportGenAiClusterTerraform = fake<'exportGenAiClusterTerraform'>(async body => ({
    file_name: 'dedicated_ai_cluster.tf',
    hcl: `resource "oci_generative_ai_dedicated_ai_cluster" "cluster" {\n  display_name = "${body.display_name}"\n}\n`,
    cli: `aqua-ext genai clusters create --name='${body.display_name}'`,
    python: `import oci\n\ngenerative_ai.create_dedicated_ai_cluster(display_name='${body.display_name}')\n`
  }));
  getGenAiClusterPlan = fake<'getGenAiClusterPlan'>(async () => makePlan());
  deleteGenAiCluster = fake<'deleteGenAiCluster'>(async () => undefined);
  createGenAiEndpoint = fake<'createGenAiEndpoint'>(async body => ({
    endpoint: {
      id: 'ocid1.generativeaiendpoint.new',
      name: body.display_name,
      description: '',
      model_id: body.model_id,
      model_name: '',
      dedicated_ai_cluster_id: body.dedicated_ai_cluster_id,
      state: 'CREATING',
      state_message: '',
      content_moderation: false,
      created_at: null,
      updated_at: null,
      openai_base_path: '',
      target: 'genai'
    },
    operation: makeOperation({ id: 'op-endpoint', kind: 'genai-endpoint', title: `Create ${body.display_name}` })
  }));
  exportGenAiEndpointTerraform = fake<'exportGenAiEndpointTerraform'>(async _body => ({
    file_name: 'endpoint.tf',
    hcl: 'resource "oci_generative_ai_endpoint" "endpoint" {}\n',
    cli: 'aqua-ext genai endpoints create --name=endpoint',
    python: 'import oci\n\ngenerative_ai.create_endpoint()\n'
  }));
  createGenAiFineTune = fake<'createGenAiFineTune'>(async body => ({
    finetune: {
      id: 'ocid1.generativeaimodel.new',
      name: body.display_name,
      description: '',
      base_model_id: body.base_model_id,
      base_model_name: '',
      dedicated_ai_cluster_id: body.dedicated_ai_cluster_id,
      state: 'CREATING',
      state_message: '',
      progress: 0,
      training_config: null,
      training_dataset: body.training_dataset,
      metrics: null,
      split: '',
      created_at: null,
      updated_at: null,
      target: 'genai',
      actions: []
    },
    operation: makeOperation({ id: 'op-tune', kind: 'genai-finetune', title: `Fine-tune ${body.display_name}` })
  }));
  exportGenAiFineTuneTerraform = fake<'exportGenAiFineTuneTerraform'>(async _body => ({
    file_name: 'fine_tuned_model.tf',
    hcl: 'resource "oci_generative_ai_model" "fine_tuned_model" {}\n',
    cli: 'aqua-ext genai finetunes create --name=ft',
    python: 'import oci\n\ngenerative_ai.create_model()\n'
  }));
  getGenAiTrainingDefaults = fake<'getGenAiTrainingDefaults'>(async () => makeTrainingDefaults());
}
