import * as React from 'react';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';

import { ServingPanel, METRICS_POLL_MS, type IServingPanelProps } from '../ServingPanel';
import { idleStopText, metricText, runningForText } from '../servingText';
import { advance } from '../../../test-support/sections';
import { renderWithProps } from '../../../test-support/render';
import { FakeClient, makeDeployment, makeDeploymentMetrics } from '../../../test-support/fixtures';
import { trans } from '../../../test-support/trans';

const NOW = Date.parse('2026-11-21T12:00:00Z');

describe('serving facts as text', () => {
  it('says how long it has run, or why it cannot', () => {
    const active = makeDeployment({ active_since: '2026-11-21T09:55:00Z' });
    expect(runningForText(active, NOW, trans)).toMatch(/^2 h 5 min \(since /);
    expect(runningForText({ ...active, active_since: null }, NOW, trans)).toBe(
      'Serving (this server did not see it start)'
    );
    expect(runningForText({ ...active, state: 'INACTIVE' }, NOW, trans)).toBe('Not running');
  });

  it('says the idle stop, its countdown, and when it has no clock', () => {
    const base = makeDeployment({ name: '한국어 チャット', idle_stop_minutes: 30 });
    expect(idleStopText({ ...base, idle_stop_minutes: null }, NOW, trans)).toBe(
      'Off: it serves until it is deactivated'
    );
    expect(idleStopText({ ...base, idle_stop_at: '2026-11-21T12:12:00Z' }, NOW, trans)).toMatch(
      /^After 30 idle minutes: stops in 12 min \(.+\) unless a request comes$/
    );
    expect(idleStopText(base, NOW, trans)).toMatch(/^After 30 idle minutes: counting starts/);
    expect(idleStopText({ ...base, state: 'INACTIVE', idle_stop_minutes: 1 }, NOW, trans)).toBe('After 1 idle minute');
  });

  it('writes metrics with their unit, a dash for none', () => {
    expect(metricText(0.1875, '%')).toBe('19 %');
    expect(metricText(42.25, 'tokens/s')).toBe('42.3 tokens/s');
    expect(metricText(3, '')).toBe('3');
    expect(metricText(null, 'ms')).toBe('—');
  });
});

function setup(overrides: Partial<IServingPanelProps> = {}, client = new FakeClient()) {
  const props: IServingPanelProps = {
    client,
    trans,
    detail: makeDeployment({ engine: 'vllm', idle_stop_minutes: 15, active_since: '2026-11-21T10:00:00Z' }),
    active: true,
    onUpdated: jest.fn(),
    ...overrides
  };
  return { client, ...renderWithProps(ServingPanel, props) };
}

describe('ServingPanel', () => {
  afterEach(() => jest.useRealTimers());

  it('shows the engine’s metrics beside the proxy’s, read every 5 s while shown', async () => {
    jest.useFakeTimers();
    const { client } = setup();
    const table = await screen.findByRole('table');
    const row = (name: string) => within(table).getByRole('row', { name: new RegExp(`^${name}`) });
    expect(row('Requests running')).toHaveTextContent('31');
    expect(row('KV cache in use')).toHaveTextContent('19 %');
    expect(row('Tokens per second')).toHaveTextContent('42.5 tokens/s38.2 tokens/s');
    expect(row('Time to first token, median')).toHaveTextContent('60 ms71.5 ms');
    expect(screen.getByText(/5 requests in the last 5 min \(12 since it started\)/)).toBeInTheDocument();
    expect(client.getDeploymentMetrics).toHaveBeenCalledTimes(1);
    expect(client.getDeploymentMetrics).toHaveBeenLastCalledWith('dep-1');
    await advance(METRICS_POLL_MS);
    expect(client.getDeploymentMetrics).toHaveBeenCalledTimes(2);
  });

  it('follows the idle countdown of the last read', async () => {
    const client = new FakeClient();
    const at = new Date(Date.now() + 10 * 60_000).toISOString();
    client.getDeploymentMetrics.mockResolvedValue(makeDeploymentMetrics('dep-1', { idle_stop_at: at }));
    setup({}, client);
    expect(await screen.findByText(/^After 15 idle minutes: stops in (9|10) min/)).toBeInTheDocument();
  });

  it('says why an engine has no metrics', async () => {
    const client = new FakeClient();
    client.getDeploymentMetrics.mockResolvedValue(
      makeDeploymentMetrics('dep-1', {
        engine: null,
        engine_note: 'No engine metrics: this engine exposes no Prometheus /metrics to this server.'
      })
    );
    setup({}, client);
    expect(await screen.findByText(/this engine exposes no Prometheus/)).toBeInTheDocument();
    expect(screen.getByRole('row', { name: /^Requests running/ })).toHaveTextContent('—1');
  });

  it('does not poll while hidden, nor a deployment that is not running', async () => {
    jest.useFakeTimers();
    const { client, rerender, props } = setup({ active: false });
    await advance(METRICS_POLL_MS * 3);
    expect(client.getDeploymentMetrics).not.toHaveBeenCalled();
    rerender(<ServingPanel {...props} detail={makeDeployment({ state: 'INACTIVE' })} active={true} />);
    await advance(METRICS_POLL_MS * 3);
    expect(client.getDeploymentMetrics).not.toHaveBeenCalled();
    expect(screen.getByText('Not running')).toBeInTheDocument();
    expect(screen.getByText('Off: it serves until it is deactivated')).toBeInTheDocument();
    rerender(<ServingPanel {...props} active={true} />);
    await waitFor(() => expect(client.getDeploymentMetrics).toHaveBeenCalledTimes(1));
  });

  it('says when the metrics cannot be read', async () => {
    const client = new FakeClient();
    client.getDeploymentMetrics.mockRejectedValue(new Error('network down'));
    setup({}, client);
    expect(await screen.findByRole('alert')).toHaveTextContent('The metrics could not be read');
  });

  it('changes the idle stop in place, and shows the server’s refusal', async () => {
    const { client, props } = setup();
    fireEvent.click(screen.getByRole('button', { name: 'Change' }));
    const input = screen.getByRole('spinbutton', { name: 'Idle minutes before it stops (empty: never)' });
    expect(input).toHaveValue(15);
    client.updateDeployment.mockRejectedValueOnce(new Error('idle_stop_minutes: must be at least 5'));
    fireEvent.change(input, { target: { value: '3' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText(/must be at least 5/)).toBeInTheDocument();
    expect(client.updateDeployment).toHaveBeenLastCalledWith('dep-1', { idle_stop_minutes: 3 });
    fireEvent.change(input, { target: { value: '' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(props.onUpdated).toHaveBeenCalledTimes(1));
    expect(client.updateDeployment).toHaveBeenLastCalledWith('dep-1', { idle_stop_minutes: null });
    expect((props.onUpdated as jest.Mock).mock.calls[0][0]).toMatchObject({ id: 'dep-1', idle_stop_minutes: null });
    expect(screen.getByRole('button', { name: 'Change' })).toBeInTheDocument();
  });

  it('offers no change while the deployment is changing', () => {
    setup({ detail: makeDeployment({ state: 'UPDATING', idle_stop_minutes: 15 }) });
    expect(screen.queryByRole('button', { name: 'Change' })).toBeNull();
  });
});
