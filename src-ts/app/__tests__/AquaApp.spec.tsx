import * as React from 'react';
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';

import { AquaApiError } from '../../api/errors';
import { AquaApp, IAquaAppProps } from '../AquaApp';
import { backendSummary } from '../BackendBadge';
import { appProps } from '../../test-support/app';
import { FakeClient, LOCAL_TARGET, makeInfo, makeOperation, ociTarget } from '../../test-support/fixtures';
import { trans } from '../../test-support/trans';

function setup(client = new FakeClient(), overrides: Partial<IAquaAppProps> = {}) {
  const props = appProps(client, overrides);
  const utils = render(<AquaApp {...props} />);
  return { client, props, ...utils };
}

describe('AquaApp', () => {
  it('shows the title, the backend badge and the section tabs', async () => {
    setup();
    expect(screen.getByRole('heading', { name: 'AI Quick Actions' })).toBeInTheDocument();
    expect(await screen.findByText('Local · 2 CPUs · 23 GB RAM · no GPU')).toBeInTheDocument();
    const tablist = screen.getByRole('tablist');
    const tabs = within(tablist).getAllByRole('tab');
    expect(tabs.map(t => t.textContent)).toEqual([
      'Models',
      'Deployments',
      'Connections',
      'Fine-tuning',
      'Evaluations'
    ]);
    expect(screen.getByRole('tab', { name: 'Models' })).toHaveAttribute('aria-selected', 'true');
    expect(await screen.findByRole('button', { name: 'Llama 3.1 8B Instruct' })).toBeInTheDocument();
  });

  it('opens the OCI setup view in place of the sections, and a tab brings its section back', async () => {
    const client = new FakeClient();
    client.getInfo.mockResolvedValue(makeInfo({ targets: [LOCAL_TARGET, ociTarget()] }));
    setup(client);
    const toggle = await screen.findByRole('button', { name: 'OCI setup' });
    fireEvent.click(toggle);
    expect(toggle).toHaveAttribute('aria-pressed', 'true');
    expect(await screen.findByRole('heading', { name: 'OCI setup' })).toBeInTheDocument();
    // No tab reads as the one shown while the setup view is.
    expect(screen.getByRole('tab', { name: 'Models' })).toHaveAttribute('aria-selected', 'false');

    fireEvent.click(screen.getByRole('tab', { name: 'Deployments' }));
    expect(screen.queryByRole('heading', { name: 'OCI setup' })).not.toBeInTheDocument();
    expect(toggle).toHaveAttribute('aria-pressed', 'false');
    expect(screen.getByRole('tab', { name: 'Deployments' })).toHaveAttribute('aria-selected', 'true');
    expect(await screen.findByRole('table', { name: 'Deployments' })).toBeVisible();
  });

  it('shows honest empty states for the sections still to come', async () => {
    setup();
    fireEvent.click(screen.getByRole('tab', { name: 'Deployments' }));
    expect(screen.getByRole('tab', { name: 'Deployments' })).toHaveAttribute('aria-selected', 'true');
    // Deployments are real now: the section lists them.
    expect(await screen.findByRole('table', { name: 'Deployments' })).toBeVisible();
    fireEvent.click(screen.getByRole('tab', { name: 'Connections' }));
    // Hosted services sit beside the deployments.
    expect(await screen.findByRole('table', { name: 'Connections' })).toBeVisible();
    fireEvent.click(screen.getByRole('tab', { name: 'Fine-tuning' }));
    // Fine-tuning is real too: the section lists the jobs.
    expect(await screen.findByRole('table', { name: 'Fine-tuning jobs' })).toBeVisible();
    fireEvent.click(screen.getByRole('tab', { name: 'Evaluations' }));
    // Evaluations are real as well: the section lists them.
    expect(await screen.findByRole('table', { name: 'Evaluations' })).toBeVisible();
    fireEvent.keyDown(screen.getByRole('tab', { name: 'Evaluations' }), { key: 'ArrowRight' });
    expect(screen.getByRole('tab', { name: 'Models' })).toHaveAttribute('aria-selected', 'true');
    expect(screen.getByRole('tab', { name: 'Models' })).toHaveFocus();
    await screen.findByRole('button', { name: 'Llama 3.1 8B Instruct' });
  });

  it('opens a model detail from a card and goes back to the grid', async () => {
    setup();
    fireEvent.click(await screen.findByRole('button', { name: 'BGE small en v1.5' }));
    expect(await screen.findByRole('heading', { name: 'BGE small en v1.5' })).toBeInTheDocument();
    expect(document.querySelector('.jp-AquaExt-ModelDetail')).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: '← All models' }));
    expect(document.querySelector('.jp-AquaExt-ModelDetail')).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'BGE small en v1.5' })).toBeVisible();
  });

  it('registers a model from the toolbar and opens it', async () => {
    const { client, props } = setup();
    await screen.findByRole('button', { name: 'Llama 3.1 8B Instruct' });
    fireEvent.click(screen.getByRole('button', { name: 'Register model' }));
    const dialog = screen.getByRole('dialog', { name: 'Register model' });
    fireEvent.change(within(dialog).getByLabelText('Folder path'), { target: { value: '/data/new' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Register' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(props.notify).toHaveBeenCalledWith('Registered “New model”.', 'success');
    await waitFor(() => expect(client.getModel).toHaveBeenCalledWith('reg:new'));
    expect(client.listModels).toHaveBeenCalledTimes(2);
    // One action, one toast: the dialog reports the success, nothing else repeats it.
    expect(props.notify).toHaveBeenCalledTimes(1);
  });

  it('follows register, refresh and models requests from the commands', async () => {
    const client = new FakeClient();
    const props = appProps(client);
    render(<AquaApp {...props} />);
    await screen.findByRole('button', { name: 'Llama 3.1 8B Instruct' });
    fireEvent.click(screen.getByRole('tab', { name: 'Evaluations' }));
    await act(async () => {
      props.navigator?.navigate({ to: 'register' });
    });
    expect(screen.getByRole('dialog', { name: 'Register model' })).toBeInTheDocument();
    expect(screen.getByRole('tab', { name: 'Models' })).toHaveAttribute('aria-selected', 'true');
    fireEvent.click(screen.getByRole('button', { name: 'Close' }));
    await act(async () => {
      props.navigator?.navigate({ to: 'refresh-models' });
    });
    expect(client.listModels).toHaveBeenLastCalledWith({ refresh: true });
  });

  it('shows a backend problem and a missing server extension in the badge', async () => {
    const client = new FakeClient();
    client.getInfo.mockResolvedValue(
      makeInfo({
        backend: {
          kind: 'oci',
          name: 'oci',
          label: 'OCI Data Science · us-ashburn-1',
          ready: false,
          problem: 'No OCI config found at ~/.oci/config.',
          data_dir: null,
          region: 'us-ashburn-1',
          compartment_id: 'ocid1.compartment.oc1..aaaaaaaabbbbbbbbcccccccc12345678',
          hardware: null,
          shapes: [],
          engine_modes: {},
          adapter_engines: {}
        }
      })
    );
    const { unmount } = setup(client);
    expect(await screen.findByText('OCI · us-ashburn-1 · …12345678')).toBeInTheDocument();
    expect(screen.getByText('No OCI config found at ~/.oci/config.')).toBeInTheDocument();
    unmount();

    const missing = new FakeClient();
    missing.getInfo.mockRejectedValue(AquaApiError.network());
    setup(missing);
    expect(
      (await screen.findAllByText(/pip install aqua_ext and restart, check `jupyter server extension list`/)).length
    ).toBeGreaterThan(0);
  });

  it('summarizes GPUs', () => {
    const info = makeInfo({
      hardware: {
        cpu_count: 16,
        memory_gb: 128,
        platform: 'linux',
        memory_bandwidth_gb_s: null,
        gpus: [
          { index: 0, name: 'NVIDIA A10', memory_gb: 24, vendor: 'nvidia' },
          { index: 1, name: 'NVIDIA A10', memory_gb: 24, vendor: 'nvidia' }
        ]
      }
    });
    expect(backendSummary(info, trans)).toBe('Local · 16 CPUs · 128 GB RAM · 2 GPUs (NVIDIA A10, 48 GB)');
  });

  it('shows downloads that were already running and their end', async () => {
    jest.useFakeTimers();
    try {
      const client = new FakeClient();
      client.listOperations.mockResolvedValue({ items: [makeOperation({ progress: 0.5, message: 'Halfway' })] });
      client.getOperation.mockResolvedValue(makeOperation({ state: 'SUCCEEDED', progress: 1 }));
      const { props } = setup(client);
      await act(async () => {
        await jest.advanceTimersByTimeAsync(0);
      });
      expect(screen.getByText('Download Qwen/Qwen2.5-0.5B-Instruct')).toBeInTheDocument();
      expect(screen.getByText('Halfway')).toBeInTheDocument();
      await act(async () => {
        await jest.advanceTimersByTimeAsync(1000);
      });
      expect(props.notify).toHaveBeenCalledWith('Download Qwen/Qwen2.5-0.5B-Instruct: done.', 'success');
      expect(screen.queryByText('Halfway')).not.toBeInTheDocument();
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('AquaApp requests at first render', () => {
  it('opens the register dialog when the panel is created by the register command', async () => {
    const client = new FakeClient();
    const props = appProps(client);
    // The command asks before the panel has rendered.
    props.navigator?.navigate({ to: 'register' });
    render(<AquaApp {...props} />);
    expect(screen.getByRole('dialog', { name: 'Register model' })).toBeInTheDocument();
    await screen.findByRole('button', { name: 'Llama 3.1 8B Instruct' });
  });

  it('deploys from a model’s detail and follows the new deployment in Deployments', async () => {
    const client = new FakeClient();
    client.deployments = [];
    client.createDeployment.mockImplementation(async body => {
      const { makeDeployment } = await import('../../test-support/fixtures');
      const deployment = makeDeployment({
        id: 'dep-new',
        name: body.name,
        state: 'CREATING',
        operation_id: 'op-deploy'
      });
      client.deployments = [deployment];
      return {
        deployment,
        operation: makeOperation({ id: 'op-deploy', kind: 'deploy', message: 'Starting the engine' })
      };
    });
    const { props } = setup(client, { onOpenPlayground: jest.fn() });
    fireEvent.click(await screen.findByRole('button', { name: 'Qwen2.5 0.5B Instruct' }));
    const deploy = await screen.findByRole('button', { name: 'Deploy' });
    expect(deploy).toBeEnabled();
    fireEvent.click(deploy);
    const dialog = screen.getByRole('dialog', { name: 'Deploy model' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Deploy' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(screen.getByRole('tab', { name: 'Deployments' })).toHaveAttribute('aria-selected', 'true');
    expect(await screen.findByRole('progressbar', { name: 'Deployment progress' })).toBeInTheDocument();
    expect(screen.getByRole('heading', { name: 'Qwen2.5 0.5B Instruct' })).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Open playground' }));
    expect(props.onOpenPlayground).toHaveBeenCalledWith('dep-new');
  });

  it('opens a deployment from the open-deployments command', async () => {
    const { props } = setup();
    act(() => props.navigator?.navigate({ to: 'deployments', deploymentId: 'dep-1' }));
    expect(await screen.findByRole('heading', { name: 'Qwen chat' })).toBeInTheDocument();
    expect(screen.getByRole('tab', { name: 'Deployments' })).toHaveAttribute('aria-selected', 'true');
  });

  it('shows no Deploy button for a model the server does not allow deploying', async () => {
    const client = new FakeClient();
    client.models = client.models.map(m => ({ ...m, ready_to_deploy: false, actions: ['finetune'] }));
    setup(client);
    fireEvent.click(await screen.findByRole('button', { name: 'Qwen2.5 0.5B Instruct' }));
    expect(await screen.findByRole('button', { name: 'Fine-tune' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Deploy' })).not.toBeInTheDocument();
  });
});
