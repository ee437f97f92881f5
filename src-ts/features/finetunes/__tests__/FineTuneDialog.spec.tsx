import { fireEvent, screen, waitFor, within } from '@testing-library/react';

import { AquaApiError } from '../../../api/errors';
import { apiError } from '../../../test-support/errors';
import { FineTuneDialog, type IFineTuneDialogProps } from '../FineTuneDialog';
import {
  FakeClient,
  LOCAL_TARGET,
  loraRequestParams,
  makeDatasetReport,
  makeFineTuneDefaults,
  makeInfo,
  makeModel,
  ociTarget,
  makeTrainingFit,
  target
} from '../../../test-support/fixtures';
import { errorOf, renderDialog, settle } from '../../../test-support/dialogs';
import { optionTexts } from '../../../test-support/queries';

function setup(overrides: Partial<IFineTuneDialogProps> = {}, client = new FakeClient()) {
  return renderDialog(FineTuneDialog, client, {
    model: makeModel(),
    datasetPath: 'datasets/support.jsonl',
    debounceMs: 0,
    ...overrides
  });
}

function lineErrors(): AquaApiError {
  return apiError(400, 'datasets/support.jsonl: 2 invalid lines; line 3: not JSON', {
    fields: [
      { field: 'line 3', message: 'not JSON: Expecting value' },
      { field: 'line 9', message: 'a conversational row needs "messages"' }
    ],
    requestId: 'req-1'
  });
}

describe('FineTuneDialog', () => {
  it('starts from the model’s defaults and checks the dataset inline', async () => {
    const { client } = setup();
    expect(screen.getByRole('dialog', { name: 'Fine-tune model' })).toBeInTheDocument();
    expect(screen.getByLabelText('Base model')).toHaveFocus();
    await waitFor(() => expect(screen.getByLabelText('Batch size')).toHaveValue(4));
    expect(client.getFineTuneDefaults).toHaveBeenCalledWith('catalog:Qwen--Qwen2.5-0.5B-Instruct');
    expect(screen.getByLabelText('Base model')).toHaveValue('catalog:Qwen--Qwen2.5-0.5B-Instruct');
    expect(screen.getByLabelText('Job name')).toHaveValue('Qwen2.5 0.5B Instruct · support');
    expect(screen.getByLabelText('Sequence length')).toHaveValue(1024);
    expect(screen.getByLabelText('Epochs')).toHaveValue(3);
    expect(screen.getByRole('radio', { name: /^LoRA/ })).toBeChecked();
    expect(screen.getByRole('radio', { name: /^CPU/ })).toBeChecked();
    // No OCI fields on this machine.
    expect(screen.queryByLabelText('Nodes')).not.toBeInTheDocument();
    expect(screen.queryByLabelText(/Output location/)).not.toBeInTheDocument();

    const fit = screen.getByLabelText('Training memory fit');
    expect(fit).toHaveTextContent('✓ Fits');
    expect(fit).toHaveTextContent('training needs 6.4 GB of 23.4 GB on CPU');
    expect(fit).toHaveTextContent('trainable = LoRA r 8');

    const check = await screen.findByRole('region', { name: 'Dataset check' });
    await waitFor(() => expect(check).toHaveAttribute('data-status', 'ok'));
    expect(client.validateDataset).toHaveBeenLastCalledWith({
      path: 'datasets/support.jsonl',
      model_id: 'catalog:Qwen--Qwen2.5-0.5B-Instruct',
      max_seq_length: 1024,
      validation_split: 0.1
    });
    expect(check).toHaveTextContent('400 rows, all valid');
    expect(check).toHaveTextContent('360 train · 40 validation');
    expect(check).toHaveTextContent('Duplicates3');
    expect(check).toHaveTextContent('p50 210 · p95 480 · max 1,300');
    expect(check).toHaveTextContent('2 rows are longer than 1,024 tokens and would be truncated (lines 17, 230).');
    expect(check).toHaveTextContent('3 rows repeat an earlier row.');
    expect(screen.getByRole('button', { name: 'Start fine-tuning' })).toBeEnabled();
  });

  it('with local and OCI enabled, starts on the model’s target and offers each target’s own models', async () => {
    const client = new FakeClient();
    const oci = 'ocid1.datasciencemodel.oc1..m';
    client.models = [makeModel(), makeModel({ id: oci, name: 'Qwen on OCI', target: 'oci' })];
    setup({ info: makeInfo({ targets: [LOCAL_TARGET, ociTarget()] }) }, client);
    const picker = screen.getByLabelText('Target');
    const model = screen.getByLabelText('Base model') as HTMLSelectElement;
    expect(picker).toHaveValue('local');
    await waitFor(() => expect(within(model).getAllByRole('option')).toHaveLength(2));
    expect(model.value).toBe('catalog:Qwen--Qwen2.5-0.5B-Instruct');
    fireEvent.change(picker, { target: { value: 'oci' } });
    await waitFor(() => expect(model.value).toBe(''));
    expect(within(model).getByRole('option', { name: 'Qwen on OCI' })).toBeInTheDocument();
    expect(within(model).queryByRole('option', { name: 'Qwen2.5 0.5B Instruct' })).not.toBeInTheDocument();
  });

  it('lists the dataset’s bad lines and keeps submit disabled until it changes', async () => {
    const client = new FakeClient();
    client.validateDataset.mockImplementation(async body => {
      if (body.path === 'datasets/fixed.jsonl') {
        return makeDatasetReport({ path: body.path });
      }
      throw lineErrors();
    });
    setup({}, client);
    const check = await screen.findByRole('region', { name: 'Dataset check' });
    await waitFor(() => expect(check).toHaveAttribute('data-status', 'invalid'));
    const lines = within(check).getByRole('list', { name: 'Invalid lines' });
    expect(
      within(lines)
        .getAllByRole('listitem')
        .map(li => li.textContent)
    ).toEqual(['Line 3not JSON: Expecting value', 'Line 9a conversational row needs "messages"']);
    expect(check).toHaveTextContent('2 invalid lines');
    expect(screen.getByRole('button', { name: 'Start fine-tuning' })).toBeDisabled();
    expect(screen.getByText('Fix the dataset first.')).toBeInTheDocument();

    // Fixed on disk: check again.
    const calls = client.validateDataset.mock.calls.length;
    fireEvent.click(within(check).getByRole('button', { name: 'Check again' }));
    await waitFor(() => expect(client.validateDataset).toHaveBeenCalledTimes(calls + 1));
    await waitFor(() => expect(check).toHaveAttribute('data-status', 'invalid'));
    fireEvent.change(screen.getByLabelText('Dataset (JSONL)'), { target: { value: 'datasets/fixed.jsonl' } });
    await waitFor(() =>
      expect(screen.getByRole('region', { name: 'Dataset check' })).toHaveAttribute('data-status', 'ok')
    );
    expect(screen.getByRole('button', { name: 'Start fine-tuning' })).toBeEnabled();
    // The name follows the dataset until the user names the job.
    expect(screen.getByLabelText('Job name')).toHaveValue('Qwen2.5 0.5B Instruct · fixed');
  });

  it('says a missing file under the dataset input', async () => {
    const client = new FakeClient();
    client.validateDataset.mockRejectedValue(
      apiError(404, 'path: datasets/nope.jsonl does not exist', { requestId: 'r' })
    );
    setup({ datasetPath: 'datasets/nope.jsonl' }, client);
    const input = screen.getByLabelText('Dataset (JSONL)');
    await waitFor(() => expect(errorOf(input)).toHaveTextContent('path: datasets/nope.jsonl does not exist'));
    expect(input).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByRole('button', { name: 'Start fine-tuning' })).toBeDisabled();
  });

  it('checks without token lengths when the model’s tokenizer is not here', async () => {
    const client = new FakeClient();
    client.validateDataset.mockRejectedValueOnce(
      apiError(400, 'model_id: tokenizer not available locally', {
        fields: [{ field: 'model_id', message: 'tokenizer not available locally' }],
        requestId: 'r'
      })
    );
    client.validateDataset.mockResolvedValueOnce(makeDatasetReport({ tokens: null }));
    setup({}, client);
    const check = await screen.findByRole('region', { name: 'Dataset check' });
    await waitFor(() => expect(check).toHaveAttribute('data-status', 'ok'));
    expect(client.validateDataset.mock.calls[1][0]).not.toHaveProperty('model_id');
    expect(check).toHaveTextContent('Token lengths not measured: model_id: tokenizer not available locally');
  });

  it('refreshes the memory fit when batch size, sequence length, r or the type change', async () => {
    const client = new FakeClient();
    setup({}, client);
    await waitFor(() => expect(screen.getByLabelText('Batch size')).toHaveValue(4));
    await settle();
    // The defaults' own fit is shown: no second request for it.
    expect(client.getFineTuneDefaults).toHaveBeenCalledTimes(1);
    client.getFineTuneDefaults.mockResolvedValueOnce(
      makeFineTuneDefaults({
        fit: makeTrainingFit({
          total_gb: 30,
          targets: [target({ name: 'cpu', memory_gb: 23.4, fits: false, headroom_gb: -9.3 })]
        })
      })
    );
    fireEvent.change(screen.getByLabelText('Batch size'), { target: { value: '64' } });
    await waitFor(() =>
      expect(client.getFineTuneDefaults).toHaveBeenLastCalledWith('catalog:Qwen--Qwen2.5-0.5B-Instruct', {
        training_type: 'lora',
        batch_size: 64,
        max_seq_length: 1024,
        lora_r: 8,
        shape: 'cpu'
      })
    );
    await waitFor(() => expect(screen.getByLabelText('Training memory fit')).toHaveTextContent('✗ Does not fit'));
    expect(screen.getByLabelText('Training memory fit')).toHaveTextContent('(9.3 GB short)');
    // The user's batch size stays (only the fit is taken from the refresh).
    expect(screen.getByLabelText('Batch size')).toHaveValue(64);

    fireEvent.click(screen.getByRole('radio', { name: /^Last N layers/ }));
    expect(screen.queryByLabelText('LoRA r')).not.toBeInTheDocument();
    fireEvent.change(screen.getByLabelText('Last N layers'), { target: { value: '2' } });
    await waitFor(() =>
      expect(client.getFineTuneDefaults).toHaveBeenLastCalledWith(
        'catalog:Qwen--Qwen2.5-0.5B-Instruct',
        expect.objectContaining({ training_type: 'last_layers', last_n_layers: 2 })
      )
    );
  });

  it('starts the job with what the form says and hands the answer back', async () => {
    const { client, props } = setup();
    await waitFor(() => expect(screen.getByLabelText('Batch size')).toHaveValue(4));
    await waitFor(() =>
      expect(screen.getByRole('region', { name: 'Dataset check' })).toHaveAttribute('data-status', 'ok')
    );
    fireEvent.change(screen.getByLabelText('Epochs'), { target: { value: '2' } });
    fireEvent.change(screen.getByLabelText('Learning rate'), { target: { value: '1e-4' } });
    fireEvent.click(screen.getByText('Advanced options'));
    fireEvent.change(screen.getByLabelText('Target modules'), { target: { value: 'q_proj, v_proj' } });
    fireEvent.click(screen.getByRole('button', { name: 'Start fine-tuning' }));
    await waitFor(() => expect(props.onCreated).toHaveBeenCalled());
    expect(client.createFineTune).toHaveBeenCalledWith({
      model_id: 'catalog:Qwen--Qwen2.5-0.5B-Instruct',
      name: 'Qwen2.5 0.5B Instruct · support',
      dataset_path: 'datasets/support.jsonl',
      validation_split: 0.1,
      shape: 'cpu',
      // The model's defaults (batch size, sequence length), then what the user typed.
      params: loraRequestParams({
        epochs: 2,
        learning_rate: 1e-4,
        batch_size: 4,
        max_seq_length: 1024,
        lora_target_modules: ['q_proj', 'v_proj']
      })
    });
    expect((props.onCreated as jest.Mock).mock.calls[0][0].finetune.id).toBe('ftj-new');
    expect(props.notify).toHaveBeenCalledWith(
      'Fine-tuning “Qwen2.5 0.5B Instruct · support” started (the dataset check has 2 warnings).',
      'info'
    );
  });

  it('runs the preflight before sending when it has not answered yet', async () => {
    const client = new FakeClient();
    client.validateDataset.mockRejectedValueOnce(lineErrors());
    // The debounced check would wait ten seconds: the submit checks at once.
    const { props } = setup({ debounceMs: 10_000 }, client);
    await waitFor(() => expect(screen.getByLabelText('Batch size')).toHaveValue(4));
    fireEvent.click(screen.getByRole('button', { name: 'Start fine-tuning' }));
    const check = await screen.findByRole('region', { name: 'Dataset check' });
    await waitFor(() => expect(check).toHaveAttribute('data-status', 'invalid'));
    expect(client.createFineTune).not.toHaveBeenCalled();
    expect(props.onCreated).not.toHaveBeenCalled();
    expect(client.validateDataset).toHaveBeenCalledTimes(1);
  });

  it('places the server’s 400 under the inputs (and the job’s bad lines in the check)', async () => {
    const client = new FakeClient();
    client.createFineTune.mockRejectedValueOnce(
      apiError(400, 'epochs: less than or equal to 100', {
        fields: [
          { field: 'body.params.epochs', message: 'Input should be less than or equal to 100' },
          { field: 'body.params.logging_steps', message: 'Input should be greater than or equal to 1' },
          { field: 'shape', message: 'training needs 30 GB; cpu has 23 GB' }
        ],
        requestId: 'r'
      })
    );
    setup({}, client);
    await waitFor(() =>
      expect(screen.getByRole('region', { name: 'Dataset check' })).toHaveAttribute('data-status', 'ok')
    );
    fireEvent.click(screen.getByRole('button', { name: 'Start fine-tuning' }));
    await waitFor(() =>
      expect(errorOf(screen.getByLabelText('Epochs'))).toHaveTextContent('less than or equal to 100')
    );
    expect(errorOf(screen.getByLabelText('Logging interval'))).toHaveTextContent('greater than or equal to 1');
    // The error inside "Advanced options" opened it.
    expect(screen.getByText('Advanced options').closest('details')).toHaveAttribute('open');
    expect(screen.getByRole('group', { name: 'Shape' })).toHaveTextContent('training needs 30 GB; cpu has 23 GB');
    // Editing the input clears its error.
    fireEvent.change(screen.getByLabelText('Epochs'), { target: { value: '4' } });
    expect(errorOf(screen.getByLabelText('Epochs'))).toBeNull();

    client.createFineTune.mockRejectedValueOnce(
      apiError(400, 'dataset_path: 1 invalid line', {
        fields: [{ field: 'dataset_path: line 4', message: 'not JSON' }],
        requestId: 'r'
      })
    );
    fireEvent.click(screen.getByRole('button', { name: 'Start fine-tuning' }));
    await waitFor(() =>
      expect(errorOf(screen.getByLabelText('Dataset (JSONL)'))).toHaveTextContent('1 invalid line in the dataset.')
    );
    expect(screen.getByRole('list', { name: 'Invalid lines' })).toHaveTextContent('Line 4not JSON');
    expect(screen.getByRole('button', { name: 'Start fine-tuning' })).toBeDisabled();
  });

  it('validates locally first', async () => {
    const { client } = setup({ datasetPath: '' });
    await waitFor(() => expect(screen.getByLabelText('Batch size')).toHaveValue(4));
    fireEvent.change(screen.getByLabelText('Job name'), { target: { value: '' } });
    fireEvent.change(screen.getByLabelText('Learning rate'), { target: { value: 'fast' } });
    fireEvent.click(screen.getByRole('button', { name: 'Start fine-tuning' }));
    expect(errorOf(screen.getByLabelText('Dataset (JSONL)'))).toHaveTextContent('Choose a JSONL dataset');
    expect(errorOf(screen.getByLabelText('Job name'))).toHaveTextContent('Enter a name');
    expect(errorOf(screen.getByLabelText('Learning rate'))).toHaveTextContent('such as 2e-4');
    expect(client.createFineTune).not.toHaveBeenCalled();
    expect(client.validateDataset).not.toHaveBeenCalled();
  });

  it('offers the models ready to fine-tune and reloads the defaults for another', async () => {
    const client = new FakeClient();
    setup({ model: null, datasetPath: null }, client);
    expect(screen.getByRole('heading', { name: 'New fine-tune' })).toBeInTheDocument();
    const select = screen.getByLabelText('Base model');
    await waitFor(() => expect(within(select).getAllByRole('option').length).toBeGreaterThan(1));
    const names = optionTexts(select);
    expect(names).toEqual(['Choose a model…', 'Qwen2.5 0.5B Instruct', 'Llama 3.1 8B Instruct', 'Aqua demo (tiny)']);
    expect(client.getFineTuneDefaults).not.toHaveBeenCalled();
    client.getFineTuneDefaults.mockResolvedValueOnce(
      makeFineTuneDefaults({
        model_id: 'demo:aqua-demo-tiny',
        notes: ['Random weights: the loss falls, the answers stay noise.'],
        params: { ...makeFineTuneDefaults().params, batch_size: 2 }
      })
    );
    fireEvent.change(select, { target: { value: 'demo:aqua-demo-tiny' } });
    await waitFor(() => expect(screen.getByLabelText('Batch size')).toHaveValue(2));
    expect(screen.getByRole('list', { name: 'About this model' })).toHaveTextContent('Random weights');
    expect(screen.getByLabelText('Job name')).toHaveValue('Aqua demo (tiny) fine-tuned');
  });

  it('shows the OCI fields on OCI: shapes with their fit, nodes, output location', async () => {
    const client = new FakeClient();
    client.getFineTuneDefaults.mockResolvedValue(
      makeFineTuneDefaults({
        shapes: ['VM.GPU.A10.1', 'VM.GPU.A10.2'],
        default_shape: 'VM.GPU.A10.1',
        max_replicas: 4,
        needs_output_uri: true,
        fit: makeTrainingFit({
          dtype: 'bfloat16',
          targets: [
            target({
              name: 'VM.GPU.A10.1',
              kind: 'oci-shape',
              gpu_count: 1,
              memory_gb: 24,
              recommended: true,
              available: 2
            }),
            target({ name: 'VM.GPU.A10.2', kind: 'oci-shape', gpu_count: 2, memory_gb: 48, available: 0 })
          ],
          recommended_shape: 'VM.GPU.A10.1'
        })
      })
    );
    setup({ backendKind: 'oci' }, client);
    const shape = screen.getByLabelText('Shape');
    await waitFor(() => expect(shape).toHaveValue('VM.GPU.A10.1'));
    expect(
      within(shape).getByRole('option', { name: /VM.GPU.A10.1 — fits · recommended — 2 available/ })
    ).toBeEnabled();
    expect(within(shape).getByRole('option', { name: /VM.GPU.A10.2 — fits — limit reached/ })).toBeDisabled();
    expect(screen.getByLabelText('Nodes')).toHaveValue(1);
    fireEvent.click(screen.getByRole('button', { name: 'Start fine-tuning' }));
    expect(errorOf(screen.getByLabelText('Output location'))).toHaveTextContent('versioned bucket');
    fireEvent.change(screen.getByLabelText('Output location'), { target: { value: 'oci://ft@ns/runs' } });
    fireEvent.change(screen.getByLabelText('Nodes'), { target: { value: '2' } });
    fireEvent.click(screen.getByRole('button', { name: 'Start fine-tuning' }));
    // Two nodes need a subnet and logging: the advanced options open on them.
    await waitFor(() => expect(errorOf(screen.getByLabelText('Subnet OCID'))).toHaveTextContent('needs a subnet'));
    expect(screen.getByText('Advanced options').closest('details')).toHaveAttribute('open');
    fireEvent.change(screen.getByLabelText('Subnet OCID'), { target: { value: 'ocid1.subnet.oc1..x' } });
    fireEvent.change(screen.getByLabelText('Log group OCID'), { target: { value: 'ocid1.loggroup.oc1..x' } });
    fireEvent.change(screen.getByLabelText('Log OCID'), { target: { value: 'ocid1.log.oc1..x' } });
    fireEvent.click(screen.getByRole('button', { name: 'Start fine-tuning' }));
    await waitFor(() => expect(client.createFineTune).toHaveBeenCalled());
    expect(client.createFineTune.mock.calls[0][0]).toMatchObject({
      shape: 'VM.GPU.A10.1',
      replicas: 2,
      output_uri: 'oci://ft@ns/runs',
      subnet_id: 'ocid1.subnet.oc1..x',
      log_group_id: 'ocid1.loggroup.oc1..x',
      log_id: 'ocid1.log.oc1..x'
    });
  });

  it('on OCI shows the fine-tune as Terraform and Python after the create’s checks, creating nothing', async () => {
    const client = new FakeClient();
    client.getFineTuneDefaults.mockResolvedValue(
      makeFineTuneDefaults({ shapes: ['VM.GPU.A10.1'], default_shape: 'VM.GPU.A10.1', needs_output_uri: true })
    );
    const copyToClipboard = jest.fn();
    const download = jest.fn();
    const { props } = setup({ backendKind: 'oci', copyToClipboard, download }, client);
    await waitFor(() => expect(screen.getByLabelText('Shape')).toHaveValue('VM.GPU.A10.1'));
    fireEvent.change(screen.getByLabelText('Job name'), { target: { value: '수학 数学' } });
    // The create's own checks first: no output location, no export.
    fireEvent.click(screen.getByRole('button', { name: 'Terraform' }));
    expect(errorOf(screen.getByLabelText('Output location'))).toHaveTextContent('versioned bucket');
    expect(client.exportFineTuneTerraform).not.toHaveBeenCalled();
    fireEvent.change(screen.getByLabelText('Output location'), { target: { value: 'oci://ft@ns/runs' } });
    fireEvent.click(await screen.findByRole('button', { name: 'Terraform' }));
    const terraform = await screen.findByRole('dialog', { name: 'Terraform' });
    expect(client.exportFineTuneTerraform).toHaveBeenCalledWith(
      expect.objectContaining({ name: '수학 数学', shape: 'VM.GPU.A10.1', output_uri: 'oci://ft@ns/runs' })
    );
    expect(client.createFineTune).not.toHaveBeenCalled();
    expect(props.onCreated).not.toHaveBeenCalled();
    expect(within(terraform).getByLabelText('fine_tune.tf')).toHaveTextContent('resource "oci_datascience_job"');
    const python = "import oci\n\ndata_science.create_job(display_name='수학 数学')\n";
    expect(within(terraform).getByLabelText('Python (OCI SDK)').textContent).toBe(python);
    fireEvent.click(within(terraform).getByRole('button', { name: 'Copy Python' }));
    expect(copyToClipboard).toHaveBeenLastCalledWith(python);
    fireEvent.click(within(terraform).getByRole('button', { name: 'Download fine_tune.tf' }));
    expect(download).toHaveBeenCalledWith('fine_tune.tf', expect.stringContaining('oci_datascience_job'));
    fireEvent.click(within(terraform).getByRole('button', { name: 'Close' }));
    expect(screen.getByLabelText('Job name')).toHaveValue('수학 数学');
  });

  it('puts a refusal of the Terraform export under the input it names, like a create', async () => {
    const client = new FakeClient();
    client.getFineTuneDefaults.mockResolvedValue(
      makeFineTuneDefaults({ shapes: ['VM.GPU.A10.1'], default_shape: 'VM.GPU.A10.1', needs_output_uri: true })
    );
    client.exportFineTuneTerraform.mockRejectedValueOnce(
      apiError(400, 'output_uri: the bucket ft is not versioned', {
        fields: [{ field: 'output_uri', message: 'the bucket ft is not versioned' }]
      })
    );
    setup({ backendKind: 'oci', copyToClipboard: jest.fn() }, client);
    await waitFor(() => expect(screen.getByLabelText('Shape')).toHaveValue('VM.GPU.A10.1'));
    fireEvent.change(screen.getByLabelText('Output location'), { target: { value: 'oci://ft@ns/runs' } });
    fireEvent.click(screen.getByRole('button', { name: 'Terraform' }));
    await waitFor(() => expect(errorOf(screen.getByLabelText('Output location'))).toHaveTextContent('not versioned'));
    expect(screen.queryByRole('dialog', { name: 'Terraform' })).not.toBeInTheDocument();
  });

  it('offers no Terraform for a local fine-tune', () => {
    setup({ copyToClipboard: jest.fn() });
    expect(screen.queryByRole('button', { name: 'Terraform' })).not.toBeInTheDocument();
  });

  it('browses and uploads the dataset', async () => {
    const pickDataset = jest.fn(async () => 'data/picked.jsonl');
    const uploadDataset = jest.fn(async (_file: File, onProgress: (f: number) => void) => {
      onProgress(0.5);
      return 'datasets/mine.jsonl';
    });
    const { props } = setup({ datasetPath: null, pickDataset, uploadDataset });
    fireEvent.click(screen.getByRole('button', { name: 'Browse…' }));
    await waitFor(() => expect(screen.getByLabelText('Dataset (JSONL)')).toHaveValue('data/picked.jsonl'));
    const file = new File(['{"prompt":"a","completion":"b"}\n'], 'mine.jsonl');
    fireEvent.change(screen.getByLabelText('Dataset file to upload'), { target: { files: [file] } });
    await waitFor(() => expect(screen.getByLabelText('Dataset (JSONL)')).toHaveValue('datasets/mine.jsonl'));
    expect(uploadDataset.mock.calls[0][0]).toBe(file);
    expect(props.notify).toHaveBeenCalledWith('Uploaded “mine.jsonl” to datasets/mine.jsonl.', 'success');
  });

  it('hides Browse… and Upload… without a file picker or uploader', async () => {
    setup();
    expect(screen.queryByRole('button', { name: 'Browse…' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Upload…' })).not.toBeInTheDocument();
    await waitFor(() => expect(screen.getByLabelText('Batch size')).toHaveValue(4));
    await settle();
  });
});
