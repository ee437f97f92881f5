import { fireEvent, screen, waitFor, within } from '@testing-library/react';

import { apiError } from '../../../test-support/errors';
import type { IDeployDialogProps } from '../DeployDialog';
import {
  FakeClient,
  limitedShapesFit,
  LOCAL_TARGET,
  makeFit,
  makeInfo,
  makeModel,
  ociShape,
  ociTarget
} from '../../../test-support/fixtures';
import { errorOf } from '../../../test-support/dialogs';
import { renderDeployDialog } from '../../../test-support/deployDialog';
import type { OpenSetupCheck } from '../../../ui/setupLinks';

const info = makeInfo({
  engines: [
    { name: 'transformers', label: 'Transformers', available: true, version: null, reason: null },
    {
      name: 'vllm',
      label: 'vLLM',
      available: false,
      version: null,
      reason: 'Optional: pip install vllm (CUDA GPU only)'
    }
  ]
});

/** A server whose one target is OCI. */
const onOci: Partial<IDeployDialogProps> = {
  backendKind: 'oci',
  info: { ...info, backend: ociTarget(), targets: [ociTarget()] },
  model: makeModel({ target: 'oci' })
};

function setup(
  overrides: Partial<IDeployDialogProps> = {},
  client = new FakeClient(),
  openSetup: OpenSetupCheck | null = null
) {
  return renderDeployDialog(client, info, overrides, openSetup);
}

describe('DeployDialog', () => {
  it('starts from the model and shows the memory fit of the chosen shape', async () => {
    const { client } = setup();
    expect(screen.getByRole('dialog', { name: 'Deploy model' })).toBeInTheDocument();
    expect(screen.getByRole('heading', { name: 'Deploy “Qwen2.5 0.5B Instruct”' })).toBeInTheDocument();
    expect(screen.getByLabelText('Deployment name')).toHaveValue('Qwen2.5 0.5B Instruct');
    expect(screen.getByLabelText('Deployment name')).toHaveFocus();
    expect(screen.getByRole('radio', { name: /^CPU/ })).toBeChecked();
    expect(screen.getByRole('radio', { name: /^GPU/ })).toBeDisabled();
    expect(screen.getByRole('radio', { name: /^vLLM/ })).toBeDisabled();
    expect(screen.getByText('Optional: pip install vllm (CUDA GPU only)')).toBeInTheDocument();
    // The local target serves embeddings with transformers (its driver says so in info): offered.
    expect(screen.getByRole('radio', { name: /^Embedding/ })).toBeEnabled();
    // No replicas or logging on this machine.
    expect(screen.queryByLabelText('Replicas')).not.toBeInTheDocument();
    const fit = await screen.findByLabelText('Memory fit of the chosen shape');
    expect(fit).toHaveTextContent('✓ Fits');
    expect(fit).toHaveTextContent('needs 1.5 GB of 23.0 GB on This machine (CPU)');
    expect(fit).toHaveTextContent('weights = 494,032,768 params');
    // CPU means float32 unless a data type is chosen; the server counts the requests the engine serves at once.
    expect(client.getModelFit).toHaveBeenLastCalledWith('catalog:Qwen--Qwen2.5-0.5B-Instruct', {
      dtype: 'float32',
      context_length: 4096,
      engine: 'transformers'
    });
    expect(fit).toHaveTextContent('For float32 weights and a 4,096-token context, one request at a time.');
  });

  it('deploys and hands the 202 answer over', async () => {
    const { client, props } = setup();
    fireEvent.change(screen.getByLabelText('Deployment name'), { target: { value: 'My chat' } });
    fireEvent.click(screen.getByRole('radio', { name: /^Completion/ }));
    fireEvent.click(screen.getByRole('button', { name: 'Deploy' }));
    await waitFor(() => expect(props.onCreated).toHaveBeenCalled());
    expect(client.createDeployment).toHaveBeenCalledWith({
      model_id: 'catalog:Qwen--Qwen2.5-0.5B-Instruct',
      name: 'My chat',
      engine: 'transformers',
      mode: 'completion',
      shape: 'cpu'
    });
    expect(props.onCreated).toHaveBeenCalledWith(
      expect.objectContaining({ deployment: expect.objectContaining({ id: 'dep-new', state: 'CREATING' }) })
    );
    expect(props.notify).toHaveBeenCalledWith('Deploying “My chat”…', 'info');
  });

  it('serves LoRA fine-tunes beside the base as adapters, with the server’s refusal under the list', async () => {
    const client = new FakeClient();
    const base = makeModel({ id: 'reg:gguf', name: 'Demo GGUF', formats: ['gguf'] });
    client.models = [
      base,
      makeModel({ id: 'ft:ftj-1', name: '한국어 답변', source: 'fine-tuned', tags: ['fine-tuned', 'lora'] }),
      makeModel({ id: 'ft:ftj-2', name: '日本語の回答', source: 'fine-tuned', tags: ['fine-tuned', 'lora'] }),
      makeModel({ id: 'ft:ftj-3', name: 'Full layers', source: 'fine-tuned', tags: ['fine-tuned', 'last_layers'] })
    ];
    client.createDeployment.mockRejectedValueOnce(
      apiError(400, "adapters.1: '日本語の回答' was trained on /models/other", {
        fields: [{ field: 'adapters.1', message: "'日本語の回答' was trained on /models/other" }]
      })
    );
    const llama = makeInfo({
      engines: [
        ...info.engines,
        { name: 'llama.cpp', label: 'llama.cpp', available: true, version: '0.3.36', reason: null }
      ]
    });
    const { props } = setup({ model: base, info: llama }, client);
    const adapters = await screen.findByRole('group', { name: 'LoRA adapters (optional)' });
    expect(
      within(adapters)
        .getAllByRole('checkbox')
        .map(box => box.parentElement?.textContent)
    ).toEqual(['한국어 답변', '日本語の回答']);
    fireEvent.click(screen.getByRole('radio', { name: /^llama\.cpp/ }));
    fireEvent.click(within(adapters).getByRole('checkbox', { name: '한국어 답변' }));
    fireEvent.click(within(adapters).getByRole('checkbox', { name: '日本語の回答' }));
    fireEvent.click(screen.getByRole('button', { name: 'Deploy' }));
    await waitFor(() => expect(errorOf(adapters)).toHaveTextContent('was trained on /models/other'));
    expect(client.createDeployment.mock.calls[0][0]).toMatchObject({
      engine: 'llama.cpp',
      adapters: [{ model_id: 'ft:ftj-1' }, { model_id: 'ft:ftj-2' }]
    });
    expect(props.onCreated).not.toHaveBeenCalled();
    // transformers serves none: the list says so and takes no new choice.
    fireEvent.click(within(adapters).getByRole('checkbox', { name: '日本語の回答' }));
    fireEvent.click(screen.getByRole('radio', { name: /^transformers/i }));
    expect(adapters).toHaveTextContent(
      'transformers serves no adapters on this target; engines that do: llama.cpp, vLLM.'
    );
    expect(within(adapters).getByRole('checkbox', { name: '日本語の回答' })).toBeDisabled();
  });

  it('puts the server’s 400 under the engine parameters and opens the advanced options', async () => {
    const client = new FakeClient();
    client.createDeployment.mockRejectedValueOnce(
      apiError(400, 'params: --port cannot be set: the port is chosen by aqua_ext', {
        fields: [{ field: 'params', message: '--port cannot be set: the port is chosen by aqua_ext' }]
      })
    );
    const { props } = setup({}, client);
    fireEvent.click(screen.getByText('Advanced options'));
    fireEvent.click(screen.getByRole('button', { name: 'Add parameter' }));
    fireEvent.change(screen.getByLabelText('Parameter 1 name'), { target: { value: '--port' } });
    fireEvent.change(screen.getByLabelText('Parameter 1 value'), { target: { value: '1234' } });
    fireEvent.click(screen.getByText('Advanced options')); // collapsed again before submitting
    // The details element reports its toggle in a task of its own.
    await waitFor(() =>
      expect(document.querySelector('details.jp-AquaExt-AdvancedOptions')).not.toHaveAttribute('open')
    );
    await new Promise(resolve => setTimeout(resolve, 0));
    fireEvent.click(screen.getByRole('button', { name: 'Deploy' }));
    const params = screen.getByRole('group', { name: 'Engine parameters' });
    await waitFor(() => expect(errorOf(params)).toHaveTextContent('--port cannot be set'));
    expect(client.createDeployment.mock.calls[0][0].params).toEqual(['--port', '1234']);
    expect(document.querySelector('details.jp-AquaExt-AdvancedOptions')).toHaveAttribute('open');
    expect(props.onCreated).not.toHaveBeenCalled();
    expect(screen.getByRole('dialog')).toBeInTheDocument();
  });

  it('after a failed deploy, takes the focus to the first input with an error, else to the message', async () => {
    const client = new FakeClient();
    client.createDeployment.mockRejectedValueOnce(
      apiError(409, '「Qwen チャット」という名前のデプロイはすでにあります。')
    );
    setup({}, client);
    const deploy = screen.getByRole('button', { name: 'Deploy' });
    fireEvent.change(screen.getByLabelText('Deployment name'), { target: { value: ' ' } });
    deploy.focus();
    fireEvent.click(deploy);
    await waitFor(() => expect(screen.getByLabelText('Deployment name')).toHaveFocus());
    fireEvent.change(screen.getByLabelText('Deployment name'), { target: { value: '큐웬 채팅' } });
    deploy.focus();
    fireEvent.click(deploy);
    const message = await screen.findByText('「Qwen チャット」という名前のデプロイはすでにあります。');
    await waitFor(() => expect(message.closest('[role="alert"]')).toHaveFocus());
  });

  it('checks the inputs before sending', () => {
    const { client } = setup();
    fireEvent.change(screen.getByLabelText('Deployment name'), { target: { value: ' ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Deploy' }));
    expect(errorOf(screen.getByLabelText('Deployment name'))).toHaveTextContent('Enter a name for the deployment.');
    expect(client.createDeployment).not.toHaveBeenCalled();
  });

  it('offers the deployable models when opened from "New deployment"', async () => {
    const client = new FakeClient();
    client.models = [makeModel(), makeModel({ id: 'not-ready', name: 'Not downloaded', ready_to_deploy: false })];
    setup({ model: null }, client);
    expect(screen.getByRole('heading', { name: 'New deployment' })).toBeInTheDocument();
    const picker = screen.getByLabelText('Model');
    await waitFor(() => expect(picker).toBeEnabled());
    expect(within(picker).queryByRole('option', { name: 'Not downloaded' })).not.toBeInTheDocument();
    fireEvent.change(picker, { target: { value: 'catalog:Qwen--Qwen2.5-0.5B-Instruct' } });
    expect(screen.getByLabelText('Deployment name')).toHaveValue('Qwen2.5 0.5B Instruct');
    await screen.findByLabelText('Memory fit of the chosen shape');
  });

  it('with local and OCI enabled, deploys a given model on its own target', () => {
    setup({ info: { ...info, targets: [LOCAL_TARGET, ociTarget()] } });
    const picker = screen.getByLabelText('Target');
    expect(picker).toHaveValue('local');
    expect(picker).toBeDisabled();
    expect(screen.getByRole('radio', { name: /^CPU/ })).toBeChecked();
  });

  it('with local and OCI enabled, picks a target, then one of its models, and shows that target’s shapes', async () => {
    const client = new FakeClient();
    client.models = [
      makeModel(),
      makeModel({ id: 'ocid1.datasciencemodel.oc1..m', name: 'Qwen on OCI', target: 'oci' })
    ];
    setup({ model: null, info: { ...info, targets: [LOCAL_TARGET, ociTarget()] } }, client);
    const picker = screen.getByLabelText('Target');
    expect(picker).toHaveValue('local');
    const models = screen.getByLabelText('Model');
    await waitFor(() => expect(within(models).getAllByRole('option')).toHaveLength(2));
    expect(within(models).queryByRole('option', { name: 'Qwen on OCI' })).not.toBeInTheDocument();
    expect(screen.getByRole('radio', { name: /^CPU/ })).toBeChecked();
    // OCI: its models, its shapes and replicas instead of this machine's hardware.
    fireEvent.change(picker, { target: { value: 'oci' } });
    expect(within(models).queryByRole('option', { name: 'Qwen2.5 0.5B Instruct' })).not.toBeInTheDocument();
    fireEvent.change(models, { target: { value: 'ocid1.datasciencemodel.oc1..m' } });
    expect(screen.queryByRole('radio', { name: /^CPU/ })).not.toBeInTheDocument();
    expect(screen.getByLabelText('Replicas')).toBeInTheDocument();
    expect(await screen.findByRole('option', { name: /VM.GPU.A10.1/ })).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Deploy' }));
    await waitFor(() => expect(client.createDeployment).toHaveBeenCalled());
    expect(client.createDeployment.mock.calls[0][0]).toMatchObject({
      target: 'oci',
      model_id: 'ocid1.datasciencemodel.oc1..m',
      engine: 'vllm'
    });
  });

  it('with an unavailable target, lists it disabled with why', () => {
    setup({ info: { ...info, targets: [LOCAL_TARGET, ociTarget({ ready: false, problem: 'No OCI config.' })] } });
    expect(screen.getByRole('option', { name: 'OCI Data Science (unavailable: No OCI config.)' })).toBeDisabled();
  });

  it('on OCI picks the recommended shape from the fit, with replicas and logging', async () => {
    const client = new FakeClient();
    client.getModelFit.mockResolvedValue(
      makeFit({
        shapes: [
          {
            name: 'VM.Standard.E4.Flex',
            kind: 'oci-shape',
            gpu_count: 0,
            memory_gb: 16,
            fits: false,
            headroom_gb: -2,
            recommended: false,
            available: null,
            tokens_per_s: null,
            bandwidth_gb_s: null,
            too_slow: false
          },
          ociShape('VM.GPU.A10.1', { recommended: true })
        ]
      })
    );
    const { props } = setup(onOci, client);
    const shape = screen.getByLabelText('Shape');
    await waitFor(() => expect(shape).toHaveValue('VM.GPU.A10.1'));
    expect(
      within(shape).getByRole('option', { name: /VM.Standard.E4.Flex — CPU, 16.0 GB — does not fit/ })
    ).toBeInTheDocument();
    expect(screen.getByLabelText('Memory fit of the chosen shape')).toHaveTextContent('✓ Fits');
    fireEvent.change(shape, { target: { value: 'VM.Standard.E4.Flex' } });
    expect(screen.getByLabelText('Memory fit of the chosen shape')).toHaveTextContent('✗ Does not fit');
    expect(screen.getByRole('radio', { name: 'vLLM' })).toBeChecked();
    fireEvent.change(screen.getByLabelText('Replicas'), { target: { value: '2' } });
    fireEvent.click(screen.getByText('Advanced options'));
    fireEvent.change(screen.getByLabelText('Log group OCID'), { target: { value: 'ocid1.loggroup.a' } });
    fireEvent.change(screen.getByLabelText('Log OCID'), { target: { value: 'ocid1.log.b' } });
    fireEvent.click(screen.getByRole('button', { name: 'Deploy' }));
    await waitFor(() => expect(props.onCreated).toHaveBeenCalled());
    expect(client.createDeployment).toHaveBeenCalledWith(
      expect.objectContaining({
        shape: 'VM.Standard.E4.Flex',
        replicas: 2,
        engine: 'vllm',
        log_group_id: 'ocid1.loggroup.a',
        log_id: 'ocid1.log.b'
      })
    );
  });
  it('on OCI offers the target’s LoRA fine-tunes as adapters with vLLM (AQUA’s stacked deployment)', async () => {
    const client = new FakeClient();
    const base = makeModel({ id: 'ocid1.datasciencemodel.oc1..base', name: 'Base', target: 'oci' });
    client.models = [
      base,
      makeModel({
        id: 'ocid1.ft.ko',
        name: '한국어 답변',
        source: 'fine-tuned',
        tags: ['oci', 'fine-tuned', 'lora'],
        target: 'oci'
      }),
      makeModel({ id: 'ft:local', name: 'Local tune', source: 'fine-tuned', tags: ['fine-tuned', 'lora'] })
    ];
    client.getModelFit.mockResolvedValue(makeFit({ shapes: [ociShape('VM.GPU.A10.1', { recommended: true })] }));
    const { props } = setup({ ...onOci, model: base }, client);
    const adapters = await screen.findByRole('group', { name: 'LoRA adapters (optional)' });
    await waitFor(() =>
      expect(
        within(adapters)
          .getAllByRole('checkbox')
          .map(box => box.parentElement?.textContent)
      ).toEqual(['한국어 답변'])
    );
    fireEvent.click(within(adapters).getByRole('checkbox', { name: '한국어 답변' }));
    await waitFor(() => expect(screen.getByLabelText('Shape')).toHaveValue('VM.GPU.A10.1'));
    fireEvent.click(screen.getByRole('button', { name: 'Deploy' }));
    await waitFor(() => expect(props.onCreated).toHaveBeenCalled());
    expect(client.createDeployment.mock.calls[0][0]).toMatchObject({
      engine: 'vllm',
      adapters: [{ model_id: 'ocid1.ft.ko' }]
    });
    // There they are fixed at create (a stacked deployment), and TGI serves none: the list names vLLM.
    expect(adapters).toHaveTextContent('other ones need a new deployment');
    fireEvent.click(screen.getByRole('radio', { name: /^TGI/ }));
    expect(adapters).toHaveTextContent('TGI serves no adapters on this target; engines that do: vLLM.');
  });

  it('with two targets and no model yet, offers the chosen target’s fine-tunes only, and sends none from another', async () => {
    const client = new FakeClient();
    client.models = [
      makeModel({ id: 'reg:base', name: 'Local base' }),
      makeModel({ id: 'ocid1.datasciencemodel.oc1..base', name: 'OCI base', target: 'oci' }),
      makeModel({ id: 'ft:local', name: 'Local tune', source: 'fine-tuned', tags: ['fine-tuned', 'lora'] }),
      makeModel({ id: 'ocid1.ft', name: 'OCI tune', source: 'fine-tuned', tags: ['fine-tuned', 'lora'], target: 'oci' })
    ];
    client.getModelFit.mockResolvedValue(makeFit({ shapes: [ociShape('VM.GPU.A10.1', { recommended: true })] }));
    setup({ model: null, info: { ...info, targets: [LOCAL_TARGET, ociTarget()] } }, client);
    const offered = async (): Promise<(string | null | undefined)[]> => {
      const adapters = await screen.findByRole('group', { name: 'LoRA adapters (optional)' });
      return within(adapters)
        .getAllByRole('checkbox')
        .map(box => box.parentElement?.textContent);
    };
    await waitFor(async () => expect(await offered()).toEqual(['Local tune']));
    fireEvent.click(screen.getByRole('checkbox', { name: 'Local tune' }));
    // Another target: its own fine-tunes, and the local choice is dropped, not sent.
    fireEvent.change(screen.getByLabelText('Target'), { target: { value: 'oci' } });
    await waitFor(async () => expect(await offered()).toEqual(['OCI tune']));
    expect(screen.getByRole('checkbox', { name: 'OCI tune' })).not.toBeChecked();
    fireEvent.change(screen.getByLabelText('Model'), { target: { value: 'ocid1.datasciencemodel.oc1..base' } });
    await waitFor(() => expect(screen.getByLabelText('Shape')).toHaveValue('VM.GPU.A10.1'));
    fireEvent.click(screen.getByRole('button', { name: 'Deploy' }));
    await waitFor(() => expect(client.createDeployment).toHaveBeenCalled());
    expect(client.createDeployment.mock.calls[0][0]).not.toHaveProperty('adapters');
  });

  it('on OCI shows the form as Terraform, with Copy and Download, creating nothing', async () => {
    const client = new FakeClient();
    client.getModelFit.mockResolvedValue(makeFit({ shapes: [ociShape('VM.GPU.A10.1', { recommended: true })] }));
    const { props } = setup(onOci, client);
    await waitFor(() => expect(screen.getByLabelText('Shape')).toHaveValue('VM.GPU.A10.1'));
    fireEvent.change(screen.getByLabelText('Deployment name'), { target: { value: '배포 デプロイ' } });
    fireEvent.change(screen.getByLabelText('Replicas'), { target: { value: '2' } });
    fireEvent.click(screen.getByRole('button', { name: 'Terraform' }));
    const terraform = await screen.findByRole('dialog', { name: 'Terraform' });
    expect(client.exportDeploymentTerraform).toHaveBeenCalledWith(
      expect.objectContaining({ name: '배포 デプロイ', shape: 'VM.GPU.A10.1', replicas: 2, engine: 'vllm' })
    );
    expect(client.createDeployment).not.toHaveBeenCalled();
    expect(props.onCreated).not.toHaveBeenCalled();
    expect(within(terraform).getByLabelText('model_deployment.tf')).toHaveTextContent(
      'resource "oci_datascience_model_deployment" "model_deployment"'
    );
    const text =
      'resource "oci_datascience_model_deployment" "model_deployment" {\n  display_name = "배포 デプロイ"\n}\n';
    fireEvent.click(within(terraform).getByRole('button', { name: 'Copy' }));
    expect(props.copyToClipboard).toHaveBeenCalledWith(text);
    fireEvent.click(within(terraform).getByRole('button', { name: 'Download model_deployment.tf' }));
    expect(props.download).toHaveBeenCalledWith('model_deployment.tf', text);
    fireEvent.click(within(terraform).getByRole('button', { name: 'Close' }));
    expect(screen.queryByRole('dialog', { name: 'Terraform' })).not.toBeInTheDocument();
    // The Deploy form is still there, unchanged.
    expect(screen.getByLabelText('Deployment name')).toHaveValue('배포 デプロイ');
  });

  it('on OCI puts a refusal of the Terraform export under the input it names, like a deploy', async () => {
    const client = new FakeClient();
    client.exportDeploymentTerraform.mockRejectedValueOnce(
      apiError(400, 'shape: VM.GPU.A10.1 has 24 GB; the model needs 40 GB', {
        fields: [{ field: 'shape', message: 'VM.GPU.A10.1 has 24 GB; the model needs 40 GB' }]
      })
    );
    setup(onOci, client);
    fireEvent.click(screen.getByRole('button', { name: 'Terraform' }));
    await waitFor(() => expect(errorOf(screen.getByLabelText('Shape'))).toHaveTextContent('needs 40 GB'));
    expect(screen.queryByRole('dialog', { name: 'Terraform' })).not.toBeInTheDocument();
  });

  it('offers no Terraform for a local deployment', () => {
    setup();
    expect(screen.queryByRole('button', { name: 'Terraform' })).not.toBeInTheDocument();
  });

  it('on OCI shows the service-limit availability of each shape and disables the ones at their limit', async () => {
    const client = new FakeClient();
    client.getModelFit.mockResolvedValue(limitedShapesFit());
    setup(onOci, client);
    const shape = screen.getByLabelText('Shape');
    await waitFor(() => expect(shape).toHaveValue('VM.GPU.A10.2'));
    const full = within(shape).getByRole('option', { name: /^VM.GPU.A10.1 — 1 GPU, 24.0 GB — fits — limit reached$/ });
    expect(full).toBeDisabled();
    expect(full).toHaveAttribute('title', expect.stringContaining('request a limit increase or choose another shape'));
    const open = within(shape).getByRole('option', {
      name: /^VM.GPU.A10.2 — 2 GPUs, 48.0 GB — fits · recommended — 3 available$/
    });
    expect(open).toBeEnabled();
    // Unknown availability: nothing is said, and the shape stays choosable.
    const unknown = within(shape).getByRole('option', { name: /^BM.GPU4.8 — 8 GPUs, 320.0 GB — fits$/ });
    expect(unknown).toBeEnabled();
    expect(screen.queryByText(/service limits allow/)).not.toBeInTheDocument();

    // More replicas than the limit allows: the shape field says so before the server does.
    fireEvent.change(screen.getByLabelText('Replicas'), { target: { value: '4' } });
    expect(
      screen.getByText(
        'The service limits allow 3 more VM.GPU.A10.2 instances: lower the replicas, request a limit increase or choose another shape.'
      )
    ).toBeInTheDocument();
    fireEvent.change(screen.getByLabelText('Replicas'), { target: { value: '3' } });
    expect(screen.queryByText(/service limits allow/)).not.toBeInTheDocument();
  });

  it('on OCI explains a chosen shape that reached its limit (the server refuses it on the shape field)', async () => {
    const client = new FakeClient();
    client.getModelFit.mockResolvedValue(
      makeFit({
        shapes: [ociShape('VM.GPU.A10.1', { available: 0 })],
        recommended_shape: null
      })
    );
    client.createDeployment.mockRejectedValueOnce(
      apiError(
        400,
        'VM.GPU.A10.1 has reached its service limit ds-gpu-a10-count; request a limit increase or choose another shape',
        {
          fields: [
            {
              field: 'shape',
              message:
                'VM.GPU.A10.1 has reached its service limit ds-gpu-a10-count; request a limit increase or choose another shape'
            }
          ]
        }
      )
    );
    setup(onOci, client);
    const shape = screen.getByLabelText('Shape');
    await waitFor(() => expect(within(shape).getByRole('option', { name: /limit reached/ })).toBeDisabled());
    // The fit recommends nothing: the server would choose; a shape set by hand (e.g. from a stale fit) is explained.
    fireEvent.change(shape, { target: { value: 'VM.GPU.A10.1' } });
    expect(
      screen.getByText(
        'VM.GPU.A10.1 has reached its service limit in this region: request a limit increase or choose another shape.'
      )
    ).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Deploy' }));
    await waitFor(() => expect(errorOf(shape)).toHaveTextContent('ds-gpu-a10-count'));
  });

  it('on OCI links a refusal for want of a policy to the OCI setup check that covers it', async () => {
    const client = new FakeClient();
    client.createDeployment.mockRejectedValueOnce(
      apiError(
        404,
        'OCI Data Science: Authorization failed or requested resource not found. (NotAuthorizedOrNotFound)',
        { setupCheck: 'deployments' }
      )
    );
    const openSetup = jest.fn();
    setup(onOci, client, openSetup);
    fireEvent.click(screen.getByRole('button', { name: 'Deploy' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Open OCI setup' }));
    expect(openSetup).toHaveBeenCalledWith('deployments');
    expect(screen.getByText(/NotAuthorizedOrNotFound/)).toBeInTheDocument();
  });
});
