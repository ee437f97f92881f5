import { fireEvent, screen, waitFor, within } from '@testing-library/react';

import { apiError } from '../../../test-support/errors';
import { EvaluationDialog, type IEvaluationDialogProps } from '../EvaluationDialog';
import {
  FakeClient,
  LOCAL_TARGET,
  makeDatasetReport,
  makeDeployment,
  makeFineTune,
  makeInfo,
  ociTarget
} from '../../../test-support/fixtures';
import { errorOf, renderDialog, settle } from '../../../test-support/dialogs';
import { instructionReport } from './evaluationFixtures';

function setup(overrides: Partial<IEvaluationDialogProps> = {}, client = new FakeClient()) {
  return renderDialog(EvaluationDialog, client, { deploymentId: 'dep-1', debounceMs: 0, ...overrides });
}

describe('EvaluationDialog', () => {
  it('starts from the deployment, checks the dataset inline and sends the evaluation', async () => {
    const client = new FakeClient();
    client.deployments = [makeDeployment(), makeDeployment({ id: 'dep-2', name: 'Old one', state: 'INACTIVE' })];
    client.validateDataset.mockResolvedValue(instructionReport('datasets/qa.jsonl'));
    const { props } = setup({}, client);
    const dialog = screen.getByRole('dialog', { name: 'New evaluation' });
    await settle();
    const deployment = within(dialog).getByLabelText('Deployment') as HTMLSelectElement;
    expect(deployment.value).toBe('dep-1');
    // An inactive deployment cannot answer: it is not offered.
    expect(within(deployment).queryByRole('option', { name: /Old one/ })).not.toBeInTheDocument();
    fireEvent.change(within(dialog).getByLabelText('Dataset (JSONL)'), { target: { value: 'datasets/qa.jsonl' } });
    await settle();
    expect(client.validateDataset).toHaveBeenLastCalledWith({
      path: 'datasets/qa.jsonl',
      kind: 'auto',
      validation_split: 0
    });
    expect(within(dialog).getByRole('region', { name: 'Dataset check' })).toHaveTextContent('400 rows, all valid');
    expect((within(dialog).getByLabelText('Name') as HTMLInputElement).value).toBe('Qwen chat · qa');
    // Every metric is on by default; turn BLEU off.
    const metrics = within(dialog).getByRole('group', { name: 'Metrics' });
    expect(
      within(metrics)
        .getAllByRole('checkbox')
        .every(box => (box as HTMLInputElement).checked)
    ).toBe(true);
    fireEvent.click(within(metrics).getByRole('checkbox', { name: /BLEU/ }));
    fireEvent.change(within(dialog).getByLabelText('Sample size (optional)'), { target: { value: '20' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Start evaluation' }));
    await waitFor(() => expect(props.onCreated).toHaveBeenCalled());
    expect(client.createEvaluation).toHaveBeenCalledWith({
      deployment_id: 'dep-1',
      name: 'Qwen chat · qa',
      description: '',
      dataset_path: 'datasets/qa.jsonl',
      sample_size: 20,
      metrics: ['bertscore', 'rouge', 'chrf', 'exact_match', 'readability', 'latency'],
      concurrency: 4,
      params: { max_tokens: 256, temperature: 0, top_p: 1, frequency_penalty: 0, presence_penalty: 0, stop: [] }
    });
  });

  it('with local and OCI enabled, evaluates on the deployment’s target and offers that target’s deployments', async () => {
    const client = new FakeClient();
    const oci = 'ocid1.datasciencemodeldeployment.oc1..x';
    client.deployments = [makeDeployment(), makeDeployment({ id: oci, name: 'On OCI', target: 'oci' })];
    setup({ deploymentId: oci, info: makeInfo({ targets: [LOCAL_TARGET, ociTarget()] }) }, client);
    await settle();
    const picker = screen.getByLabelText('Target');
    const deployment = screen.getByLabelText('Deployment') as HTMLSelectElement;
    expect(picker).toHaveValue('oci');
    expect(deployment.value).toBe(oci);
    expect(within(deployment).queryByRole('option', { name: /Qwen chat/ })).not.toBeInTheDocument();
    fireEvent.change(picker, { target: { value: 'local' } });
    await settle();
    expect(deployment.value).toBe('');
    expect(within(deployment).getByRole('option', { name: /Qwen chat/ })).toBeInTheDocument();
    expect(within(deployment).queryByRole('option', { name: /On OCI/ })).not.toBeInTheDocument();
  });

  it('offers each adapter of a deployment as "deployment · adapter" and evaluates the one chosen', async () => {
    const client = new FakeClient();
    client.deployments = [
      makeDeployment({
        name: '고객 지원',
        adapters: [{ name: 'ko', model_id: 'ft:ftj-1', model_name: '한국어 답변', rank: 8 }]
      })
    ];
    client.validateDataset.mockResolvedValue(instructionReport('datasets/qa.jsonl'));
    const { props } = setup({}, client);
    const dialog = screen.getByRole('dialog', { name: 'New evaluation' });
    await settle();
    const deployment = within(dialog).getByLabelText('Deployment') as HTMLSelectElement;
    expect(within(deployment).getByRole('option', { name: /^고객 지원 — / })).toBeInTheDocument();
    fireEvent.change(deployment, {
      target: {
        value: within(deployment)
          .getByRole('option', { name: /^고객 지원 · ko — / })
          .getAttribute('value')
      }
    });
    fireEvent.change(within(dialog).getByLabelText('Dataset (JSONL)'), { target: { value: 'datasets/qa.jsonl' } });
    await settle();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Start evaluation' }));
    await waitFor(() => expect(props.onCreated).toHaveBeenCalled());
    expect(client.createEvaluation).toHaveBeenCalledWith(
      expect.objectContaining({ deployment_id: 'dep-1', adapter: 'ko' })
    );
  });

  it('refuses a conversational dataset inline', async () => {
    const client = new FakeClient();
    client.validateDataset.mockResolvedValue(makeDatasetReport({ format: 'conversational' }));
    setup({}, client);
    const input = screen.getByLabelText('Dataset (JSONL)');
    fireEvent.change(input, { target: { value: 'datasets/chats.jsonl' } });
    await settle();
    expect(errorOf(input)).toHaveTextContent(/conversational/);
    expect(screen.getByText('Fix the dataset first.')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Start evaluation' })).toBeDisabled();
    expect(client.createEvaluation).not.toHaveBeenCalled();
  });

  it('lists the bad lines the preflight found', async () => {
    const client = new FakeClient();
    client.validateDataset.mockRejectedValue(
      apiError(400, 'datasets/qa.jsonl: 1 invalid line; line 3: not JSON', {
        fields: [{ field: 'line 3', message: 'not JSON: Expecting value' }]
      })
    );
    setup({}, client);
    fireEvent.change(screen.getByLabelText('Dataset (JSONL)'), { target: { value: 'datasets/qa.jsonl' } });
    await settle();
    const lines = screen.getByRole('list', { name: 'Invalid lines' });
    expect(lines).toHaveTextContent('Line 3not JSON: Expecting value');
    expect(screen.getByRole('button', { name: 'Start evaluation' })).toBeDisabled();
  });

  it('puts the server’s 400 under its fields and a 409 under the deployment', async () => {
    const client = new FakeClient();
    client.validateDataset.mockResolvedValue(instructionReport('datasets/qa.jsonl'));
    client.createEvaluation.mockRejectedValueOnce(
      apiError(400, 'Invalid input', {
        fields: [
          { field: 'body.name', message: 'already used' },
          { field: 'body.params.temperature', message: 'Input should be less than or equal to 2' }
        ]
      })
    );
    setup({ datasetPath: 'datasets/qa.jsonl' }, client);
    await settle();
    fireEvent.click(screen.getByRole('button', { name: 'Start evaluation' }));
    await waitFor(() => expect(errorOf(screen.getByLabelText('Name'))).toHaveTextContent('already used'));
    // Model parameters live under Advanced options, which open to show the error.
    expect(errorOf(screen.getByLabelText('Temperature'))).toHaveTextContent('Input should be less than or equal to 2');

    client.createEvaluation.mockRejectedValueOnce(apiError(409, 'Deployment dep-1 is INACTIVE: activate it first.'));
    fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'Second try' } });
    const listed = client.listDeployments.mock.calls.length;
    fireEvent.click(screen.getByRole('button', { name: 'Start evaluation' }));
    await waitFor(() =>
      expect(errorOf(screen.getByLabelText('Deployment'))).toHaveTextContent(
        'Deployment dep-1 is INACTIVE: activate it first.'
      )
    );
    expect(client.listDeployments.mock.calls.length).toBe(listed + 1);
  });

  it('evaluates on a fine-tune’s training data', async () => {
    const client = new FakeClient();
    client.finetunes = [
      makeFineTune({ id: 'ftj-9', name: 'Qwen support', state: 'SUCCEEDED', output_model_id: 'ft:ftj-9' })
    ];
    const { props } = setup({ finetuneId: 'ftj-9' }, client);
    await settle();
    expect(screen.getByRole('radio', { name: /The training data of a fine-tune/ })).toBeChecked();
    expect((screen.getByLabelText('Fine-tuning job') as HTMLSelectElement).value).toBe('ftj-9');
    expect((screen.getByLabelText('Name') as HTMLInputElement).value).toBe('Qwen chat · training data of Qwen support');
    fireEvent.click(screen.getByRole('button', { name: 'Start evaluation' }));
    await waitFor(() => expect(props.onCreated).toHaveBeenCalled());
    expect(client.validateDataset).not.toHaveBeenCalled();
    expect(client.createEvaluation.mock.calls[0][0]).toMatchObject({ finetune_id: 'ftj-9', deployment_id: 'dep-1' });
    expect(client.createEvaluation.mock.calls[0][0]).not.toHaveProperty('dataset_path');
  });

  it('adds a stop sequence without sending the form, and asks for the OCI report location', async () => {
    const client = new FakeClient();
    setup({ backendKind: 'oci', datasetPath: 'oci://bucket@ns/qa.jsonl' }, client);
    await settle();
    expect(screen.getByLabelText('Report location')).toBeInTheDocument();
    fireEvent.click(screen.getByText('Advanced options'));
    fireEvent.change(screen.getByLabelText('Stop sequences'), { target: { value: '###' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add' }));
    expect(screen.getByText('###')).toBeInTheDocument();
    expect(client.createEvaluation).not.toHaveBeenCalled();
    fireEvent.change(screen.getByLabelText('Report location'), { target: { value: 'oci://reports@ns/evals' } });
    fireEvent.click(screen.getByRole('button', { name: 'Start evaluation' }));
    await waitFor(() => expect(client.createEvaluation).toHaveBeenCalled());
    expect(client.createEvaluation.mock.calls[0][0]).toMatchObject({
      dataset_path: 'oci://bucket@ns/qa.jsonl',
      report_uri: 'oci://reports@ns/evals',
      params: expect.objectContaining({ stop: ['###'] })
    });
    // oci:// files are read by the job: no local preflight.
    expect(client.validateDataset).not.toHaveBeenCalled();
  });

  it('says when no deployment is active', async () => {
    const client = new FakeClient();
    client.deployments = [makeDeployment({ state: 'INACTIVE' })];
    setup({ deploymentId: null }, client);
    await settle();
    expect(
      screen.getByText('No deployment is active: deploy a model (or activate a deployment) first.')
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Start evaluation' })).toBeDisabled();
  });
});
