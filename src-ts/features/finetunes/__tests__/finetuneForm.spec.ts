import {
  applyDefaults,
  buildFineTuneRequest,
  fitQuery,
  fitTargetFor,
  initialFineTuneForm,
  parseModules,
  placeFineTuneErrors,
  queryKey,
  splitFraction,
  validateFineTuneForm,
  type FormKey,
  type IFineTuneForm
} from '../finetuneForm';
import {
  loraRequestParams,
  makeFineTuneDefaults,
  makeModel,
  makeTrainingFit,
  target
} from '../../../test-support/fixtures';
import { trans } from '../../../test-support/trans';

function form(overrides: Partial<IFineTuneForm> = {}): IFineTuneForm {
  return { ...initialFineTuneForm(makeModel(), 'datasets/support.jsonl'), ...overrides };
}

describe('fine-tune form', () => {
  it('starts from the model, the dataset and the contract defaults', () => {
    const initial = initialFineTuneForm(makeModel(), 'datasets/support.jsonl');
    expect(initial).toMatchObject({
      modelId: 'catalog:Qwen--Qwen2.5-0.5B-Instruct',
      name: 'Qwen2.5 0.5B Instruct · support',
      datasetPath: 'datasets/support.jsonl',
      validationSplit: '10',
      trainingType: 'lora',
      epochs: '3',
      learningRate: '0.0002',
      batchSize: '8',
      maxSeqLength: '512',
      loraR: '8',
      loraTargetModules: '',
      shape: '',
      replicas: '1'
    });
    expect(initialFineTuneForm(null).modelId).toBe('');
  });

  it('merges a model’s defaults into the fields the user has not edited', () => {
    const defaults = makeFineTuneDefaults({
      params: {
        ...makeFineTuneDefaults().params,
        batch_size: 4,
        max_seq_length: 1024,
        lora_target_modules: ['q_proj', 'v_proj']
      },
      shapes: ['cpu', 'gpu'],
      default_shape: 'gpu'
    });
    const merged = applyDefaults(form({ epochs: '5' }), defaults, new Set<FormKey>(['epochs']));
    expect(merged.epochs).toBe('5');
    expect(merged.batchSize).toBe('4');
    expect(merged.maxSeqLength).toBe('1024');
    expect(merged.loraTargetModules).toBe('q_proj, v_proj');
    expect(merged.shape).toBe('gpu');
    // A shape the user chose stays, unless the model offers no such shape.
    expect(applyDefaults(form({ shape: 'cpu' }), defaults, new Set<FormKey>(['shape'])).shape).toBe('cpu');
    const cpuOnly = makeFineTuneDefaults({ shapes: ['cpu'], default_shape: 'cpu' });
    expect(applyDefaults(form({ shape: 'gpu' }), cpuOnly, new Set<FormKey>(['shape'])).shape).toBe('cpu');
  });

  it('validates before sending', () => {
    expect(validateFineTuneForm(form(), 'local', trans)).toEqual({});
    const errors = validateFineTuneForm(
      form({
        modelId: '',
        name: ' ',
        datasetPath: '',
        validationSplit: '60',
        epochs: '0',
        learningRate: '2e-x',
        batchSize: '1.5',
        maxSeqLength: '8',
        loraR: '0',
        loraDropout: '1',
        loraTargetModules: 'q_proj, 9bad',
        earlyStoppingThreshold: '-1',
        loggingSteps: '0'
      }),
      'local',
      trans
    );
    expect(Object.keys(errors).sort()).toEqual(
      [
        'model_id',
        'name',
        'dataset_path',
        'validation_split',
        'epochs',
        'learning_rate',
        'batch_size',
        'max_seq_length',
        'lora_r',
        'lora_dropout',
        'lora_target_modules',
        'early_stopping_threshold',
        'logging_steps'
      ].sort()
    );
    expect(errors.lora_target_modules).toContain('“9bad”');
    // The LoRA fields do not matter when training the last layers; the layer count does.
    const lastLayers = validateFineTuneForm(
      form({ trainingType: 'last_layers', loraR: '0', lastNLayers: '0' }),
      'local',
      trans
    );
    expect(Object.keys(lastLayers)).toEqual(['last_n_layers']);
    expect(validateFineTuneForm(form({ datasetPath: 'oci://b@ns/x.jsonl' }), 'local', trans).dataset_path).toContain(
      'OCI'
    );
  });

  it('checks the OCI-only fields on OCI', () => {
    const oci = validateFineTuneForm(form({ replicas: '2', logGroupId: 'ocid1.loggroup.x' }), 'oci', trans, {
      needsOutputUri: true,
      maxReplicas: 4
    });
    expect(oci.output_uri).toContain('versioned bucket');
    expect(oci.subnet_id).toContain('subnet');
    expect(oci.log_id).toContain('both');
    expect(validateFineTuneForm(form({ replicas: '5' }), 'oci', trans, { maxReplicas: 4 }).replicas).toBe(
      'A whole number from 1 to 4.'
    );
    expect(validateFineTuneForm(form({ outputUri: 's3://x' }), 'oci', trans).output_uri).toContain('oci://');
    // On this machine, no such field is looked at.
    expect(validateFineTuneForm(form({ replicas: 'x', outputUri: 's3://x' }), 'local', trans)).toEqual({});
  });

  it('builds the request: every hyperparameter of the training type, OCI fields only on OCI', () => {
    const local = buildFineTuneRequest(
      form({
        description: '  tone ',
        validationSplit: '12.5',
        loraTargetModules: 'q_proj,  v_proj',
        shape: 'cpu',
        outputUri: 'oci://b@n/p'
      }),
      'local'
    );
    expect(local).toEqual({
      model_id: 'catalog:Qwen--Qwen2.5-0.5B-Instruct',
      name: 'Qwen2.5 0.5B Instruct · support',
      description: 'tone',
      dataset_path: 'datasets/support.jsonl',
      validation_split: 0.125,
      shape: 'cpu',
      params: loraRequestParams({ lora_target_modules: ['q_proj', 'v_proj'] })
    });
    const oci = buildFineTuneRequest(
      form({
        trainingType: 'last_layers',
        lastNLayers: '2',
        replicas: '2',
        outputUri: ' oci://b@n/p ',
        subnetId: 'ocid1.subnet',
        experimentName: ''
      }),
      'oci'
    );
    expect(oci.params).toMatchObject({ training_type: 'last_layers', last_n_layers: 2 });
    expect(oci.params).not.toHaveProperty('lora_r');
    expect(oci).toMatchObject({ replicas: 2, output_uri: 'oci://b@n/p', subnet_id: 'ocid1.subnet' });
    expect(oci).not.toHaveProperty('experiment_name');
    expect(oci).not.toHaveProperty('shape');
    expect(splitFraction({ validationSplit: '0' })).toBe(0);
    expect(parseModules(' q_proj ,k_proj  v_proj,')).toEqual(['q_proj', 'k_proj', 'v_proj']);
  });

  it('asks for the memory fit of what the form says', () => {
    expect(fitQuery(form({ batchSize: '4', maxSeqLength: '1024', loraR: '16', shape: 'gpu' }))).toEqual({
      training_type: 'lora',
      batch_size: 4,
      max_seq_length: 1024,
      lora_r: 16,
      shape: 'gpu'
    });
    expect(fitQuery(form({ trainingType: 'last_layers', lastNLayers: '3' }))).toEqual({
      training_type: 'last_layers',
      batch_size: 8,
      max_seq_length: 512,
      last_n_layers: 3
    });
    expect(fitQuery(form({ batchSize: '' }))).toBeNull();
    expect(queryKey('m', { b: 2, a: 1, c: null })).toBe('m?a=1&b=2');
    expect(queryKey('m', null)).toBe('');
    const fit = makeTrainingFit({
      targets: [target({ name: 'gpu', kind: 'local-gpu', fits: false }), target({ name: 'cpu', recommended: true })],
      recommended_shape: 'cpu'
    });
    expect(fitTargetFor(fit, 'gpu')?.name).toBe('gpu');
    expect(fitTargetFor(fit, '')?.name).toBe('cpu');
    expect(fitTargetFor(null, 'cpu')).toBeNull();
  });

  it('places a 400’s errors: hyperparameters by name, dataset lines apart', () => {
    const placed = placeFineTuneErrors([
      { field: 'body.params.epochs', message: 'less than or equal to 100' },
      { field: 'params.lora_target_modules.1', message: 'not a module name' },
      { field: 'dataset_path: line 3', message: 'not JSON' },
      { field: 'line 7', message: 'no "messages"' },
      { field: 'dataset_path', message: 'not found' },
      { field: 'body.mystery', message: '?' }
    ]);
    expect(placed.byField).toEqual({
      epochs: 'less than or equal to 100',
      lora_target_modules: 'not a module name',
      dataset_path: 'not found'
    });
    expect(placed.lines).toEqual([
      { line: 3, message: 'not JSON' },
      { line: 7, message: 'no "messages"' }
    ]);
    expect(placed.other).toEqual([{ field: 'body.mystery', message: '?' }]);
  });
});
