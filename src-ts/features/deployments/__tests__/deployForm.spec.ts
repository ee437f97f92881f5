import {
  adapterCandidates,
  buildDeployRequest,
  defaultMode,
  DEPLOY_FIELDS,
  effectiveDtype,
  engineChoices,
  fitTargetForShape,
  initialDeployForm,
  localShapeChoices,
  modeChoices,
  newParamRow,
  ociShapeChoices,
  paramTokens,
  validateDeployForm,
  type IDeployForm
} from '../deployForm';
import { placeFieldErrors } from '../../../shared/fieldErrors';
import { makeFit, makeInfo, makeModel, ociTarget } from '../../../test-support/fixtures';
import { trans } from '../../../test-support/trans';

const info = makeInfo({
  engines: [
    { name: 'transformers', label: 'Transformers', available: true, version: '5.23.0', reason: null },
    {
      name: 'vllm',
      label: 'vLLM',
      available: false,
      version: null,
      reason: 'Optional: pip install vllm (CUDA GPU only)'
    },
    { name: 'llama.cpp', label: 'llama.cpp', available: false, version: null, reason: 'Install llama-server' },
    { name: 'trl', label: 'trl', available: true, version: '1', reason: null }
  ]
});

function form(overrides: Partial<IDeployForm> = {}): IDeployForm {
  return { ...initialDeployForm(makeModel(), 'local', info), ...overrides };
}

describe('deploy form', () => {
  it('starts from the model: its name, CPU without a GPU, transformers, chat', () => {
    expect(form()).toMatchObject({
      modelId: 'catalog:Qwen--Qwen2.5-0.5B-Instruct',
      name: 'Qwen2.5 0.5B Instruct',
      shape: 'cpu',
      engine: 'transformers',
      mode: 'chat',
      replicas: '1',
      params: []
    });
    const withGpu = makeInfo({
      hardware: {
        cpu_count: 8,
        memory_gb: 64,
        gpus: [{ index: 0, name: 'A10', memory_gb: 24, vendor: 'nvidia' }],
        platform: 'linux',
        memory_bandwidth_gb_s: null
      }
    });
    expect(initialDeployForm(makeModel(), 'local', withGpu).shape).toBe('gpu');
    expect(initialDeployForm(makeModel(), 'oci', info)).toMatchObject({ engine: 'vllm', shape: '' });
    const onOci = { ...info, backend: ociTarget() };
    expect(initialDeployForm(makeModel({ capability: 'EMBEDDING' }), 'oci', onOci).mode).toBe('embedding');
  });

  it('offers local engines with the reason the missing ones are disabled', () => {
    const choices = engineChoices('local', info, trans);
    expect(choices.map(c => [c.value, c.disabled])).toEqual([
      ['transformers', false],
      ['vllm', true],
      ['llama.cpp', true]
    ]);
    expect(choices[0].label).toBe('transformers 5.23.0');
    expect(choices[1].reason).toBe('Optional: pip install vllm (CUDA GPU only)');
    expect(engineChoices('oci', info, trans).map(c => [c.value, c.disabled])).toEqual([
      ['vllm', false],
      ['llama.cpp', false],
      ['tgi', false]
    ]);
  });

  it("offers the modes the target's driver says each engine serves, not a table of its own", () => {
    // The local target serves embeddings for transformers (our embedding server) but not for vLLM.
    const disabled = (engine: Parameters<typeof modeChoices>[0], of: typeof info) =>
      modeChoices(engine, of, trans)
        .filter(c => c.disabled)
        .map(c => c.value);
    expect(disabled('transformers', info)).toEqual([]);
    expect(disabled('vllm', info)).toEqual(['embedding']);
    expect(modeChoices('vllm', info, trans)[2].reason).toBe(
      'vLLM does not serve Embedding on this target; it serves Chat, Completion.'
    );
    const oci = { ...info, backend: ociTarget() };
    expect(disabled('llama.cpp', oci)).toEqual(['embedding']);
    expect(disabled('vllm', oci)).toEqual([]);
    // Not told (a target not started yet): every mode, and the server answers the create.
    const untold = { ...info, backend: { ...info.backend, engine_modes: {} } };
    expect(disabled('llama.cpp', untold)).toEqual([]);
  });

  it('deploys an embedding model in embedding mode with transformers when the target serves it', () => {
    const model = makeModel({ capability: 'EMBEDDING' });
    expect(initialDeployForm(model, 'local', info).mode).toBe('embedding');
    expect(defaultMode(model, 'vllm', info)).toBe('chat');
  });

  it('offers GPU only when the machine has one', () => {
    const [cpu, gpu] = localShapeChoices(info, trans);
    expect(cpu.label).toBe('CPU (2 cores, 23 GB memory)');
    expect(gpu).toMatchObject({ disabled: true, reason: 'No GPU on this machine.' });
  });

  it('finds the fit of the chosen shape; OCI lists the recommended shape first', () => {
    const fit = makeFit({
      shapes: [
        {
          name: 'VM.GPU.A10.2',
          kind: 'oci-shape',
          gpu_count: 2,
          memory_gb: 48,
          fits: true,
          headroom_gb: 46,
          recommended: false,
          available: null,
          tokens_per_s: null,
          bandwidth_gb_s: null,
          too_slow: false
        },
        {
          name: 'VM.GPU.A10.1',
          kind: 'oci-shape',
          gpu_count: 1,
          memory_gb: 24,
          fits: true,
          headroom_gb: 22,
          recommended: true,
          available: null,
          tokens_per_s: null,
          bandwidth_gb_s: null,
          too_slow: false
        }
      ]
    });
    expect(ociShapeChoices(fit).map(s => s.name)).toEqual(['VM.GPU.A10.1', 'VM.GPU.A10.2']);
    expect(fitTargetForShape(fit, 'oci', 'VM.GPU.A10.2')?.memory_gb).toBe(48);
    expect(fitTargetForShape(fit, 'local', 'cpu')?.kind).toBe('local-cpu');
    expect(fitTargetForShape(fit, 'local', 'gpu')).toBeNull();
    expect(fitTargetForShape(null, 'local', 'cpu')).toBeNull();
    expect(effectiveDtype({ dtype: '', shape: 'cpu' }, 'local')).toBe('float32');
    expect(effectiveDtype({ dtype: '', shape: 'gpu' }, 'local')).toBe('bfloat16');
    expect(effectiveDtype({ dtype: 'int4', shape: 'cpu' }, 'local')).toBe('int4');
  });

  it('validates before sending', () => {
    expect(validateDeployForm(form(), 'local', info, trans)).toEqual({});
    const errors = validateDeployForm(
      form({
        modelId: '',
        name: '  ',
        maxModelLen: '8',
        idleStopMinutes: '4',
        params: [newParamRow('max-num-seqs', '4'), newParamRow('', 'orphan')]
      }),
      'local',
      info,
      trans
    );
    expect(Object.keys(errors).sort()).toEqual(['idle_stop_minutes', 'max_model_len', 'model_id', 'name', 'params']);
    expect(errors.idle_stop_minutes).toBe(
      'A whole number of minutes from 5 to 10,080 (a week), or empty to never stop.'
    );
    expect(errors.params).toContain('“max-num-seqs” is not a parameter name');
    expect(errors.params).toContain('“orphan” has no parameter name before it.');
    const onOci = { ...info, backend: ociTarget() };
    const oci = validateDeployForm(form({ replicas: '11', logGroupId: 'ocid1.loggroup.x' }), 'oci', onOci, trans);
    expect(oci.replicas).toBe('A whole number from 1 to 10.');
    expect(oci.log_id).toBe('A log needs both the log group and the log.');
  });

  it('builds the request, leaving empty options to the server', () => {
    expect(buildDeployRequest(form({ description: '  ' }), 'local', info)).toEqual({
      model_id: 'catalog:Qwen--Qwen2.5-0.5B-Instruct',
      name: 'Qwen2.5 0.5B Instruct',
      engine: 'transformers',
      mode: 'chat',
      shape: 'cpu'
    });
    const full = buildDeployRequest(
      form({
        engine: 'vllm',
        shape: 'VM.GPU.A10.1',
        replicas: '2',
        maxModelLen: '8192',
        dtype: 'bfloat16',
        description: 'For the demo',
        params: [newParamRow('--max-num-seqs', '8'), newParamRow('--enforce-eager', ''), newParamRow('', '')],
        logGroupId: ' ocid1.loggroup.a ',
        logId: 'ocid1.log.b',
        idleStopMinutes: ' 30 '
      }),
      'oci',
      { ...info, backend: ociTarget() }
    );
    expect(full).toEqual({
      model_id: 'catalog:Qwen--Qwen2.5-0.5B-Instruct',
      name: 'Qwen2.5 0.5B Instruct',
      engine: 'vllm',
      mode: 'chat',
      description: 'For the demo',
      shape: 'VM.GPU.A10.1',
      dtype: 'bfloat16',
      max_model_len: 8192,
      params: ['--max-num-seqs', '8', '--enforce-eager'],
      replicas: 2,
      log_group_id: 'ocid1.loggroup.a',
      log_id: 'ocid1.log.b',
      idle_stop_minutes: 30
    });
    // Replicas and logging are OCI-only.
    expect(buildDeployRequest(form({ replicas: '3', logGroupId: 'g', logId: 'l' }), 'local', info)).not.toHaveProperty(
      'replicas'
    );
  });

  it('turns rows into argv tokens', () => {
    expect(paramTokens([newParamRow(' --dtype ', ' bfloat16 '), newParamRow('--compile', '')])).toEqual([
      '--dtype',
      'bfloat16',
      '--compile'
    ]);
  });

  it('places the server’s 400 field errors under the right inputs', () => {
    const placed = placeFieldErrors(
      [
        { field: 'params', message: '--port cannot be set: the port is chosen by aqua_ext' },
        { field: 'body.params.3', message: 'too long' },
        { field: 'body', message: 'Value error, log_id: a log needs both log_group_id and log_id' },
        { field: 'engine', message: "the 'vllm' engine is not available for local deployments yet" }
      ],
      DEPLOY_FIELDS
    );
    expect(placed.byField).toEqual({
      params: '--port cannot be set: the port is chosen by aqua_ext too long',
      log_id: 'a log needs both log_group_id and log_id',
      engine: "the 'vllm' engine is not available for local deployments yet"
    });
    expect(placed.other).toEqual([]);
  });

  it('offers the LoRA fine-tunes of the target as adapters and sends them for an engine that serves them', () => {
    const base = makeModel({ id: 'reg:gguf', formats: ['gguf'] });
    const lora = makeModel({ id: 'ft:ftj-1', name: '한국어 답변', source: 'fine-tuned', tags: ['fine-tuned', 'lora'] });
    const layers = makeModel({ id: 'ft:ftj-2', source: 'fine-tuned', tags: ['fine-tuned', 'last_layers'] });
    const elsewhere = makeModel({ id: 'ft:oci', source: 'fine-tuned', tags: ['fine-tuned', 'lora'], target: 'oci' });
    expect(adapterCandidates([base, lora, layers, elsewhere], base).map(model => model.id)).toEqual(['ft:ftj-1']);

    const withAdapters = form({ modelId: 'reg:gguf', engine: 'llama.cpp', adapters: ['ft:ftj-1'] });
    expect(validateDeployForm(withAdapters, 'local', info, trans)).toEqual({});
    expect(buildDeployRequest(withAdapters, 'local', info).adapters).toEqual([{ model_id: 'ft:ftj-1' }]);
    expect(buildDeployRequest(form(), 'local', info)).not.toHaveProperty('adapters');
    // On OCI (AQUA's stacked deployment) vLLM serves them, TGI and llama.cpp do not: said under the list, none sent.
    const oci = { ...info, backend: ociTarget() };
    expect(adapterCandidates([base, lora, elsewhere], makeModel({ id: 'ocid1.base', target: 'oci' }))).toEqual([
      elsewhere
    ]);
    const stacked = form({ modelId: 'ocid1.base', engine: 'vllm', adapters: ['ft:oci'] });
    expect(validateDeployForm(stacked, 'oci', oci, trans)).toEqual({});
    expect(buildDeployRequest(stacked, 'oci', oci).adapters).toEqual([{ model_id: 'ft:oci' }]);
    const tgi = { ...stacked, engine: 'tgi' as const };
    expect(validateDeployForm(tgi, 'oci', oci, trans).adapters).toBe(
      'TGI serves no adapters on this target; engines that do: vLLM.'
    );
    expect(buildDeployRequest(tgi, 'oci', oci)).not.toHaveProperty('adapters');
    // transformers serve loads no adapters: said under the list, and none sent.
    const transformers = form({ engine: 'transformers', adapters: ['ft:ftj-1'] });
    expect(validateDeployForm(transformers, 'local', info, trans).adapters).toBe(
      'transformers serves no adapters on this target; engines that do: llama.cpp, vLLM.'
    );
    expect(buildDeployRequest(transformers, 'local', info)).not.toHaveProperty('adapters');
    // An embedding gives vectors: llama.cpp serves adapters, but not to an embedding deployment.
    const embedding = form({ modelId: 'reg:gguf', engine: 'llama.cpp', mode: 'embedding', adapters: ['ft:ftj-1'] });
    expect(validateDeployForm(embedding, 'local', info, trans).adapters).toBe(
      'An embedding deployment gives vectors: adapters change answers.'
    );
    expect(buildDeployRequest(embedding, 'local', info)).not.toHaveProperty('adapters');
    // The server names the adapter it refuses (`adapters.1`): under the list, not under the model picker.
    const placed = placeFieldErrors(
      [{ field: 'adapters.1', message: "'Wide' has LoRA rank 128; the base's hidden size is 64" }],
      DEPLOY_FIELDS
    );
    expect(placed.byField).toEqual({ adapters: "'Wide' has LoRA rank 128; the base's hidden size is 64" });
  });
});
