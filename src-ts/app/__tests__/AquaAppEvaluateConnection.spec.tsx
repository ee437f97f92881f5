import * as React from 'react';
import { act, fireEvent, render, screen, within } from '@testing-library/react';

import { AquaApp } from '../AquaApp';
import { appProps } from '../../test-support/app';
import { FakeClient, makeConnection } from '../../test-support/fixtures';

describe('AquaApp: evaluating a connection', () => {
  it('opens the evaluation form with the connection chosen from its row in Connections', async () => {
    const client = new FakeClient();
    client.connections = [makeConnection({ id: 'conn-1', name: '사내 GPT 서비스' })];
    render(<AquaApp {...appProps(client)} />);
    fireEvent.click(screen.getByRole('tab', { name: 'Connections' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Evaluate: 사내 GPT 서비스' }));
    const dialog = await screen.findByRole('dialog', { name: 'New evaluation' });
    expect(await within(dialog).findByText('Evaluate “사내 GPT 서비스”')).toBeInTheDocument();
    expect(within(dialog).getByRole('radio', { name: /A connection/ })).toBeChecked();
    expect((within(dialog).getByLabelText('Connection') as HTMLSelectElement).value).toBe('conn-1');
  });

  it('opens it from the new-evaluation command with a connection', async () => {
    const client = new FakeClient();
    client.connections = [makeConnection({ id: 'conn-2', name: '日本語チャット' })];
    const props = appProps(client);
    render(<AquaApp {...props} />);
    await act(async () => {
      props.navigator?.navigate({ to: 'evaluations', newEvaluation: true, connectionId: 'conn-2' });
    });
    const dialog = await screen.findByRole('dialog', { name: 'New evaluation' });
    expect(await within(dialog).findByText('Evaluate “日本語チャット”')).toBeInTheDocument();
    expect(screen.getByRole('tab', { name: 'Evaluations' })).toHaveAttribute('aria-selected', 'true');
  });
});
