import type { FineTuneMetrics } from '../../../api/types';
import { appendMetrics, chartData, curveCounts, EMPTY_SERIES, latestLosses, metricsQuery, valuesAt } from '../metrics';
import { metricPoint } from '../../../test-support/fixtures';

function answer(
  points: FineTuneMetrics['points'],
  cursor: number,
  state: FineTuneMetrics['state'] = 'IN_PROGRESS'
): FineTuneMetrics {
  return { points, cursor, state };
}

describe('metric series', () => {
  it('asks for everything first, then only what came after the cursor', () => {
    expect(metricsQuery(EMPTY_SERIES)).toEqual({ after: 0 });
    const first = appendMetrics(EMPTY_SERIES, answer([metricPoint(10), metricPoint(20)], 2), { after: 0 });
    expect(first.points.map(p => p.step)).toEqual([10, 20]);
    expect(metricsQuery(first)).toEqual({ after: 2 });

    const second = appendMetrics(first, answer([metricPoint(30)], 3), metricsQuery(first));
    expect(second.points.map(p => p.step)).toEqual([10, 20, 30]);
    expect(second.cursor).toBe(3);

    // Nothing new: the same points, the same cursor, the newest state.
    const quiet = appendMetrics(second, answer([], 3, 'SUCCEEDED'), metricsQuery(second));
    expect(quiet.points).toHaveLength(3);
    expect(quiet.state).toBe('SUCCEEDED');
    // The first series is not changed in place.
    expect(first.points).toHaveLength(2);
  });

  it('starts over when the cursor goes back', () => {
    const series = appendMetrics(EMPTY_SERIES, answer([metricPoint(10), metricPoint(20), metricPoint(30)], 3), {
      after: 0
    });
    const reset = appendMetrics(series, answer([metricPoint(5)], 1), { after: 3 });
    expect(reset.points.map(p => p.step)).toEqual([5]);
    expect(reset.cursor).toBe(1);
  });

  it('shapes step-aligned columns for the chart: train and validation merged by step', () => {
    const data = chartData([
      metricPoint(20, { train_loss: 1.8 }),
      metricPoint(10, { train_loss: 1.9 }),
      metricPoint(20, { train_loss: null, validation_loss: 1.5 }),
      metricPoint(30, { train_loss: null, validation_loss: null }),
      metricPoint(40, { train_loss: 1.2 })
    ]);
    // Step 30 logged no loss (only a learning rate): no column.
    expect(data[0]).toEqual([10, 20, 40]);
    expect(data[1]).toEqual([1.9, 1.8, 1.2]);
    expect(data[2]).toEqual([null, 1.5, null]);
    expect(curveCounts(data)).toEqual({ train: 3, validation: 1 });
    expect(chartData([])).toEqual([[], [], []]);
    expect(valuesAt(data, 1)).toEqual({ step: 20, train: 1.8, validation: 1.5 });
    expect(valuesAt(data, null)).toBeNull();
    expect(valuesAt(data, 9)).toBeNull();
  });

  it('finds the latest losses and the best validation loss', () => {
    const latest = latestLosses([
      metricPoint(10, { train_loss: 1.9 }),
      metricPoint(20, { train_loss: null, validation_loss: 1.4 }),
      metricPoint(30, { train_loss: 1.7 }),
      metricPoint(40, { train_loss: null, validation_loss: 1.6 })
    ]);
    expect(latest.train).toEqual({ step: 30, value: 1.7 });
    expect(latest.validation).toEqual({ step: 40, value: 1.6 });
    expect(latest.bestValidation).toEqual({ step: 20, value: 1.4 });
    expect(latestLosses([])).toEqual({ train: null, validation: null, bestValidation: null });
  });
});
