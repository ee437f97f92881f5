import { fireEvent, screen, waitFor, within } from '@testing-library/react';

import { apiError } from '../../../test-support/errors';
import { IModelDetailProps, ModelDetail } from '../ModelDetail';
import { FakeClient, limitedShapesFit, makeDetail, makeFit } from '../../../test-support/fixtures';
import type { OpenSetupCheck } from '../../../ui/setupLinks';
import { renderWithProps } from '../../../test-support/render';
import { trans } from '../../../test-support/trans';

function setup(
  overrides: Partial<IModelDetailProps> = {},
  client = new FakeClient(),
  openSetup: OpenSetupCheck | null = null
) {
  const props: IModelDetailProps = {
    client,
    trans,
    modelId: 'catalog:Qwen--Qwen2.5-0.5B-Instruct',
    renderMarkdown: jest.fn(async (host: HTMLElement, markdown: string) => {
      host.textContent = `rendered: ${markdown}`;
    }),
    confirm: jest.fn(async () => true),
    notify: jest.fn(),
    onBack: jest.fn(),
    onDeleted: jest.fn(),
    copyToClipboard: jest.fn(),
    fitDefaults: { dtype: 'bfloat16', contextLength: 4096, concurrency: 1 },
    fitDebounceMs: 0,
    ...overrides
  };
  return { client, ...renderWithProps(ModelDetail, props, openSetup) };
}

describe('ModelDetail', () => {
  it('takes the focus to its heading when opened from a card with Enter (the card is gone)', async () => {
    const card = document.body.appendChild(document.createElement('div'));
    card.tabIndex = 0;
    card.focus();
    fireEvent.keyDown(card, { key: 'Enter' });
    card.remove(); // the grid gives way to the detail
    setup({}, new FakeClient());
    const heading = await screen.findByRole('heading', { name: 'Qwen2.5 0.5B Instruct' });
    expect(heading).toHaveFocus();
  });

  it('leaves the focus where the user put it meanwhile', async () => {
    const search = document.body.appendChild(document.createElement('input'));
    search.focus();
    setup({}, new FakeClient());
    await screen.findByRole('heading', { name: 'Qwen2.5 0.5B Instruct' });
    expect(search).toHaveFocus();
    search.remove();
  });

  it('renders the metadata of the model', async () => {
    const { client } = setup();
    expect(screen.getByText('Loading model…')).toBeInTheDocument();
    expect(await screen.findByRole('heading', { name: 'Qwen2.5 0.5B Instruct' })).toBeInTheDocument();
    expect(client.getModel).toHaveBeenCalledWith('catalog:Qwen--Qwen2.5-0.5B-Instruct');
    const root = document.querySelector('.jp-AquaExt-ModelDetail') as HTMLElement;
    expect(root).toBeInTheDocument();
    const facts = root.querySelector('.jp-AquaExt-ResourceDetail-facts') as HTMLElement;
    expect(within(facts).getByText('Alibaba Cloud (Qwen)')).toBeInTheDocument();
    expect(within(facts).getByRole('link', { name: 'apache-2.0' })).toHaveAttribute(
      'href',
      'https://www.apache.org/licenses/LICENSE-2.0'
    );
    expect(within(facts).getByText('text-generation · Text generation')).toBeInTheDocument();
    expect(within(facts).getByText('494.0M')).toBeInTheDocument();
    expect(within(facts).getByText('988.1 MB')).toBeInTheDocument();
    expect(within(facts).getByText('Qwen/Qwen2.5-0.5B-Instruct')).toBeInTheDocument();
    expect(within(facts).getByText('Not downloaded yet')).toBeInTheDocument();
  });

  it('renders the model card through renderMarkdown', async () => {
    const { props } = setup();
    await screen.findByRole('heading', { name: 'Qwen2.5 0.5B Instruct' });
    await waitFor(() => expect(props.renderMarkdown).toHaveBeenCalled());
    const [host, markdown] = (props.renderMarkdown as jest.Mock).mock.calls[0];
    expect(markdown).toBe('# Qwen2.5\n\nA **small** model.');
    expect(host).toHaveClass('jp-AquaExt-ModelDetail-card');
    expect(screen.getByText(/rendered: # Qwen2.5/)).toBeInTheDocument();
  });

  it('shows lineage and notes when present and copies the hf_id', async () => {
    const client = new FakeClient();
    client.getModel.mockResolvedValue(
      makeDetail({
        source: 'fine-tuned',
        lineage: { base_model_id: 'catalog:base', dataset_hash: 'sha256:abc', finetune_job_id: 'ft-1' },
        notes: ['GGUF only: fine-tuning needs safetensors weights.']
      })
    );
    const { props } = setup({}, client);
    expect(await screen.findByText('catalog:base')).toBeInTheDocument();
    expect(screen.getByText('sha256:abc')).toBeInTheDocument();
    expect(screen.getByText('GGUF only: fine-tuning needs safetensors weights.')).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Copy Hugging Face id' }));
    expect(props.copyToClipboard).toHaveBeenCalledWith('Qwen/Qwen2.5-0.5B-Instruct');
  });

  it('shows the publisher deployment configuration when the model has one', async () => {
    const client = new FakeClient();
    client.getModel.mockResolvedValue(makeDetail({ deployment_config: { shape: ['VM.GPU.A10.1'] } }));
    setup({}, client);
    expect(await screen.findByText('Deployment configuration')).toBeInTheDocument();
    expect(screen.getByText(/"VM.GPU.A10.1"/)).toBeInTheDocument();
    expect(screen.queryByText('Fine-tuning configuration')).not.toBeInTheDocument();
  });

  it('offers Delete only when the server allows it (a catalog model has no delete action)', async () => {
    setup();
    await screen.findByRole('heading', { name: 'Qwen2.5 0.5B Instruct' });
    expect(screen.queryByRole('button', { name: 'Delete' })).not.toBeInTheDocument();
  });

  it('renders its buttons from the model’s actions, never from its readiness or source', async () => {
    const client = new FakeClient();
    client.getModel.mockResolvedValue(
      makeDetail({ source: 'registered', ready_to_deploy: true, ready_to_finetune: true, actions: ['finetune'] })
    );
    setup({ onDeploy: jest.fn(), onFineTune: jest.fn() }, client);
    await screen.findByRole('heading', { name: 'Qwen2.5 0.5B Instruct' });
    expect(await screen.findByRole('button', { name: 'Fine-tune' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Deploy' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Delete' })).not.toBeInTheDocument();
  });

  it('confirms, deletes a registered model and reports it', async () => {
    const client = new FakeClient();
    client.getModel.mockResolvedValue(makeDetail({ id: 'reg:mine', name: 'Mine', source: 'registered' }));
    const { props } = setup({ modelId: 'reg:mine' }, client);
    const deleteButton = await screen.findByRole('button', { name: 'Delete' });
    expect(deleteButton).toHaveClass('jp-mod-styled', 'jp-mod-warn');
    fireEvent.click(deleteButton);
    await waitFor(() => expect(props.onDeleted).toHaveBeenCalledWith('reg:mine'));
    expect(props.confirm).toHaveBeenCalledWith(expect.stringContaining('Mine'), expect.anything());
    expect(client.deleteModel).toHaveBeenCalledWith('reg:mine');
    expect(props.notify).toHaveBeenCalledWith('Deleted “Mine”.', 'success');
  });

  it('notifies a refused delete with the action that opens its OCI setup check', async () => {
    const client = new FakeClient();
    client.getModel.mockResolvedValue(makeDetail({ id: 'reg:mine', name: 'モデル', source: 'registered' }));
    client.deleteModel.mockRejectedValue(
      apiError(404, 'OCI Data Science refused this request (NotAuthorizedOrNotFound)', { setupCheck: 'models' })
    );
    const open = jest.fn();
    const { props } = setup({ modelId: 'reg:mine' }, client, open);
    fireEvent.click(await screen.findByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(props.notify).toHaveBeenCalled());
    const [message, type, options] = (props.notify as jest.Mock).mock.calls[0];
    expect([message, type]).toEqual(['OCI Data Science refused this request (NotAuthorizedOrNotFound)', 'error']);
    expect(options.actions.map((action: { label: string }) => action.label)).toEqual(['Open OCI setup']);
    options.actions[0].callback();
    expect(open).toHaveBeenCalledWith('models');
  });

  it('does not delete when the user declines', async () => {
    const client = new FakeClient();
    client.getModel.mockResolvedValue(makeDetail({ id: 'reg:mine', name: 'Mine', source: 'registered' }));
    const { props } = setup({ modelId: 'reg:mine', confirm: jest.fn(async () => false) }, client);
    fireEvent.click(await screen.findByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(props.confirm).toHaveBeenCalled());
    expect(client.deleteModel).not.toHaveBeenCalled();
  });

  it('shows the memory fit with the recommended shape highlighted', async () => {
    const { client } = setup();
    const table = await screen.findByRole('table');
    expect(client.getModelFit).toHaveBeenCalledWith('catalog:Qwen--Qwen2.5-0.5B-Instruct', {
      dtype: 'bfloat16',
      context_length: 4096,
      concurrency: 1
    });
    expect(screen.getByText('1.5 GB')).toBeInTheDocument();
    const recommended = table.querySelector('tr.jp-AquaExt-recommended') as HTMLElement;
    expect(recommended).toBeInTheDocument();
    expect(within(recommended).getByText('VM.GPU.A10.1')).toBeInTheDocument();
    expect(within(recommended).getByText('Recommended')).toBeInTheDocument();
    expect(table.querySelectorAll('tr.jp-AquaExt-recommended')).toHaveLength(1);
    const headers = Array.from(table.querySelectorAll('thead th')).map(th => th.textContent);
    expect(headers).toEqual(['Target', 'Fits', 'Memory', 'Headroom', 'Speed']);
    // Compact numbers, devices under the name.
    const cells = Array.from(recommended.querySelectorAll('td')).map(td => td.textContent);
    expect(cells).toEqual(['VM.GPU.A10.11 GPURecommended', '✓fits', '24 GB', '23 GB', '—']);
    expect(within(table).getByText('This machine (CPU)')).toBeInTheDocument();
    expect(screen.getByLabelText('How the estimate is computed').textContent).toContain('weights = 494,032,768');
    expect(screen.getByText('Overhead is 0.5 GB for the engine and activations.')).toBeInTheDocument();
  });

  it('shows how many more instances of each OCI shape the service limits allow', async () => {
    const client = new FakeClient();
    client.getModelFit.mockResolvedValue(limitedShapesFit());
    setup({}, client);
    const table = await screen.findByRole('table');
    const rowOf = (name: string): HTMLElement => within(table).getByText(name).closest('tr') as HTMLElement;
    const full = rowOf('VM.GPU.A10.1');
    expect(full).toHaveClass('jp-mod-limitReached');
    const reached = within(full).getByText('limit reached');
    expect(reached).toHaveClass('jp-AquaExt-Badge-warn');
    expect(reached).toHaveAttribute(
      'title',
      expect.stringContaining('request a limit increase or choose another shape')
    );
    const open = within(rowOf('VM.GPU.A10.2')).getByText('3 available');
    expect(open).toHaveAttribute('title', 'The service limits allow 3 more instances of this shape in this region.');
    expect(rowOf('VM.GPU.A10.2')).toHaveClass('jp-AquaExt-recommended');
    // Unknown (no permission to read the limits, or not an OCI shape): nothing is said.
    expect(rowOf('BM.GPU4.8').querySelector('.jp-AquaExt-FitTable-available')).toBeNull();
    expect(rowOf('This machine (CPU)').querySelector('.jp-AquaExt-FitTable-available')).toBeNull();
  });

  it('asks again when the fit inputs change', async () => {
    const { client } = setup();
    await screen.findByRole('table');
    client.getModelFit.mockResolvedValue(makeFit({ dtype: 'int4', total_gb: 0.75 }));
    fireEvent.change(screen.getByLabelText('Data type'), { target: { value: 'int4' } });
    fireEvent.change(screen.getByLabelText('Concurrency'), { target: { value: '8' } });
    await waitFor(() =>
      expect(client.getModelFit).toHaveBeenLastCalledWith('catalog:Qwen--Qwen2.5-0.5B-Instruct', {
        dtype: 'int4',
        context_length: 4096,
        concurrency: 8
      })
    );
    expect(await screen.findByText('0.8 GB')).toBeInTheDocument();
  });

  it('offers fp8 and says which config keys an estimate could not read', async () => {
    const { client } = setup();
    await screen.findByRole('table');
    client.getModelFit.mockResolvedValue(
      makeFit({ dtype: 'fp8', weights_gb: null, total_gb: null, unknown: ['quantization_config'] })
    );
    fireEvent.change(screen.getByLabelText('Data type'), { target: { value: 'fp8' } });
    await waitFor(() =>
      expect(client.getModelFit).toHaveBeenLastCalledWith(
        'catalog:Qwen--Qwen2.5-0.5B-Instruct',
        expect.objectContaining({ dtype: 'fp8' })
      )
    );
    expect(await screen.findByText('Memory cannot be estimated: unknown quantization_config.')).toBeInTheDocument();
  });

  it('caps the default context length at the model context length', async () => {
    const client = new FakeClient();
    client.getModel.mockResolvedValue(makeDetail({ context_length: 2048 }));
    setup({}, client);
    await screen.findByRole('table');
    expect(client.getModelFit).toHaveBeenCalledWith(
      expect.any(String),
      expect.objectContaining({ context_length: 2048 })
    );
    expect(screen.getByLabelText('Context length')).toHaveValue(2048);
  });

  it('shows an error with Retry when the model cannot be loaded, and goes back', async () => {
    const client = new FakeClient();
    client.getModel.mockRejectedValueOnce(apiError(404, "No model with id 'x'."));
    const { props } = setup({ modelId: 'x' }, client);
    expect(await screen.findByText("No model with id 'x'.")).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(await screen.findByRole('heading', { name: 'Qwen2.5 0.5B Instruct' })).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: '← All models' }));
    expect(props.onBack).toHaveBeenCalled();
  });
});
