/**
 * The live train and validation loss curves.
 *
 * Drawn with uPlot (the `uplot` npm package): about 50 KB, canvas-based and
 * built for time series that grow — `setData` on each poll redraws thousands
 * of points in well under a millisecond, without a virtual DOM per point as
 * SVG chart libraries have. It is loaded lazily (its own chunk), the first time
 * a job's detail shows, so JupyterLab's start-up does not pay for it. Its
 * colors come from the theme's --jp-* variables (read when the chart is built,
 * and again when the theme changes); the validation curve is also dashed with
 * point markers, so the two curves differ without color (high contrast).
 */
import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';
import type uPlot from 'uplot';

import type { MetricPoint } from '../../api/types';
import { formatLoss } from './format';
import { chartData, curveCounts, latestLosses, valuesAt, type LossChartData } from './metrics';
import { useLatest } from '../../ui/hooks/useLatest';
import { chartTheme, useUPlotChart, type IChartTheme } from '../../ui/uplotSupport';
import { ChartPlotArea } from '../../ui/ChartPlotArea';

export interface ILossChartProps {
  points: readonly MetricPoint[];
  trans: TranslationBundle;
  /** The job still runs: an empty chart says the first losses are coming. */
  running: boolean;
  /** Plot height in pixels (default 240). */
  height?: number;
}

const STEP_INCREMENTS = [1, 2, 5].flatMap(m => [1, 10, 100, 1000, 10000, 100000].map(p => m * p)).sort((a, b) => a - b);

function chartOptions(
  width: number,
  height: number,
  theme: IChartTheme,
  trans: TranslationBundle,
  onCursor: (index: number | null) => void
): uPlot.Options {
  const axis = (label: string, size: number): uPlot.Axis => ({
    label,
    size,
    stroke: theme.text,
    font: theme.font,
    labelFont: theme.font,
    labelSize: 18,
    grid: { stroke: theme.grid, width: 1 },
    ticks: { stroke: theme.grid, width: 1 }
  });
  const train = theme.read('--jp-brand-color1', 'steelblue');
  const validation = theme.read('--jp-warn-color1', 'darkorange');
  return {
    width,
    height,
    legend: { show: false },
    // Live data redraws with its own scales: no drag-zoom that the next poll would undo.
    cursor: { drag: { x: false, y: false, setScale: false }, points: { size: 7 } },
    scales: { x: { time: false } },
    // Steps are whole numbers: ticks at 1, 2, 5 × 10^n only, never at 2.5.
    axes: [{ ...axis(trans.__('Step'), 40), incrs: STEP_INCREMENTS }, axis(trans.__('Loss'), 56)],
    series: [
      { label: trans.__('Step') },
      { label: trans.__('Train loss'), stroke: train, width: 2, spanGaps: true },
      {
        label: trans.__('Validation loss'),
        stroke: validation,
        width: 2,
        dash: [6, 4],
        spanGaps: true,
        points: { show: true, size: 6, fill: validation, stroke: validation }
      }
    ],
    hooks: {
      setCursor: [
        self => {
          const index = self.cursor.idx;
          onCursor(index === undefined ? null : index);
        }
      ]
    }
  };
}

/**
 * The loss curves with their legend: the values under the cursor, or the
 * latest ones. `data-train-points` and `data-validation-points` on the
 * figure count what is drawn (browser tests watch them grow).
 */
export function LossChart(props: ILossChartProps): JSX.Element {
  const { trans, points } = props;
  const height = props.height ?? 240;
  const [cursorIndex, setCursorIndex] = React.useState<number | null>(null);
  const data = React.useMemo(() => chartData(points), [points]);
  const dataRef = useLatest<LossChartData>(data);
  const latest = React.useMemo(() => latestLosses(points), [points]);
  const counts = curveCounts(data);
  const empty = data[0].length === 0;

  // Built once it has a width (and again with the theme's new colors); the curves then grow in it.
  const chart = useUPlotChart({
    height,
    rebuildKey: trans,
    build: (_UPlot, host, width) => ({
      options: chartOptions(width, height, chartTheme(host), trans, setCursorIndex),
      data: dataRef.current as uPlot.AlignedData
    })
  });

  // The curves grow: new columns, same chart.
  React.useEffect(() => {
    chart.chartRef.current?.setData(data as uPlot.AlignedData);
  }, [data, chart.chartRef]);

  const hovered = valuesAt(data, cursorIndex);
  const trainText = hovered ? formatLoss(hovered.train) : latest.train ? formatLoss(latest.train.value) : '—';
  const validationText = hovered
    ? formatLoss(hovered.validation)
    : latest.validation
      ? formatLoss(latest.validation.value)
      : '—';
  const summary = empty
    ? trans.__('Loss curves: no loss logged yet.')
    : trans.__(
        'Loss curves: %1 train points, %2 validation points; latest train loss %3, latest validation loss %4.',
        counts.train,
        counts.validation,
        latest.train ? formatLoss(latest.train.value) : '—',
        latest.validation ? formatLoss(latest.validation.value) : '—'
      );

  return (
    <figure
      className="jp-AquaExt-LossChart"
      role="img"
      aria-label={summary}
      data-train-points={counts.train}
      data-validation-points={counts.validation}
    >
      <figcaption className="jp-AquaExt-Chart-legend">
        <span className="jp-AquaExt-Chart-key jp-AquaExt-LossChart-key-train">
          <span className="jp-AquaExt-LossChart-swatch jp-AquaExt-LossChart-swatch-train" aria-hidden="true" />
          {trans.__('Train loss')} <strong className="jp-AquaExt-LossChart-value">{trainText}</strong>
        </span>
        <span className="jp-AquaExt-Chart-key jp-AquaExt-LossChart-key-validation">
          <span className="jp-AquaExt-LossChart-swatch jp-AquaExt-LossChart-swatch-validation" aria-hidden="true" />
          {trans.__('Validation loss')} <strong className="jp-AquaExt-LossChart-value">{validationText}</strong>
        </span>
        <span className="jp-AquaExt-LossChart-step">
          {hovered
            ? trans.__('at step %1', hovered.step.toLocaleString())
            : latest.bestValidation
              ? trans.__(
                  'best validation %1 at step %2',
                  formatLoss(latest.bestValidation.value),
                  latest.bestValidation.step.toLocaleString()
                )
              : ''}
        </span>
      </figcaption>
      <ChartPlotArea
        chart={chart}
        height={height}
        emptyText={
          !empty
            ? null
            : props.running
              ? trans.__('Waiting for the first logged loss…')
              : trans.__('No loss was logged for this job.')
        }
        loadErrorText={trans.__('The chart could not be drawn here; the latest values are above.')}
      />
    </figure>
  );
}
