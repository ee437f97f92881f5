import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import type { IAquaClient } from '../../api/client';
import type { DeploymentDetail, DeploymentMetrics } from '../../api/types';
import { describeError } from '../../shared/errors';
import { startPolling } from '../../shared/polling';
import { formatDuration, formatInteger } from '../../shared/format';
import { isTransitional } from '../../shared/deploymentStates';
import { usePageVisible } from '../../ui/hooks/usePageVisible';
import { idleStopText, metricText, runningForText } from './servingText';

/** How often the metrics are read while the panel is shown. */
export const METRICS_POLL_MS = 5000;

export interface IServingPanelProps {
  client: IAquaClient;
  trans: TranslationBundle;
  detail: DeploymentDetail;
  /** The detail page is the one shown: the metrics are polled only then (and while the tab is visible). */
  active: boolean;
  intervalMs?: number;
  /** The deployment as the server answered a change of its idle stop. */
  onUpdated: (detail: DeploymentDetail) => void;
}

/**
 * A deployment's serving: how long it has run, its idle stop, and while it is
 * ACTIVE its live metrics, the engine's own (vLLM, llama.cpp) beside what this
 * server measured relaying its requests.
 */
export function ServingPanel(props: IServingPanelProps): JSX.Element {
  const { client, trans, detail } = props;
  const intervalMs = props.intervalMs ?? METRICS_POLL_MS;
  const visible = usePageVisible();
  const polling = props.active && visible && detail.state === 'ACTIVE';
  const [metrics, setMetrics] = React.useState<DeploymentMetrics | null>(null);
  const [error, setError] = React.useState<string | null>(null);
  // The running time and the idle countdown move with each answer (and each render).
  const [now, setNow] = React.useState(() => Date.now());

  React.useEffect(() => {
    if (!polling) {
      return;
    }
    return startPolling(async stopped => {
      try {
        const answer = await client.getDeploymentMetrics(detail.id);
        if (!stopped()) {
          setMetrics(answer);
          setError(null);
        }
      } catch (reason) {
        if (!stopped()) {
          setError(describeError(reason, trans));
        }
      }
      if (!stopped()) {
        setNow(Date.now());
      }
      return intervalMs;
    });
  }, [client, detail.id, polling, intervalMs, trans]);

  const shown = detail.state === 'ACTIVE' ? metrics : null;
  // The countdown as of the last read: a request since the detail loaded moves it.
  const facts = shown ? { ...detail, idle_stop_at: shown.idle_stop_at } : detail;
  return (
    <section className="jp-AquaExt-ServingPanel" aria-label={trans.__('Serving')}>
      <h3 className="jp-AquaExt-sectionTitle">{trans.__('Serving')}</h3>
      <dl className="jp-AquaExt-ResourceDetail-facts">
        <dt>{trans.__('Running for')}</dt>
        <dd>{runningForText(facts, now, trans)}</dd>
        <dt>{trans.__('Idle stop')}</dt>
        <dd>
          {idleStopText(facts, now, trans)}{' '}
          {!isTransitional(detail.state) && (
            <IdleStopEditor client={client} trans={trans} detail={detail} onUpdated={props.onUpdated} />
          )}
        </dd>
      </dl>
      {error && (
        <p className="jp-AquaExt-ServingPanel-error" role="alert">
          {trans.__('The metrics could not be read: %1', error)}
        </p>
      )}
      {shown && <MetricsTable metrics={shown} trans={trans} />}
    </section>
  );
}

/** "Change": the idle-stop minutes in place (empty: never); the server checks the range (400 shown here). */
function IdleStopEditor(props: {
  client: IAquaClient;
  trans: TranslationBundle;
  detail: DeploymentDetail;
  onUpdated: (detail: DeploymentDetail) => void;
}): JSX.Element {
  const { client, trans, detail } = props;
  const [value, setValue] = React.useState<string | null>(null);
  const [saving, setSaving] = React.useState(false);
  const [error, setError] = React.useState<string | null>(null);
  if (value === null) {
    return (
      <button
        type="button"
        className="jp-AquaExt-linkButton"
        onClick={() => setValue(detail.idle_stop_minutes === null ? '' : String(detail.idle_stop_minutes))}
      >
        {trans.__('Change')}
      </button>
    );
  }
  const save = async (event: React.FormEvent): Promise<void> => {
    event.preventDefault();
    setSaving(true);
    try {
      const text = value.trim();
      const updated = await client.updateDeployment(detail.id, { idle_stop_minutes: text ? Number(text) : null });
      props.onUpdated(updated);
      setValue(null);
      setError(null);
    } catch (reason) {
      setError(describeError(reason, trans));
    } finally {
      setSaving(false);
    }
  };
  return (
    <form className="jp-AquaExt-ServingPanel-idleForm" onSubmit={event => void save(event)}>
      <input
        className="jp-mod-styled jp-AquaExt-input jp-AquaExt-narrowInput"
        type="number"
        min={1}
        step={1}
        value={value}
        aria-label={trans.__('Idle minutes before it stops (empty: never)')}
        disabled={saving}
        onChange={event => setValue(event.target.value)}
      />
      <button type="submit" className="jp-mod-styled jp-AquaExt-button" disabled={saving}>
        {trans.__('Save')}
      </button>
      <button type="button" className="jp-mod-styled jp-AquaExt-button" onClick={() => setValue(null)}>
        {trans.__('Cancel')}
      </button>
      {error && (
        <span className="jp-AquaExt-ServingPanel-error" role="alert">
          {error}
        </span>
      )}
    </form>
  );
}

function MetricsTable(props: { metrics: DeploymentMetrics; trans: TranslationBundle }): JSX.Element {
  const { metrics, trans } = props;
  const { engine, proxy } = metrics;
  const windowText = formatDuration(proxy.window_s, trans);
  // [what, the engine's value, this server's value]: a dash where one side does not measure it.
  const rows: [string, string, string][] = [
    [trans.__('Requests running'), metricText(engine?.requests_running, ''), metricText(proxy.in_flight, '')],
    [trans.__('Requests waiting'), metricText(engine?.requests_waiting, ''), '—'],
    [trans.__('KV cache in use'), metricText(engine?.kv_cache_usage, '%'), '—'],
    [
      trans.__('Tokens per second'),
      metricText(engine?.tokens_per_s, 'tokens/s'),
      metricText(proxy.tokens_per_s, 'tokens/s')
    ],
    [
      trans.__('Time to first token, median'),
      metricText(engine?.ttft_p50_ms, 'ms'),
      metricText(proxy.ttft_p50_ms, 'ms')
    ],
    [
      trans.__('Time to first token, 95th percentile'),
      metricText(engine?.ttft_p95_ms, 'ms'),
      metricText(proxy.ttft_p95_ms, 'ms')
    ]
  ];
  return (
    <>
      <table className="jp-AquaExt-ServingPanel-metrics">
        <thead>
          <tr>
            <th />
            <th scope="col">{trans.__('Engine')}</th>
            <th scope="col">{trans.__('Through this server')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([label, engineValue, proxyValue]) => (
            <tr key={label}>
              <th scope="row">{label}</th>
              <td>{engineValue}</td>
              <td>{proxyValue}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="jp-AquaExt-formField-hint">
        {trans.__(
          'Through this server: %1 requests in the last %2 (%3 since it started), tokens per second over the last minute.',
          formatInteger(proxy.requests_in_window),
          windowText,
          formatInteger(proxy.requests_total)
        )}{' '}
        {proxy.last_request_age_s !== null &&
          trans.__('Last request %1 ago.', formatDuration(proxy.last_request_age_s, trans))}
      </p>
      {engine === null && metrics.engine_note && <p className="jp-AquaExt-formField-hint">{metrics.engine_note}</p>}
    </>
  );
}
