/**
 * The live loss curves without React: the points fetched so far and the
 * server's cursor (poll `metrics?after=<cursor>` for only the points logged
 * since), and the columns a chart draws from them.
 */
import type { FineTuneMetrics, FineTuneState, MetricPoint, MetricsQuery } from '../../api/types';

export interface IMetricSeries {
  points: MetricPoint[];
  /** Pass as `after` for what comes next (0 before the first answer). */
  cursor: number;
  /** The job's state as of the last answer; null before the first one. */
  state: FineTuneState | null;
}

export const EMPTY_SERIES: IMetricSeries = Object.freeze({ points: [], cursor: 0, state: null }) as IMetricSeries;

/** The next request: everything after the cursor (the whole series the first time). */
export function metricsQuery(series: IMetricSeries): MetricsQuery {
  return { after: series.cursor };
}

/**
 * Fold an answer into the series: an answer to `after=N` appends its points.
 * A first answer, or a cursor that went back (the job's metrics were
 * rewritten), replaces them.
 */
export function appendMetrics(series: IMetricSeries, answer: FineTuneMetrics, query: MetricsQuery): IMetricSeries {
  const after = query.after ?? 0;
  const restart = after === 0 || answer.cursor < series.cursor;
  return {
    points: restart ? [...answer.points] : [...series.points, ...answer.points],
    cursor: answer.cursor,
    state: answer.state
  };
}

/**
 * The columns of a step-indexed chart: steps ascending, and per step the
 * train loss and the validation loss (null where that step logged none).
 * Points of the same step merge; the last value logged for a step wins.
 */
export type LossChartData = [number[], Array<number | null>, Array<number | null>];

export function chartData(points: readonly MetricPoint[]): LossChartData {
  const byStep = new Map<number, { train: number | null; validation: number | null }>();
  for (const point of points) {
    if (!Number.isFinite(point.step)) {
      continue;
    }
    const row = byStep.get(point.step) ?? { train: null, validation: null };
    if (isNumber(point.train_loss)) {
      row.train = point.train_loss;
    }
    if (isNumber(point.validation_loss)) {
      row.validation = point.validation_loss;
    }
    byStep.set(point.step, row);
  }
  const steps = [...byStep.keys()]
    .filter(step => {
      const row = byStep.get(step)!;
      return row.train !== null || row.validation !== null;
    })
    .sort((a, b) => a - b);
  return [steps, steps.map(step => byStep.get(step)!.train), steps.map(step => byStep.get(step)!.validation)];
}

/** How many points each curve has (what a test or a screen reader wants to know). */
export function curveCounts(data: LossChartData): { train: number; validation: number } {
  return {
    train: data[1].filter(value => value !== null).length,
    validation: data[2].filter(value => value !== null).length
  };
}

export interface ILatestLosses {
  train: { step: number; value: number } | null;
  validation: { step: number; value: number } | null;
  /** The lowest validation loss so far. */
  bestValidation: { step: number; value: number } | null;
}

/** The newest train and validation losses, and the best validation loss. */
export function latestLosses(points: readonly MetricPoint[]): ILatestLosses {
  let train: ILatestLosses['train'] = null;
  let validation: ILatestLosses['validation'] = null;
  let best: ILatestLosses['bestValidation'] = null;
  for (const point of points) {
    if (isNumber(point.train_loss) && (!train || point.step >= train.step)) {
      train = { step: point.step, value: point.train_loss };
    }
    if (isNumber(point.validation_loss)) {
      if (!validation || point.step >= validation.step) {
        validation = { step: point.step, value: point.validation_loss };
      }
      if (!best || point.validation_loss < best.value) {
        best = { step: point.step, value: point.validation_loss };
      }
    }
  }
  return { train, validation, bestValidation: best };
}

/** The values at one column of the chart (the cursor's), or null past the ends. */
export function valuesAt(
  data: LossChartData,
  index: number | null | undefined
): { step: number; train: number | null; validation: number | null } | null {
  if (index === null || index === undefined || index < 0 || index >= data[0].length) {
    return null;
  }
  return { step: data[0][index], train: data[1][index], validation: data[2][index] };
}

function isNumber(value: number | null | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
