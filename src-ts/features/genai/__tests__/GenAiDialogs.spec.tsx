import { fireEvent, screen, waitFor, within } from '@testing-library/react';

import { apiError } from '../../../test-support/errors';
import { GenAiDialogs, type GenAiDialogRequest, type IGenAiDialogsProps } from '../GenAiDialogs';
import { errorOf } from '../../../test-support/dialogs';
import { FakeClient } from '../../../test-support/fixtures';
import { renderWithProps } from '../../../test-support/render';
import { makeCluster, makeFineTuningCluster } from '../../../test-support/genai';
import { trans } from '../../../test-support/trans';
import { optionTexts } from '../../../test-support/queries';

function setup(request: GenAiDialogRequest, client = new FakeClient()) {
  const props: IGenAiDialogsProps = {
    client,
    trans,
    notify: jest.fn(),
    copyToClipboard: jest.fn(),
    download: jest.fn(),
    onClose: jest.fn(),
    onCreated: jest.fn(),
    request,
    debounceMs: 0
  };
  return { client, ...renderWithProps(GenAiDialogs, props) };
}

function type(label: string, value: string): void {
  fireEvent.change(screen.getByLabelText(label), { target: { value } });
}

/** Open the Terraform export and check it shows the server's file, nothing created. */
async function expectTerraform(props: IGenAiDialogsProps, fileName: string, resource: string): Promise<void> {
  fireEvent.click(screen.getByRole('button', { name: 'Terraform' }));
  const dialog = await screen.findByRole('dialog', { name: 'Terraform' });
  expect(within(dialog).getByLabelText(fileName)).toHaveTextContent(`resource "${resource}"`);
  fireEvent.click(within(dialog).getByRole('button', { name: `Download ${fileName}` }));
  expect(props.download).toHaveBeenCalledWith(fileName, expect.stringContaining(resource));
  expect(props.onCreated).not.toHaveBeenCalled();
  fireEvent.click(within(dialog).getByRole('button', { name: 'Close' }));
}

describe('ClusterDialog', () => {
  it('marks the recommended unit shape with each shape’s cost, beside the Data Science cost', async () => {
    setup({ kind: 'cluster', modelId: 'qwen-7b' });
    const shape = screen.getByLabelText('Unit shape');
    await waitFor(() => expect(within(shape).getByRole('option', { name: 'Recommended: A10_X2' })).toBeInTheDocument());
    expect(
      within(shape).getByRole('option', { name: 'A10_X2 · 2 × A10 · 3.54 AI units · $8.85/h (recommended)' })
    ).toBeEnabled();
    const full = within(shape).getByRole('option', { name: /^A100_80G_X1 .*\(limit reached\)$/ });
    expect(full).toBeDisabled();
    expect(full).toHaveAttribute('title', expect.stringContaining('dedicated-unit-a100-80g-count'));
    const cost = screen.getByRole('group', { name: 'Cost per hour' });
    expect(cost.querySelector('[data-cost="genai"]')).toHaveTextContent('A10_X2 × 1: $8.85/h');
    expect(cost.querySelector('[data-cost="datascience"]')).toHaveTextContent('VM.GPU.A10.2: $4.00/h');
  });

  it('asks the plan again for another unit count, and creates the cluster', async () => {
    const { client, props } = setup({ kind: 'cluster', modelId: 'qwen-7b' });
    await waitFor(() =>
      expect(client.getGenAiClusterPlan).toHaveBeenCalledWith({ model_id: 'qwen-7b', unit_count: 1 })
    );
    type('Cluster name', '호스팅 クラスタ');
    type('Units', '2');
    await waitFor(() =>
      expect(client.getGenAiClusterPlan).toHaveBeenCalledWith({ model_id: 'qwen-7b', unit_count: 2 })
    );
    fireEvent.click(screen.getByRole('button', { name: 'Create cluster' }));
    await waitFor(() => expect(props.onCreated).toHaveBeenCalled());
    expect(client.createGenAiCluster).toHaveBeenCalledWith({
      display_name: '호스팅 クラスタ',
      type: 'HOSTING',
      unit_count: 2,
      model_id: 'qwen-7b'
    });
  });

  it('shows a quota refusal under the unit shape, with the limit name to raise', async () => {
    const client = new FakeClient();
    client.createGenAiCluster.mockRejectedValueOnce(
      apiError(400, 'unit_shape: quota', {
        fields: [
          {
            field: 'unit_shape',
            message: 'A10_X2 × 1 takes 2 of dedicated-unit-a10-count and 0 are left: request a limit increase'
          }
        ]
      })
    );
    const { props } = setup({ kind: 'cluster', modelId: 'qwen-7b' }, client);
    type('Cluster name', 'クラスタ');
    await waitFor(() => expect(client.getGenAiClusterPlan).toHaveBeenCalled());
    fireEvent.click(screen.getByRole('button', { name: 'Create cluster' }));
    await waitFor(() =>
      expect(errorOf(screen.getByLabelText('Unit shape'))).toHaveTextContent('dedicated-unit-a10-count')
    );
    expect(props.onCreated).not.toHaveBeenCalled();
  });

  it('exports the cluster as Terraform, creating nothing', async () => {
    const { client, props } = setup({ kind: 'cluster', modelId: 'qwen-7b' });
    type('Cluster name', 'tf 클러스터');
    await waitFor(() => expect(client.getGenAiClusterPlan).toHaveBeenCalled());
    await expectTerraform(props, 'dedicated_ai_cluster.tf', 'oci_generative_ai_dedicated_ai_cluster');
    expect(client.createGenAiCluster).not.toHaveBeenCalled();
  });
});

describe('ImportModelDialog', () => {
  it('keeps the Hugging Face token out of the page and out of the Terraform export, and sends it once', async () => {
    const { client, props } = setup({ kind: 'import' });
    type('Hugging Face id', 'meta-llama/Llama-3.1-8B-Instruct');
    expect(screen.getByLabelText('Display name')).toHaveValue('Llama-3.1-8B-Instruct');
    const token = screen.getByLabelText('Token (gated models)');
    expect(token).toHaveAttribute('type', 'password');
    expect(token).toHaveValue('');
    type('Token (gated models)', 'hf_very_secret');
    expect(document.body.innerHTML).not.toContain('hf_very_secret');

    await expectTerraform(props, 'imported_model.tf', 'oci_generative_ai_imported_model');
    expect(client.exportGenAiModelTerraform.mock.calls[0][0].token).toBeUndefined();

    fireEvent.click(screen.getByRole('button', { name: 'Import' }));
    await waitFor(() => expect(props.onCreated).toHaveBeenCalled());
    expect(client.importGenAiModel).toHaveBeenCalledWith(
      expect.objectContaining({
        source: 'huggingface',
        hf_id: 'meta-llama/Llama-3.1-8B-Instruct',
        token: 'hf_very_secret'
      })
    );
  });

  it('imports from an Object Storage prefix with the capability chosen', async () => {
    const { client, props } = setup({ kind: 'import' });
    fireEvent.click(screen.getByLabelText(/^Object Storage/));
    expect(screen.queryByLabelText('Token (gated models)')).not.toBeInTheDocument();
    type('Object Storage prefix', 'oci://models@tenancy/埋め込み/e5');
    fireEvent.click(screen.getByLabelText('Embedding'));
    type('Display name', 'e5 임베딩');
    fireEvent.click(screen.getByRole('button', { name: 'Import' }));
    await waitFor(() => expect(props.onCreated).toHaveBeenCalled());
    expect(client.importGenAiModel).toHaveBeenCalledWith({
      source: 'object_storage',
      display_name: 'e5 임베딩',
      capability: 'EMBEDDING',
      os_uri: 'oci://models@tenancy/埋め込み/e5'
    });
  });

  it('puts a capability refusal under the capability', async () => {
    const client = new FakeClient();
    client.importGenAiModel.mockRejectedValueOnce(
      apiError(400, 'capability', {
        fields: [
          { field: 'capability', message: 'EMBEDDING does not fit Qwen2ForCausalLM: import it with TEXT_TO_TEXT' }
        ]
      })
    );
    setup({ kind: 'import' }, client);
    type('Hugging Face id', 'Qwen/Qwen2.5-7B-Instruct');
    fireEvent.click(screen.getByLabelText('Embedding'));
    fireEvent.click(screen.getByRole('button', { name: 'Import' }));
    expect(await screen.findByText(/does not fit Qwen2ForCausalLM/)).toBeInTheDocument();
  });
});

describe('EndpointDialog', () => {
  it('offers the models the server lets host and the clusters that take an endpoint, and creates one', async () => {
    const client = new FakeClient();
    client.clusters = [
      makeCluster(),
      makeFineTuningCluster(),
      makeCluster({ id: 'full', name: '満杯', actions: ['delete'] })
    ];
    const { props } = setup({ kind: 'endpoint', clusterId: client.clusters[0].id }, client);
    const model = screen.getByLabelText('Model');
    await waitFor(() => expect(within(model).getByRole('option', { name: '큐웬 채팅 모델' })).toBeInTheDocument());
    // The base model may be fine-tuned, not hosted.
    expect(within(model).queryByRole('option', { name: 'cohere.command-r-08-2024' })).not.toBeInTheDocument();
    const cluster = screen.getByLabelText('Hosting cluster');
    expect(optionTexts(cluster)).toEqual(['Choose a hosting cluster…', '호스팅 클러스터']);
    expect(cluster).toHaveValue(client.clusters[0].id);
    fireEvent.change(model, { target: { value: client.genaiModels[0].id } });
    type('Endpoint name', '채팅 エンドポイント');
    await expectTerraform(props, 'endpoint.tf', 'oci_generative_ai_endpoint');
    fireEvent.click(screen.getByRole('button', { name: 'Create endpoint' }));
    await waitFor(() => expect(props.onCreated).toHaveBeenCalled());
    expect(client.createGenAiEndpoint).toHaveBeenCalledWith({
      display_name: '채팅 エンドポイント',
      model_id: client.genaiModels[0].id,
      dedicated_ai_cluster_id: client.clusters[0].id
    });
  });
});

describe('GenAiFineTuneDialog', () => {
  function fineTuneClient(): FakeClient {
    const client = new FakeClient();
    client.clusters = [makeFineTuningCluster({ state: 'ACTIVE', actions: ['finetune', 'delete'] })];
    return client;
  }

  it("offers the base model's training methods with the service's defaults and ranges", async () => {
    const client = fineTuneClient();
    setup({ kind: 'finetune', baseModelId: client.genaiModels[1].id }, client);
    await waitFor(() => expect(screen.getByLabelText('LoRA')).toBeChecked());
    expect(screen.getByLabelText('T-Few')).toBeInTheDocument();
    // cohere.command-r trains with T-Few and LoRA only.
    expect(screen.queryByLabelText('Vanilla (last layers)')).not.toBeInTheDocument();
    const rank = screen.getByLabelText('LoRA r (rank)');
    expect(rank).toHaveAttribute('placeholder', '8');
    expect(screen.getByText('Default 8 · from 1 to 64')).toBeInTheDocument();
    expect(screen.getByRole('group', { name: 'Early stopping' })).toBeInTheDocument();
    fireEvent.click(screen.getByLabelText('T-Few'));
    expect(screen.queryByLabelText('LoRA r (rank)')).not.toBeInTheDocument();
    expect(screen.getByLabelText('Learning rate')).toHaveAttribute('placeholder', '0.01');
  });

  it('refuses a value out of range under its input, then sends only the values typed', async () => {
    const client = fineTuneClient();
    const { props } = setup({ kind: 'finetune', baseModelId: client.genaiModels[1].id }, client);
    await waitFor(() => expect(screen.getByLabelText('Fine-tuning cluster')).toHaveValue(''));
    await waitFor(() =>
      expect(within(screen.getByLabelText('Fine-tuning cluster')).getAllByRole('option')).toHaveLength(2)
    );
    fireEvent.change(screen.getByLabelText('Fine-tuning cluster'), { target: { value: client.clusters[0].id } });
    type('Fine-tuned model name', '요약 モデル');
    type('Training dataset (JSONL)', 'oci://data@tenancy/sets/train.jsonl');
    type('LoRA r (rank)', '65');
    fireEvent.click(screen.getByRole('button', { name: 'Fine-tune' }));
    await waitFor(() =>
      expect(errorOf(screen.getByLabelText('LoRA r (rank)'))).toHaveTextContent('Default 8 · from 1 to 64')
    );
    expect(client.createGenAiFineTune).not.toHaveBeenCalled();
    type('LoRA r (rank)', '16');
    type('Patience (evaluations; 0 turns it off)', '0');
    await expectTerraform(props, 'fine_tuned_model.tf', 'oci_generative_ai_model');
    fireEvent.click(screen.getByRole('button', { name: 'Fine-tune' }));
    await waitFor(() => expect(props.onCreated).toHaveBeenCalled());
    expect(client.createGenAiFineTune).toHaveBeenCalledWith({
      display_name: '요약 モデル',
      base_model_id: client.genaiModels[1].id,
      dedicated_ai_cluster_id: client.clusters[0].id,
      training_dataset: { namespace: 'tenancy', bucket: 'data', object: 'sets/train.jsonl' },
      training_config: { training_config_type: 'LORA_TRAINING_CONFIG', lora_r: 16, early_stopping_patience: 0 }
    });
  });

  it("puts the server's dataset refusal under the dataset input", async () => {
    const client = fineTuneClient();
    client.createGenAiFineTune.mockRejectedValueOnce(
      apiError(400, 'dataset', {
        fields: [{ field: 'training_dataset.object', message: 'line 3: "completion" is missing' }]
      })
    );
    setup({ kind: 'finetune', baseModelId: client.genaiModels[1].id, clusterId: client.clusters[0].id }, client);
    type('Fine-tuned model name', 'x');
    type('Training dataset (JSONL)', 'oci://data@tenancy/bad.jsonl');
    await waitFor(() => expect(screen.getByLabelText('LoRA')).toBeChecked());
    fireEvent.click(screen.getByRole('button', { name: 'Fine-tune' }));
    await waitFor(() => expect(errorOf(screen.getByLabelText('Training dataset (JSONL)'))).toHaveTextContent('line 3'));
  });
});
