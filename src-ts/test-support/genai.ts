/**
 * OCI Generative AI test data shaped by the generated contract types:
 * clusters (Korean and Japanese names), imported and base models, the
 * cluster plan of seed 001's unit shapes, and the training methods with the
 * defaults and ranges the server answers for seed 003's form.
 */
import type {
  ClusterPlan,
  GenAiCluster,
  GenAiModel,
  GenAiTrainingDefaults,
  Info,
  OnDemandModel,
  TrainingField,
  UnitShapeCost,
  UnitShapeOption
} from '../api/types';

/** An enabled Generative AI target, to sit beside the others in `makeInfo({ targets })`. */
export function genaiTarget(local: Info['backend'], overrides: Partial<Info['backend']> = {}): Info['backend'] {
  return {
    ...local,
    kind: 'genai',
    name: 'genai',
    label: 'OCI Generative AI',
    data_dir: null,
    hardware: null,
    region: 'us-chicago-1',
    compartment_id: 'ocid1.compartment.oc1..aaaaexample123',
    shapes: [],
    engine_modes: {},
    ...overrides
  };
}

/** What `unit_count` units of a shape cost an hour (seed 001's AI units); no price configured by default. */
export function unitCost(
  unitShape: string,
  aiUnits: number,
  unitCount = 1,
  price: number | null = null
): UnitShapeCost {
  const perHour = Math.round(aiUnits * unitCount * 100) / 100;
  return {
    unit_shape: unitShape,
    unit_count: unitCount,
    ai_units: aiUnits,
    ai_unit_hours_per_hour: perHour,
    price_per_ai_unit_hour: price,
    hourly: price === null ? null : Math.round(perHour * price * 100) / 100,
    currency: 'USD',
    arithmetic: [`${unitShape}: ${aiUnits} AI units × ${unitCount} = ${perHour} AI-unit hours per hour`]
  };
}

export function makeCluster(overrides: Partial<GenAiCluster> = {}): GenAiCluster {
  return {
    id: 'ocid1.generativeaidedicatedaicluster.oc1.us-chicago-1.host1',
    name: '호스팅 클러스터',
    description: '',
    type: 'HOSTING',
    unit_shape: 'A10_X2',
    unit_count: 1,
    state: 'ACTIVE',
    state_message: '',
    created_at: '2026-12-01T09:00:00Z',
    updated_at: '2026-12-01T09:20:00Z',
    limit_name: 'dedicated-unit-a10-count',
    endpoints_used: 1,
    endpoints_total: 50,
    cost: unitCost('A10_X2', 3.54, 1, 2.5),
    cost_so_far: {
      since: '2026-12-01T09:00:00Z',
      hours: 2,
      ai_unit_hours: 7.08,
      amount: 17.7,
      currency: 'USD',
      line: '3.54 AI units × 2.00 h = 7.08 AI-unit hours × $2.5 = $17.70'
    },
    target: 'genai',
    actions: ['create_endpoint', 'delete'],
    ...overrides
  };
}

/** A fine-tuning cluster (Japanese name), still being created: nothing to do with it but wait. */
export function makeFineTuningCluster(overrides: Partial<GenAiCluster> = {}): GenAiCluster {
  return makeCluster({
    id: 'ocid1.generativeaidedicatedaicluster.oc1.us-chicago-1.tune1',
    name: 'ファインチューニング用クラスタ',
    type: 'FINE_TUNING',
    unit_shape: 'A100_80G_X2',
    unit_count: 2,
    limit_name: 'dedicated-unit-a100-80g-count',
    endpoints_used: null,
    endpoints_total: null,
    cost: unitCost('A100_80G_X2', 6.48, 2),
    cost_so_far: null,
    state: 'CREATING',
    state_message: 'Work request 40% complete',
    created_at: '2026-12-02T09:00:00Z',
    actions: [],
    ...overrides
  });
}

export function makeGenAiModel(overrides: Partial<GenAiModel> = {}): GenAiModel {
  return {
    id: 'ocid1.generativeaiimportedmodel.oc1.us-chicago-1.qwen',
    name: '큐웬 채팅 모델',
    description: '',
    type: 'IMPORTED',
    vendor: 'Qwen',
    version: null,
    capabilities: ['TEXT_TO_TEXT'],
    capability: 'TEXT_TO_TEXT',
    state: 'ACTIVE',
    state_message: '',
    created_at: '2026-12-01T08:00:00Z',
    updated_at: '2026-12-01T08:10:00Z',
    base_model_id: null,
    huggingface: { hf_id: 'Qwen/Qwen2.5-0.5B-Instruct', revision: null },
    object_storage: null,
    metrics: null,
    training_methods: [],
    target: 'genai',
    actions: ['host', 'delete'],
    deprecated_at: null,
    on_demand_retired_at: null,
    dedicated_retired_at: null,
    ...overrides
  };
}

/** A base model served on demand (a chat subject by its OCID, as the server lists it). */
export function makeOnDemandModel(overrides: Partial<OnDemandModel> = {}): OnDemandModel {
  return {
    id: 'ocid1.generativeaimodel.oc1.us-chicago-1.llama33',
    name: 'meta.llama-3.3-70b-instruct',
    vendor: 'meta',
    version: '1.0.0',
    mode: 'chat',
    capabilities: ['CHAT'],
    deprecated: false,
    deprecated_at: null,
    retires_at: null,
    note: '',
    target: 'genai',
    actions: ['chat', 'evaluate'],
    ...overrides
  };
}

/** An on-demand embedding model: nothing to chat with or score, though the server lists `chat` among its actions. */
export function makeEmbeddingOnDemandModel(): OnDemandModel {
  return makeOnDemandModel({
    id: 'ocid1.generativeaimodel.oc1.us-chicago-1.embed',
    name: 'cohere.embed-multilingual-v3.0',
    mode: 'embedding',
    capabilities: ['TEXT_EMBEDDINGS'],
    actions: ['chat']
  });
}

/** A base model of the region that fine-tunes with T-Few and LoRA only. */
export function makeBaseModel(overrides: Partial<GenAiModel> = {}): GenAiModel {
  return makeGenAiModel({
    id: 'ocid1.generativeaimodel.oc1.us-chicago-1.command-r',
    name: 'cohere.command-r-08-2024',
    type: 'BASE',
    vendor: 'cohere',
    capabilities: ['CHAT', 'FINE_TUNE'],
    capability: null,
    huggingface: null,
    training_methods: ['TFEW_TRAINING_CONFIG', 'LORA_TRAINING_CONFIG'],
    actions: ['finetune'],
    ...overrides
  });
}

function option(
  unitShape: string,
  gpu: string,
  gpuCount: number,
  memoryGb: number,
  aiUnits: number,
  overrides: Partial<UnitShapeOption> = {}
): UnitShapeOption {
  return {
    unit_shape: unitShape,
    gpu,
    gpu_count: gpuCount,
    gpu_memory_gb: memoryGb,
    fits: true,
    recommended: false,
    limit_name: `dedicated-unit-${gpu.toLowerCase().replace(/ (\d+)gb/, '-$1g')}-count`,
    units_needed: gpuCount,
    available: 8,
    cost: unitCost(unitShape, aiUnits, 1, 2.5),
    ...overrides
  };
}

/** The plan for a 7B model: A10_X1 too small, A10_X2 recommended, A100 80G out of quota. */
export function makePlan(overrides: Partial<ClusterPlan> = {}): ClusterPlan {
  return {
    model_id: 'qwen-7b',
    model_name: 'Qwen 7B 日本語',
    recommended_unit_shape: 'A10_X2',
    shapes: [
      option('A10_X1', 'A10', 1, 24, 1.77, { fits: false }),
      option('A10_X2', 'A10', 2, 48, 3.54, { recommended: true }),
      option('A100_80G_X1', 'A100 80GB', 1, 80, 3.24, { available: 0 })
    ],
    datascience: {
      shape: 'VM.GPU.A10.2',
      replicas: 1,
      gpu_count: 2,
      price_per_gpu_hour: 2,
      hourly: 4,
      currency: 'USD',
      arithmetic: ['VM.GPU.A10.2: 2 GPUs × $2 = $4.00 per hour'],
      note: ''
    },
    price_per_ai_unit_hour: 2.5,
    arithmetic: ['weights 15.2 GB + KV cache 2.1 GB + overhead 1.5 GB = 18.8 GB'],
    notes: ['The Data Science figure is a list price per GPU hour that may be out of date.'],
    ...overrides
  };
}

function field(
  name: string,
  value: number,
  low: number | null,
  high: number | null,
  extra: Partial<TrainingField> = {}
) {
  return { name, default: value, low, high, high_exclusive: false, integer: Number.isInteger(value), ...extra };
}

/** The training methods with their fields, defaults and ranges (as `GET genai/training-defaults` answers). */
export function makeTrainingDefaults(): GenAiTrainingDefaults {
  const common = [
    field('total_training_epochs', 3, 1, null),
    field('training_batch_size', 8, 8, 16),
    field('early_stopping_patience', 15, 0, null),
    field('early_stopping_threshold', 0.0001, 0, null, { integer: false }),
    field('log_model_metrics_interval_in_steps', 10, 0, null)
  ];
  return {
    methods: [
      {
        training_config_type: 'LORA_TRAINING_CONFIG',
        fields: [
          ...common,
          field('learning_rate', 0.0002, 0, 1, { integer: false }),
          field('lora_r', 8, 1, 64),
          field('lora_alpha', 8, 1, 128),
          field('lora_dropout', 0.1, 0, 1, { integer: false, high_exclusive: true })
        ]
      },
      {
        training_config_type: 'TFEW_TRAINING_CONFIG',
        fields: [...common, field('learning_rate', 0.01, 0, 1, { integer: false })]
      },
      {
        training_config_type: 'VANILLA_TRAINING_CONFIG',
        fields: [
          ...common,
          field('learning_rate', 0.01, 0, 1, { integer: false }),
          field('num_of_last_layers', 15, 1, 15)
        ]
      }
    ],
    split_statement: '1,000 lines: about 800 train and 200 validate (80/20).'
  };
}
