import * as React from 'react';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';

import { DeploymentsSection, type IDeploymentsSectionProps } from '../DeploymentsSection';
import {
  advance,
  expectBusyPolling,
  expectFailureNotice,
  expectIdlePolling,
  renderSection,
  type SectionHarnessProps
} from '../../../test-support/sections';
import { FakeClient, makeDeployment, makeOperation } from '../../../test-support/fixtures';

function setup(overrides: Partial<SectionHarnessProps<IDeploymentsSectionProps>> = {}, client = new FakeClient()) {
  return renderSection(
    DeploymentsSection,
    {
      pollIntervalMs: 1000,
      onNewDeployment: jest.fn(),
      onOpenPlayground: jest.fn(),
      ...overrides
    },
    client
  );
}

describe('DeploymentsSection', () => {
  afterEach(() => jest.useRealTimers());

  it('lists deployments with their states; one list call per poll, 2 s while one is creating', async () => {
    jest.useFakeTimers();
    const client = new FakeClient();
    client.deployments = [
      makeDeployment({ id: 'a', name: 'Alpha', state: 'CREATING', state_message: 'Loading the model' }),
      makeDeployment({ id: 'b', name: 'Beta', state: 'FAILED', state_message: 'Out of memory' })
    ];
    const { props } = setup({}, client);
    const table = await screen.findByRole('table', { name: 'Deployments' });
    const alpha = within(table).getByRole('button', { name: 'Alpha' }).closest('tr') as HTMLElement;
    expect(alpha.querySelector('.jp-AquaExt-StateBadge.jp-mod-transitional .jp-AquaExt-spinner')).not.toBeNull();
    expect(alpha).toHaveTextContent('Creating');
    expect(alpha).toHaveTextContent('Loading the model');
    expect(within(table).getByRole('button', { name: 'Beta' }).closest('tr')).toHaveTextContent('Out of memory');
    await expectBusyPolling(client.listDeployments, 1);
    client.deployments = [makeDeployment({ id: 'a', name: 'Alpha', state: 'ACTIVE' })];
    await advance(2000);
    expect(client.listDeployments).toHaveBeenCalledTimes(3);
    expect(props.notify).toHaveBeenCalledWith('“Alpha” is active.', 'success');
    // Nothing is changing now: the next poll is 10 s away.
    await expectIdlePolling(client.listDeployments, 3);
    expect(client.getDeployment).not.toHaveBeenCalled();
  });

  it('does not poll while hidden', async () => {
    jest.useFakeTimers();
    const client = new FakeClient();
    const { rerender, props, Harness } = setup({ active: false }, client);
    await advance(30_000);
    expect(client.listDeployments).not.toHaveBeenCalled();
    rerender(<Harness {...props} active={true} />);
    await waitFor(() => expect(client.listDeployments).toHaveBeenCalledTimes(1));
  });

  it('offers a first deployment when there is none', async () => {
    const client = new FakeClient();
    client.deployments = [];
    const { props } = setup({}, client);
    expect(await screen.findByText('No deployments yet')).toBeInTheDocument();
    fireEvent.click(screen.getAllByRole('button', { name: 'New deployment' })[1]);
    expect(props.onNewDeployment).toHaveBeenCalled();
  });

  it('shows a deployment: endpoint, snippets without the token, log, and its actions', async () => {
    const { client, props } = setup();
    fireEvent.click(await screen.findByRole('button', { name: 'Qwen chat' }));
    expect(await screen.findByRole('heading', { name: 'Qwen chat' })).toBeInTheDocument();
    expect(document.querySelector('.jp-AquaExt-DeploymentDetail-endpoint')).toHaveTextContent(
      'http://localhost:8888/aqua-ext/deployments/dep-1/v1'
    );
    const code = document.querySelector('.jp-AquaExt-CodeSnippets-code') as HTMLElement;
    expect(code).toHaveTextContent('client.openai_client("dep-1")');
    fireEvent.click(screen.getByRole('tab', { name: 'curl' }));
    expect(document.querySelector('.jp-AquaExt-CodeSnippets-code')).toHaveTextContent('$JUPYTER_TOKEN');
    fireEvent.click(screen.getByRole('button', { name: 'Copy' }));
    expect(props.copyToClipboard).toHaveBeenCalledWith(expect.stringContaining('curl '));
    expect(await screen.findByText('INFO engine ready')).toBeInTheDocument();

    fireEvent.click(screen.getByRole('button', { name: 'Open playground' }));
    expect(props.onOpenPlayground).toHaveBeenCalledWith('dep-1');

    fireEvent.click(screen.getByRole('button', { name: 'Deactivate' }));
    await waitFor(() => expect(client.deactivateDeployment).toHaveBeenCalledWith('dep-1'));
    expect(await screen.findByRole('button', { name: 'Activate' })).toBeInTheDocument();

    fireEvent.click(screen.getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(client.deleteDeployment).toHaveBeenCalledWith('dep-1'));
    expect(props.confirm).toHaveBeenCalledWith(
      expect.stringContaining('“Qwen chat”'),
      expect.objectContaining({ danger: true })
    );
    expect(await screen.findByRole('table', { name: 'Deployments' })).toBeInTheDocument();
  });

  it('explains a failure with the engine’s last log lines', async () => {
    const client = new FakeClient();
    client.deployments = [
      makeDeployment({
        state: 'FAILED',
        state_message: 'The engine exited with code 1: CUDA out of memory.',
        failure_log: ['Traceback (most recent call last):', 'torch.OutOfMemoryError: CUDA out of memory.']
      })
    ];
    setup({ initial: 'dep-1' }, client);
    await expectFailureNotice(
      'The deployment failed',
      'The engine exited with code 1: CUDA out of memory.',
      'torch.OutOfMemoryError'
    );
    expect(screen.getByRole('button', { name: 'Activate' })).toBeInTheDocument();
  });

  it('shows the weights a deployment was created with, and no such row when it kept none', async () => {
    const client = new FakeClient();
    client.deployments = [
      makeDeployment({ name: '양자화 모델', engine: 'llama.cpp', quantization: 'Q4_K_M' }),
      makeDeployment({ id: 'dep-2', name: '既定の重み' })
    ];
    const { unmount } = setup({ initial: 'dep-1' }, client);
    expect(await screen.findByRole('heading', { name: '양자화 모델' })).toBeInTheDocument();
    expect(screen.getByText('Weights').nextElementSibling).toHaveTextContent('Q4_K_M');
    unmount();

    setup({ initial: 'dep-2' }, client);
    expect(await screen.findByRole('heading', { name: '既定の重み' })).toBeInTheDocument();
    expect(screen.queryByText('Weights')).not.toBeInTheDocument();
  });

  it('shows only the buttons the server allows: a FAILED OCI deployment offers Delete alone', async () => {
    const client = new FakeClient();
    client.deployments = [
      makeDeployment({
        id: 'ocid1.datasciencemodeldeployment.oc1..x',
        target: 'oci',
        state: 'FAILED',
        shape: 'VM.GPU.A10.1'
      })
    ];
    expect(client.deployments[0].actions).toEqual(['delete']);
    setup({ initial: 'ocid1.datasciencemodeldeployment.oc1..x' }, client);
    expect(await screen.findByRole('button', { name: 'Delete' })).toBeInTheDocument();
    for (const name of ['Activate', 'Deactivate', 'Evaluate']) {
      expect(screen.queryByRole('button', { name })).not.toBeInTheDocument();
    }
  });

  it('renders the buttons from `actions`, whatever the state says', async () => {
    const client = new FakeClient();
    client.deployments = [makeDeployment({ state: 'ACTIVE', actions: ['deactivate'] })];
    setup({ initial: 'dep-1', onEvaluate: jest.fn() }, client);
    expect(await screen.findByRole('button', { name: 'Deactivate' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Delete' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Evaluate' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Activate' })).not.toBeInTheDocument();
  });

  it('shows the progress of the deployment it just created', async () => {
    const client = new FakeClient();
    client.deployments = [makeDeployment({ id: 'dep-new', state: 'CREATING', operation_id: 'op-deploy' })];
    client.getOperation.mockResolvedValue(makeOperation({ id: 'op-deploy', progress: 0.5, message: 'Warming up' }));
    setup(
      {
        initial: 'dep-new',
        pendingOperation: {
          deploymentId: 'dep-new',
          operation: makeOperation({ id: 'op-deploy', progress: 0.1, message: 'Starting the engine' })
        }
      },
      client
    );
    const progress = await screen.findByRole('progressbar', { name: 'Deployment progress' });
    expect(progress).toHaveAttribute('aria-valuenow', '10');
    expect(screen.getByText('Starting the engine')).toBeInTheDocument();
  });
});
