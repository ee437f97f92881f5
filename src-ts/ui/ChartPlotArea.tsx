import * as React from 'react';

import type { IUPlotChart } from './uplotSupport';

/**
 * Where a uPlot chart draws (`useUPlotChart`'s refs), `height` pixels high,
 * and the notice over it while there is nothing to draw (`emptyText`) or
 * uPlot could not be loaded (`loadErrorText` says where the values are).
 */
export function ChartPlotArea(props: {
  chart: Pick<IUPlotChart, 'containerRef' | 'plotRef' | 'loadError'>;
  height: number;
  /** The chart's own classes, added to the plot area's and the plot's. */
  classNames?: { area: string; plot: string };
  emptyText: string | null;
  loadErrorText: string;
}): JSX.Element {
  const { chart, classNames } = props;
  return (
    <div
      ref={chart.containerRef}
      className={`jp-AquaExt-Chart-plotArea${classNames ? ` ${classNames.area}` : ''}`}
      style={{ height: props.height }}
    >
      <div
        ref={chart.plotRef}
        className={`jp-AquaExt-Chart-plot${classNames ? ` ${classNames.plot}` : ''}`}
        aria-hidden="true"
      />
      {props.emptyText !== null && <div className="jp-AquaExt-Chart-empty">{props.emptyText}</div>}
      {chart.loadError !== null && <div className="jp-AquaExt-Chart-empty">{props.loadErrorText}</div>}
    </div>
  );
}
