/**
 * The words of a deployment's serving facts (how long it has run, its idle
 * stop) and of its metrics, kept free of React so they are tested as text.
 */
import type { TranslationBundle } from '@jupyterlab/translation';

import type { DeploymentDetail } from '../../api/types';
import { formatDateTime, formatDuration } from '../../shared/format';

type ServingFacts = Pick<DeploymentDetail, 'state' | 'active_since' | 'idle_stop_minutes' | 'idle_stop_at'>;

/** "2 h 5 min (since Nov 21, 2026, 10:00 AM)"; why there is no such time otherwise. */
export function runningForText(detail: ServingFacts, nowMs: number, trans: TranslationBundle): string {
  if (detail.state !== 'ACTIVE') {
    return trans.__('Not running');
  }
  if (!detail.active_since) {
    return trans.__('Serving (this server did not see it start)');
  }
  const seconds = (nowMs - Date.parse(detail.active_since)) / 1000;
  return trans.__('%1 (since %2)', formatDuration(Math.max(0, seconds), trans), formatDateTime(detail.active_since));
}

/** The idle stop setting, and when it will act if no request comes. */
export function idleStopText(detail: ServingFacts, nowMs: number, trans: TranslationBundle): string {
  const minutes = detail.idle_stop_minutes;
  if (minutes === null) {
    return trans.__('Off: it serves until it is deactivated');
  }
  const setting = trans._n('After %1 idle minute', 'After %1 idle minutes', minutes);
  if (detail.state !== 'ACTIVE') {
    return setting;
  }
  if (!detail.idle_stop_at) {
    return trans.__('%1: counting starts when a request through this server ends (one may be running now)', setting);
  }
  const left = (Date.parse(detail.idle_stop_at) - nowMs) / 1000;
  return trans.__(
    '%1: stops in %2 (%3) unless a request comes',
    setting,
    formatDuration(Math.max(0, left), trans),
    formatDateTime(detail.idle_stop_at)
  );
}

/** A number for the metrics table: "—" for none. */
export function metricText(value: number | null | undefined, unit: 'ms' | 'tokens/s' | '%' | '', digits = 1): string {
  if (value === null || value === undefined || !Number.isFinite(value)) {
    return '—';
  }
  if (unit === '%') {
    return `${(value * 100).toFixed(0)} %`;
  }
  const text = Number.isInteger(value) ? String(value) : value.toFixed(digits);
  return unit ? `${text} ${unit}` : text;
}
