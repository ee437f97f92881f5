import { buildClusterRequest, initialClusterForm, validateClusterForm } from '../clusterForm';
import { buildEndpointRequest, validateEndpointForm } from '../endpointForm';
import { costSoFarText, hourlyText, unitShapeHint, unitShapeOptionLabel, GENAI_STATE_BADGE } from '../format';
import { buildImportRequest, initialImportForm, suggestedName, validateImportForm } from '../importForm';
import {
  buildTrainingRequest,
  initialTrainingForm,
  methodFields,
  offeredMethods,
  rangeHint,
  validateTrainingForm,
  valueError
} from '../trainingForm';
import {
  makeCluster,
  makeFineTuningCluster,
  makePlan,
  makeTrainingDefaults,
  unitCost
} from '../../../test-support/genai';
import { trans } from '../../../test-support/trans';

describe('cost and shape wording', () => {
  it('gives money per hour with a price, and AI units per hour without one', () => {
    expect(hourlyText(unitCost('A10_X2', 3.54, 1, 2.5), trans)).toBe('$8.85/h');
    expect(hourlyText(unitCost('A100_40G_X4', 10.8, 2), trans)).toBe('21.6 AI units/h');
    expect(hourlyText(null, trans)).toBe('—');
  });

  it('says what a running cluster cost so far, in money or AI-unit hours, and nothing before it runs', () => {
    expect(costSoFarText(makeCluster(), trans)).toBe('$17.70');
    const noPrice = makeCluster({
      cost_so_far: { ...makeCluster().cost_so_far!, amount: null, ai_unit_hours: 7.08 }
    });
    expect(costSoFarText(noPrice, trans)).toBe('7.08 AI-unit hours');
    expect(costSoFarText(makeFineTuningCluster(), trans)).toBeNull();
  });

  it('marks the recommended shape, a shape below the fit and one whose limit has no room', () => {
    const [small, recommended, full] = makePlan().shapes;
    expect(unitShapeOptionLabel(recommended, trans)).toBe('A10_X2 · 2 × A10 · 3.54 AI units · $8.85/h (recommended)');
    expect(unitShapeOptionLabel(small, trans)).toMatch(/\(too small for the model\)$/);
    expect(unitShapeOptionLabel(full, trans)).toMatch(/\(limit reached\)$/);
  });

  it('names the service limit to raise for a shape without room, else gives the cost arithmetic', () => {
    const [, recommended, full] = makePlan().shapes;
    expect(unitShapeHint(full, trans)).toContain('request a limit increase of dedicated-unit-a100-80g-count');
    expect(unitShapeHint(recommended, trans)).toBe('A10_X2: 3.54 AI units × 1 = 3.54 AI-unit hours per hour');
  });

  it("words a Generative AI state as a deployment's, DELETED muted, CREATING spinning", () => {
    expect(GENAI_STATE_BADGE.label('ACTIVE', trans)).toBe('Active');
    expect(GENAI_STATE_BADGE.label('DELETED', trans)).toBe('Deleted');
    expect(GENAI_STATE_BADGE.variant('DELETED')).toBe('muted');
    expect(GENAI_STATE_BADGE.changing('CREATING')).toBe(true);
    expect(GENAI_STATE_BADGE.changing('ACTIVE')).toBe(false);
  });
});

describe('cluster form', () => {
  const named = { ...initialClusterForm('HOSTING', 'qwen-7b'), name: '호스팅 クラスタ' };

  it('leaves the shape to the fit when none is chosen, and sends the count and the model', () => {
    expect(validateClusterForm(named, makePlan(), trans)).toEqual({});
    expect(buildClusterRequest(named)).toEqual({
      display_name: '호스팅 クラスタ',
      type: 'HOSTING',
      unit_count: 1,
      model_id: 'qwen-7b'
    });
  });

  it('refuses a shape whose service limit has no room, naming the limit', () => {
    const errors = validateClusterForm({ ...named, unitShape: 'A100_80G_X1' }, makePlan(), trans);
    expect(errors.unit_shape).toContain('dedicated-unit-a100-80g-count');
  });

  it('needs a name, a whole unit count within the contract, and a shape or a model', () => {
    const errors = validateClusterForm({ ...initialClusterForm('FINE_TUNING', null), unitCount: '0' }, null, trans);
    expect(Object.keys(errors).sort()).toEqual(['display_name', 'unit_count', 'unit_shape']);
    expect(errors.unit_count).toBe('A whole number from 1 to 64.');
  });
});

describe('import form', () => {
  it('sends a Hugging Face import with its revision and token, and no Object Storage path', () => {
    const form = {
      ...initialImportForm(),
      hfId: 'meta-llama/Llama-3.1-8B-Instruct',
      revision: 'main',
      token: 'hf_secret',
      osUri: 'oci://left@over/x',
      name: '라마 3.1'
    };
    expect(validateImportForm(form, trans)).toEqual({});
    expect(buildImportRequest(form)).toEqual({
      source: 'huggingface',
      display_name: '라마 3.1',
      capability: 'TEXT_TO_TEXT',
      hf_id: 'meta-llama/Llama-3.1-8B-Instruct',
      revision: 'main',
      token: 'hf_secret'
    });
  });

  it('sends an Object Storage import without any Hugging Face field or token', () => {
    const form = {
      ...initialImportForm(),
      source: 'object_storage' as const,
      osUri: 'oci://models@tenancy/埋め込み/e5',
      capability: 'EMBEDDING' as const,
      token: 'left over',
      name: 'e5 埋め込み'
    };
    expect(buildImportRequest(form)).toEqual({
      source: 'object_storage',
      display_name: 'e5 埋め込み',
      capability: 'EMBEDDING',
      os_uri: 'oci://models@tenancy/埋め込み/e5'
    });
  });

  it('suggests a name from the source and checks the id and the path', () => {
    expect(suggestedName({ ...initialImportForm(), hfId: 'Qwen/Qwen2.5-7B-Instruct' })).toBe('Qwen2.5-7B-Instruct');
    expect(suggestedName({ ...initialImportForm(), source: 'object_storage', osUri: 'oci://b@n/models/e5/' })).toBe(
      'e5'
    );
    expect(validateImportForm({ ...initialImportForm(), hfId: 'no-slash', name: 'x' }, trans).hf_id).toBe(
      'Must look like organization/model-name.'
    );
    expect(
      validateImportForm({ ...initialImportForm(), source: 'object_storage', osUri: 's3://x', name: 'x' }, trans).os_uri
    ).toBe('Must look like oci://bucket@namespace/path.');
  });
});

describe('endpoint form', () => {
  it('needs a name, a model and a hosting cluster', () => {
    expect(
      Object.keys(validateEndpointForm({ name: ' ', description: '', modelId: '', clusterId: '' }, trans)).sort()
    ).toEqual(['dedicated_ai_cluster_id', 'display_name', 'model_id']);
    expect(buildEndpointRequest({ name: ' 엔드포인트 ', description: '', modelId: 'm', clusterId: 'c' })).toEqual({
      display_name: '엔드포인트',
      model_id: 'm',
      dedicated_ai_cluster_id: 'c'
    });
  });

  it('sends a typed description trimmed', () => {
    expect(buildEndpointRequest({ name: 'e', description: ' 설명 ', modelId: 'm', clusterId: 'c' })).toEqual({
      display_name: 'e',
      model_id: 'm',
      dedicated_ai_cluster_id: 'c',
      description: '설명'
    });
  });
});

describe('Generative AI fine-tune form', () => {
  const defaults = makeTrainingDefaults();
  const form = {
    ...initialTrainingForm('base', 'tune'),
    name: 'チューニング済み 모델',
    dataset: 'oci://data@tenancy/sets/train.jsonl'
  };

  it("offers the base model's own methods, else every method the service has", () => {
    expect(offeredMethods(defaults, ['TFEW_TRAINING_CONFIG', 'LORA_TRAINING_CONFIG'])).toEqual([
      'LORA_TRAINING_CONFIG',
      'TFEW_TRAINING_CONFIG'
    ]);
    expect(offeredMethods(defaults, [])).toHaveLength(3);
    expect(offeredMethods(null, undefined)).toEqual([]);
  });

  it('takes the fields of the chosen method only (LoRA r for LoRA, last layers for vanilla)', () => {
    const names = (method: Parameters<typeof methodFields>[1]) => methodFields(defaults, method).map(f => f.name);
    expect(names('LORA_TRAINING_CONFIG')).toEqual(expect.arrayContaining(['lora_r', 'lora_alpha', 'lora_dropout']));
    expect(names('TFEW_TRAINING_CONFIG')).not.toContain('lora_r');
    expect(names('VANILLA_TRAINING_CONFIG')).toContain('num_of_last_layers');
  });

  it("checks a value against the server's range (an exclusive bound too) and says the default", () => {
    const dropout = methodFields(defaults, 'LORA_TRAINING_CONFIG').find(f => f.name === 'lora_dropout')!;
    expect(rangeHint(dropout, trans)).toBe('Default 0.1 · from 0 to below 1');
    expect(valueError(dropout, '1', trans)).toBe('Default 0.1 · from 0 to below 1');
    expect(valueError(dropout, '0.05', trans)).toBeNull();
    expect(valueError(dropout, '', trans)).toBeNull();
    const batch = methodFields(defaults, 'LORA_TRAINING_CONFIG').find(f => f.name === 'training_batch_size')!;
    expect(valueError(batch, '8.5', trans)).toBe('A whole number.');
    expect(valueError(batch, '32', trans)).toBe('Default 8 · from 8 to 16');
  });

  it('sends only the values typed for the method, and the dataset as bucket, namespace and object', () => {
    const typed = {
      ...form,
      values: { lora_r: '16', total_training_epochs: '', num_of_last_layers: '4', early_stopping_patience: '0' }
    };
    expect(validateTrainingForm(typed, defaults, trans)).toEqual({});
    expect(buildTrainingRequest(typed, defaults)).toEqual({
      display_name: 'チューニング済み 모델',
      base_model_id: 'base',
      dedicated_ai_cluster_id: 'tune',
      training_dataset: { namespace: 'tenancy', bucket: 'data', object: 'sets/train.jsonl' },
      // num_of_last_layers is vanilla's: LoRA leaves it out.
      training_config: { training_config_type: 'LORA_TRAINING_CONFIG', lora_r: 16, early_stopping_patience: 0 }
    });
  });

  it('needs the base model, the cluster and a JSONL object, and names a bad hyperparameter', () => {
    const errors = validateTrainingForm(
      { ...initialTrainingForm(null, null), name: 'x', dataset: 'oci://data@tenancy/', values: { lora_r: '65' } },
      defaults,
      trans
    );
    expect(Object.keys(errors).sort()).toEqual([
      'base_model_id',
      'dedicated_ai_cluster_id',
      'lora_r',
      'training_dataset'
    ]);
    expect(errors.lora_r).toBe('Default 8 · from 1 to 64');
  });
});
