/**
 * A job's loss curves as they grow: `GET finetunes/{id}/metrics?after=<cursor>`
 * every couple of seconds while the job runs, each answer appended; one
 * answer after the job finished brings the last points, then polling stops.
 */
import * as React from 'react';

import type { IAquaClient } from '../../api/client';
import { appendMetrics, EMPTY_SERIES, metricsQuery, type IMetricSeries } from './metrics';
import { isFinal } from '../../shared/jobStates';
import { startPolling } from '../../shared/polling';

/** Delay between two metric polls. */
export const METRICS_POLL_MS = 2000;

export interface IFineTuneMetricsState {
  series: IMetricSeries;
  /** The last poll's error; the points fetched before stay shown. */
  error: unknown;
}

export function useFineTuneMetrics(
  client: IAquaClient,
  finetuneId: string,
  options: { active: boolean; intervalMs?: number }
): IFineTuneMetricsState {
  const [series, setSeries] = React.useState<IMetricSeries>(EMPTY_SERIES);
  const [error, setError] = React.useState<unknown>(null);
  const seriesRef = React.useRef<IMetricSeries>(EMPTY_SERIES);
  const intervalMs = options.intervalMs ?? METRICS_POLL_MS;

  // Another job: start over.
  React.useEffect(() => {
    seriesRef.current = EMPTY_SERIES;
    setSeries(EMPTY_SERIES);
    setError(null);
  }, [finetuneId]);

  React.useEffect(() => {
    if (!options.active) {
      return;
    }
    return startPolling(async stopped => {
      const current = seriesRef.current;
      if (current.state !== null && isFinal(current.state)) {
        return null;
      }
      const query = metricsQuery(current);
      try {
        const answer = await client.getFineTuneMetrics(finetuneId, query);
        if (stopped()) {
          return null;
        }
        seriesRef.current = appendMetrics(seriesRef.current, answer, query);
        setSeries(seriesRef.current);
        setError(null);
        return isFinal(answer.state) ? null : intervalMs;
      } catch (reason) {
        if (stopped()) {
          return null;
        }
        setError(reason);
        return intervalMs;
      }
    });
  }, [client, finetuneId, options.active, intervalMs]);

  return { series, error };
}
