import * as React from 'react';
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';

import { apiError } from '../../test-support/errors';
import { AquaApp } from '../AquaApp';
import { appProps } from '../../test-support/app';
import type { INotifyOptions } from '../../shared/callbacks';
import { FakeClient, LOCAL_TARGET, makeInfo, makeOperation, ociTarget } from '../../test-support/fixtures';

/** The options of the last notification of `type` (its actions). */
function lastNotified(notify: unknown, type: string): INotifyOptions | undefined {
  const calls = (notify as jest.Mock).mock.calls.filter(call => call[1] === type);
  return calls[calls.length - 1]?.[2];
}

describe('AquaApp: the OCI setup view', () => {
  const scrollIntoView = Element.prototype.scrollIntoView;
  afterEach(() => {
    Element.prototype.scrollIntoView = scrollIntoView;
  });

  it('is offered with an OCI target, replaces the sections while open, and closes', async () => {
    const client = new FakeClient();
    client.getInfo.mockResolvedValue(makeInfo({ targets: [LOCAL_TARGET, ociTarget()] }));
    render(<AquaApp {...appProps(client)} />);
    fireEvent.click(await screen.findByRole('button', { name: 'OCI setup' }));
    expect(await screen.findByText(/2 checks are missing\./)).toBeInTheDocument();
    const models = document.querySelector('.jp-AquaExt-App-section-models') as HTMLElement;
    expect(models).not.toBeVisible();
    fireEvent.click(screen.getByRole('button', { name: 'Close' }));
    expect(screen.queryByText(/2 checks are missing\./)).not.toBeInTheDocument();
    expect(models).toBeVisible();
  });

  it('is not offered without an OCI target', async () => {
    render(<AquaApp {...appProps(new FakeClient())} />);
    expect(await screen.findByText('Local · 2 CPUs · 23 GB RAM · no GPU')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'OCI setup' })).not.toBeInTheDocument();
  });

  it('opens at the check an authorization error names, from the error it links from', async () => {
    const scrolled = jest.fn();
    Element.prototype.scrollIntoView = scrolled;
    const client = new FakeClient();
    client.getInfo.mockResolvedValue(makeInfo({ targets: [LOCAL_TARGET, ociTarget()] }));
    client.listDeployments.mockRejectedValue(
      apiError(502, 'OCI Logging refused this request: NotAuthorizedOrNotFound', {
        requestId: 'req-9',
        setupCheck: 'logging'
      })
    );
    render(<AquaApp {...appProps(client)} />);
    fireEvent.click(screen.getByRole('tab', { name: 'Deployments' }));
    expect(await screen.findByText(/OCI Logging refused this request/)).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Open OCI setup' }));
    expect(await screen.findByText(/2 checks are missing\./)).toBeInTheDocument();
    const focused = document.querySelector('[data-check="logging"]') as HTMLElement;
    expect(focused).toHaveClass('jp-mod-focused');
    expect(focused).toHaveAttribute('aria-current', 'true');
    expect(document.querySelectorAll('.jp-AquaExt-Setup-checks .jp-mod-focused')).toHaveLength(1);
    expect(scrolled).toHaveBeenCalled();
  });

  it('shows no setup link for an error that is no authorization refusal', async () => {
    const client = new FakeClient();
    client.getInfo.mockResolvedValue(makeInfo({ targets: [LOCAL_TARGET, ociTarget()] }));
    client.listDeployments.mockRejectedValue(apiError(502, 'OCI Data Science failed'));
    render(<AquaApp {...appProps(client)} />);
    fireEvent.click(screen.getByRole('tab', { name: 'Deployments' }));
    expect(await screen.findByText(/OCI Data Science failed/)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Open OCI setup' })).not.toBeInTheDocument();
  });

  it('offers the check in the notification of a refused action, and opens the setup view at it', async () => {
    const client = new FakeClient();
    client.getInfo.mockResolvedValue(makeInfo({ targets: [LOCAL_TARGET, ociTarget()] }));
    client.deleteDeployment.mockRejectedValue(
      apiError(404, 'OCI Data Science がこの要求を拒否しました (NotAuthorizedOrNotFound)', { setupCheck: 'models' })
    );
    const props = appProps(client);
    props.navigator?.navigate({ to: 'deployments', deploymentId: 'dep-1' });
    render(<AquaApp {...props} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Delete' }));
    await waitFor(() =>
      expect(props.notify).toHaveBeenCalledWith(expect.stringContaining('がこの要求を拒否しました'), 'error', {
        actions: [expect.objectContaining({ label: 'Open OCI setup' })]
      })
    );
    act(() => lastNotified(props.notify, 'error')?.actions?.[0].callback());
    expect(await screen.findByText(/2 checks are missing\./)).toBeInTheDocument();
    expect(document.querySelector('[data-check="models"]')).toHaveClass('jp-mod-focused');
  });

  it('offers no action in the notification of an error that is no refusal', async () => {
    const client = new FakeClient();
    client.deleteDeployment.mockRejectedValue(apiError(409, '배포가 아직 삭제 중입니다'));
    const props = appProps(client);
    props.navigator?.navigate({ to: 'deployments', deploymentId: 'dep-1' });
    render(<AquaApp {...props} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(props.notify).toHaveBeenCalledWith('배포가 아직 삭제 중입니다', 'error'));
  });

  it('offers the check of a background operation that OCI refused', async () => {
    jest.useFakeTimers();
    try {
      const client = new FakeClient();
      client.getInfo.mockResolvedValue(makeInfo({ targets: [LOCAL_TARGET, ociTarget()] }));
      client.listOperations.mockResolvedValue({ items: [makeOperation({ title: 'Download 한국어/모델' })] });
      client.getOperation.mockResolvedValue(
        makeOperation({
          title: 'Download 한국어/모델',
          state: 'FAILED',
          error: 'OCI Data Science refused this request (NotAuthorizedOrNotFound)',
          setup_check: 'models'
        })
      );
      const props = appProps(client);
      render(<AquaApp {...props} />);
      await act(async () => {
        await jest.advanceTimersByTimeAsync(1000);
      });
      expect(props.notify).toHaveBeenCalledWith(
        'Download 한국어/모델 failed: OCI Data Science refused this request (NotAuthorizedOrNotFound)',
        'error',
        { actions: [expect.objectContaining({ label: 'Open OCI setup' })] }
      );
      act(() => lastNotified(props.notify, 'error')?.actions?.[0].callback());
      await act(async () => {
        await jest.advanceTimersByTimeAsync(0);
      });
      expect(screen.getByText(/2 checks are missing\./)).toBeInTheDocument();
      expect(document.querySelector('[data-check="models"]')).toHaveClass('jp-mod-focused');
    } finally {
      jest.useRealTimers();
    }
  });

  it('gives way to an open dialog when a refused form links to the setup view', async () => {
    const client = new FakeClient();
    client.getInfo.mockResolvedValue(makeInfo({ targets: [LOCAL_TARGET, ociTarget()] }));
    const props = appProps(client);
    props.navigator?.navigate({ to: 'register' });
    render(<AquaApp {...props} />);
    expect(screen.getByRole('dialog', { name: 'Register model' })).toBeInTheDocument();
    act(() => props.navigator?.navigate({ to: 'setup', check: 'models' }));
    expect(screen.queryByRole('dialog', { name: 'Register model' })).not.toBeInTheDocument();
    expect(await screen.findByText(/2 checks are missing\./)).toBeInTheDocument();
    expect(document.querySelector('[data-check="models"]')).toHaveClass('jp-mod-focused');
  });
});
