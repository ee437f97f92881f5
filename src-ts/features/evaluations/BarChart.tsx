/**
 * Grouped bars: per category in an evaluation's detail, per metric in the
 * comparison.
 *
 * Drawn with uPlot, the library the loss curves already use, through its own
 * bars path builder (`uPlot.paths.bars`): no second chart library in the
 * bundle, the same lazily loaded chunk, the same theme colors. Each bar has
 * its own x slot (`evaluations/bars.ts`), which is how uPlot's single shared x
 * axis draws groups. The chart is an image for assistive technology: its
 * label says every value, and the tables next to it hold the same numbers.
 */
import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';
import type uPlot from 'uplot';

import { barLayout, yRange, type IBarSeries } from './bars';
import { useLatest } from '../../ui/hooks/useLatest';
import { chartTheme, useUPlotChart } from '../../ui/uplotSupport';
import { ChartPlotArea } from '../../ui/ChartPlotArea';

/** The theme's series colors, in order (a ninth series starts over). */
const PALETTE = [
  ['--jp-brand-color1', 'steelblue'],
  ['--jp-warn-color1', 'darkorange'],
  ['--jp-success-color1', 'seagreen'],
  ['--jp-error-color1', 'firebrick'],
  ['--jp-info-color1', 'teal'],
  ['--jp-brand-color3', 'lightsteelblue'],
  ['--jp-warn-color3', 'navajowhite'],
  ['--jp-success-color3', 'lightgreen']
] as const;

/** The CSS variable behind series `index`'s color (the legend's swatch uses it too). */
export function seriesColorVar(index: number): string {
  return PALETTE[index % PALETTE.length][0];
}

export interface IBarChartProps {
  /** The groups along x (categories, or metrics). */
  groups: readonly string[];
  /** One bar per group each (metrics, or evaluations). */
  series: readonly IBarSeries[];
  /** A fixed top of the y axis (1 for 0–1 scores, 100 for 0–100); null: from the data. */
  max: number | null;
  /** How a value is written (the label and the axis). */
  format: (value: number) => string;
  /** What the chart shows, first words of its accessible label. */
  title: string;
  trans: TranslationBundle;
  height?: number;
  className?: string;
}

export function BarChart(props: IBarChartProps): JSX.Element {
  const { groups, series, trans } = props;
  const height = props.height ?? 220;
  const layout = React.useMemo(() => barLayout(groups.length, series), [groups.length, series]);
  const range = React.useMemo(() => yRange(props.max, series), [props.max, series]);
  const formatRef = useLatest(props.format);
  // The chart is rebuilt when the data (dataKey), the theme or the height change.
  const dataKey = JSON.stringify([groups, series.map(item => [item.label, item.values]), props.max]);
  const chart = useUPlotChart({
    height,
    rebuildKey: dataKey,
    empty: groups.length === 0,
    build: (UPlot, host, width) => {
      const { read, text, grid, font } = chartTheme(host);
      const bars = UPlot.paths?.bars?.({ size: [0.9, 64], gap: 1 });
      const labels = [...groups];
      const centers = layout.centers;
      const options: uPlot.Options = {
        width,
        height,
        legend: { show: false },
        cursor: { show: false },
        select: { show: false, left: 0, top: 0, width: 0, height: 0 },
        scales: {
          x: { time: false, range: () => layout.range },
          y: { range: () => range }
        },
        axes: [
          {
            stroke: text,
            font,
            grid: { show: false },
            ticks: { show: false },
            splits: () => centers,
            values: (_u, splits) => splits.map(value => labels[centers.indexOf(value)] ?? '')
          },
          {
            stroke: text,
            font,
            size: 56,
            grid: { stroke: grid, width: 1 },
            ticks: { stroke: grid, width: 1 },
            values: (_u, splits) => splits.map(value => formatRef.current(value))
          }
        ],
        series: [
          {},
          ...series.map((item, index) => {
            const color = read(PALETTE[index % PALETTE.length][0], PALETTE[index % PALETTE.length][1]);
            return { label: item.label, stroke: color, fill: color, width: 0, paths: bars, points: { show: false } };
          })
        ]
      };
      return { options, data: [layout.x, ...layout.ys] as uPlot.AlignedData };
    }
  });

  const summary = `${props.title}: ${groups
    .map(
      (group, g) =>
        `${group} — ${series.map(item => `${item.label} ${valueText(item.values[g], props.format)}`).join(', ')}`
    )
    .join('; ')}`;

  return (
    <figure
      className={`jp-AquaExt-BarChart${props.className ? ` ${props.className}` : ''}`}
      role="img"
      aria-label={summary}
      data-groups={groups.length}
      data-series={series.length}
    >
      {series.length > 1 && (
        <figcaption className="jp-AquaExt-Chart-legend jp-AquaExt-BarChart-legend">
          {series.map((item, index) => (
            <span key={`${index}:${item.label}`} className="jp-AquaExt-Chart-key">
              <span
                className="jp-AquaExt-BarChart-swatch"
                style={{ background: `var(${seriesColorVar(index)})` }}
                aria-hidden="true"
              />
              {item.label}
            </span>
          ))}
        </figcaption>
      )}
      <ChartPlotArea
        chart={chart}
        height={height}
        classNames={{ area: 'jp-AquaExt-BarChart-plotArea', plot: 'jp-AquaExt-BarChart-plot' }}
        emptyText={groups.length === 0 ? trans.__('Nothing to chart yet.') : null}
        loadErrorText={trans.__('The chart could not be drawn here; the table has the same values.')}
      />
    </figure>
  );
}

function valueText(value: number | null | undefined, format: (value: number) => string): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '—' : format(value);
}
