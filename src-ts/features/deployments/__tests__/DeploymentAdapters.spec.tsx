import { fireEvent, screen, waitFor, within } from '@testing-library/react';

import { DeploymentAdapters, type IDeploymentAdaptersProps } from '../DeploymentAdapters';
import { DeploymentsSection } from '../DeploymentsSection';
import { renderWithProps } from '../../../test-support/render';
import { renderSection } from '../../../test-support/sections';
import { FakeClient, makeDeployment, makeModel, makeOperation } from '../../../test-support/fixtures';
import { apiError } from '../../../test-support/errors';
import { trans } from '../../../test-support/trans';

const BASE = 'local:qwen-0.5b';
const SERVED = [{ name: 'summary-ko', model_id: 'ft:summary-ko', model_name: '한국어 요약 LoRA', rank: 8 }];

function fakeClient(): FakeClient {
  const client = new FakeClient();
  client.models = [
    makeModel({ id: BASE, name: 'Qwen' }),
    makeModel({ id: 'ft:summary-ko', name: '한국어 요약 LoRA', source: 'fine-tuned', tags: ['lora'] }),
    makeModel({ id: 'ft:sql', name: 'SQL helper', source: 'fine-tuned', tags: ['lora'] })
  ];
  return client;
}

function setup(overrides: Partial<IDeploymentAdaptersProps> = {}, client = fakeClient()) {
  const props: IDeploymentAdaptersProps = {
    client,
    trans,
    detail: makeDeployment({ engine: 'llama.cpp', model_id: BASE, adapters: SERVED }),
    onApplied: jest.fn(),
    ...overrides
  };
  return { client, ...renderWithProps(DeploymentAdapters, props) };
}

const rows = () => within(screen.getByRole('table')).getAllByRole('row').slice(1);

describe('DeploymentAdapters', () => {
  it('lists the served adapters and adds one of the target’s LoRA fine-tunes; the server saves the set', async () => {
    const { client, props } = setup({
      detail: makeDeployment({ engine: 'llama.cpp', state: 'INACTIVE', model_id: BASE, adapters: SERVED })
    });
    expect(rows()[0]).toHaveTextContent('summary-ko한국어 요약 LoRA ft:summary-ko8');
    const picker = screen.getByRole('combobox', { name: 'Fine-tune to add as an adapter' });
    await waitFor(() => expect(within(picker).getAllByRole('option')).toHaveLength(2));
    expect(within(picker).getByRole('option', { name: 'SQL helper' })).toBeInTheDocument(); // the served one is not offered
    expect(screen.getByRole('button', { name: 'Apply adapters' })).toBeDisabled();

    fireEvent.change(picker, { target: { value: 'ft:sql' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add adapter' }));
    expect(rows()[1]).toHaveTextContent('(named when saved)SQL helper');
    fireEvent.click(screen.getByRole('button', { name: 'Apply adapters' }));

    expect(await screen.findByRole('status')).toHaveTextContent(
      'Saved: the engine starts with these adapters the next time the deployment is activated.'
    );
    expect(client.setDeploymentAdapters).toHaveBeenCalledWith('dep-1', {
      adapters: [{ model_id: 'ft:summary-ko', name: 'summary-ko' }, { model_id: 'ft:sql' }]
    });
    expect(props.onApplied).toHaveBeenCalledWith(expect.objectContaining({ applied: 'saved' }));
  });

  it('removes an adapter live and says so', async () => {
    const client = fakeClient();
    client.setDeploymentAdapters.mockImplementation(async id => ({
      deployment: makeDeployment({ id, engine: 'vllm', model_id: BASE, adapters: [] }),
      applied: 'live',
      operation: null
    }));
    setup({ detail: makeDeployment({ engine: 'vllm', model_id: BASE, adapters: SERVED }) }, client);
    fireEvent.click(screen.getByRole('button', { name: 'Remove the adapter summary-ko' }));
    expect(screen.getByText('None: the base model answers every request.')).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Apply adapters' }));
    expect(await screen.findByRole('status')).toHaveTextContent(
      'Applied live: the running engine serves the base model alone now.'
    );
    expect(client.setDeploymentAdapters).toHaveBeenCalledWith('dep-1', { adapters: [] });
  });

  it('shows the server’s 400 under the adapter it names, and keeps the draft', async () => {
    const client = fakeClient();
    client.setDeploymentAdapters.mockRejectedValue(
      apiError(400, 'Invalid input', {
        fields: [{ field: 'adapters.1', message: "'SQL helper' has LoRA rank 1024; the base's hidden size is 896" }]
      })
    );
    const { props } = setup({}, client);
    const picker = screen.getByRole('combobox', { name: 'Fine-tune to add as an adapter' });
    await waitFor(() => expect(within(picker).getAllByRole('option')).toHaveLength(2));
    fireEvent.change(picker, { target: { value: 'ft:sql' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add adapter' }));
    fireEvent.click(screen.getByRole('button', { name: 'Apply adapters' }));
    const error = await screen.findByRole('alert');
    expect(error).toHaveTextContent("'SQL helper' has LoRA rank 1024");
    expect(rows()[1]).toContainElement(error);
    expect(rows()[1]).toHaveClass('jp-mod-error');
    expect(props.onApplied).not.toHaveBeenCalled();
  });

  it('shows the served adapters without controls where the server allows no change, and nothing when none', () => {
    const { unmount } = setup({
      detail: makeDeployment({ engine: 'llama.cpp', state: 'UPDATING', model_id: BASE, adapters: SERVED })
    });
    expect(rows()[0]).toHaveTextContent('summary-ko');
    expect(screen.queryByRole('button', { name: 'Apply adapters' })).toBeNull();
    expect(screen.queryByRole('button', { name: /Remove/ })).toBeNull();
    unmount();
    const { client } = setup({ detail: makeDeployment({ engine: 'transformers', adapters: [] }) });
    expect(screen.queryByRole('heading', { name: 'LoRA adapters' })).toBeNull();
    expect(client.listModels).not.toHaveBeenCalled();
  });
});

describe('the deployment detail', () => {
  it('follows the engine restart the new set of adapters asks for', async () => {
    const client = fakeClient();
    client.deployments = [makeDeployment({ engine: 'llama.cpp', model_id: BASE, adapters: SERVED })];
    const restarting = makeOperation({
      id: 'op-adapters',
      kind: 'activate',
      progress: 0.2,
      message: 'Loading the model'
    });
    client.getOperation.mockResolvedValue(restarting);
    client.setDeploymentAdapters.mockImplementation(async id => ({
      deployment: makeDeployment({ id, engine: 'llama.cpp', state: 'UPDATING', model_id: BASE, adapters: [] }),
      applied: 'restart',
      operation: restarting
    }));
    renderSection(
      DeploymentsSection,
      { pollIntervalMs: 60_000, onNewDeployment: jest.fn(), onOpenPlayground: jest.fn(), initial: 'dep-1' },
      client
    );
    fireEvent.click(await screen.findByRole('button', { name: 'Remove the adapter summary-ko' }));
    fireEvent.click(screen.getByRole('button', { name: 'Apply adapters' }));
    expect(await screen.findByText(/^The engine restarts with the new set of adapters/)).toBeInTheDocument();
    const progress = await screen.findByRole('progressbar', { name: 'Deployment progress' });
    expect(progress).toHaveAttribute('aria-valuenow', '20');
  });
});
