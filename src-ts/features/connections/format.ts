/** A connection's figures as short labels: a test's latency, its last test, its key. */
import type { TranslationBundle } from '@jupyterlab/translation';

import type { ConnectionSummary } from '../../api/types';

/** "312 ms", "1.25 s", or "—" when nothing answered. */
export function formatLatency(ms: number | null, trans: TranslationBundle): string {
  if (ms === null || !Number.isFinite(ms)) {
    return trans.__('—');
  }
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** The list's "last test" cell: never tested, or OK / failed with its status and latency (when it ran is shown under it). */
export function lastTestText(connection: ConnectionSummary, trans: TranslationBundle): string {
  const test = connection.last_test;
  if (!test) {
    return trans.__('Not tested');
  }
  const verdict = test.ok ? trans.__('OK') : trans.__('Failed');
  const status = test.status_code === null ? trans.__('no answer') : String(test.status_code);
  return `${verdict} · ${status} · ${formatLatency(test.latency_ms, trans)}`;
}

/** The models cell: the default first, then the others; "—" when none is typed or listed. */
export function modelsText(connection: ConnectionSummary): string {
  const models = connection.default_model
    ? [connection.default_model, ...connection.models.filter(model => model !== connection.default_model)]
    : connection.models;
  return models.length > 0 ? models.join(', ') : '—';
}
