import * as React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';

import { AquaApp } from '../AquaApp';
import { appProps } from '../../test-support/app';
import { FakeClient, LOCAL_TARGET, makeInfo, ociTarget } from '../../test-support/fixtures';

describe('AquaApp: the OCI setup view', () => {
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
});
