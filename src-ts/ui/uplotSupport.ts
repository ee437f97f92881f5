/**
 * What every uPlot chart here needs: uPlot itself, loaded once as its own chunk (a panel
 * without a chart never downloads it), a signal when JupyterLab switches theme, so a
 * chart re-reads its colors from the --jp-* variables, and the chart's life in a
 * component (built, rebuilt, resized, destroyed).
 */
import * as React from 'react';
import type uPlot from 'uplot';

import { useElementSize } from './hooks/useElementSize';
import { useLatest } from './hooks/useLatest';

export type UPlotConstructor = typeof uPlot;

let uPlotModule: Promise<UPlotConstructor> | null = null;

export function loadUPlot(): Promise<UPlotConstructor> {
  if (!uPlotModule) {
    uPlotModule = import('uplot').then(
      module => (module as { default?: UPlotConstructor }).default ?? (module as unknown as UPlotConstructor)
    );
    uPlotModule.catch(() => {
      uPlotModule = null; // a failed chunk load is tried again next time
    });
  }
  return uPlotModule;
}

/** Bumps when JupyterLab switches theme. */
export function useThemeVersion(): number {
  const [version, setVersion] = React.useState(0);
  React.useEffect(() => {
    if (typeof MutationObserver === 'undefined' || typeof document === 'undefined') {
      return;
    }
    const observer = new MutationObserver(() => setVersion(n => n + 1));
    observer.observe(document.body, {
      attributes: true,
      attributeFilter: ['data-jp-theme-name', 'data-jp-theme-light']
    });
    return () => observer.disconnect();
  }, []);
  return version;
}

/** The theme's look for a chart, read from its plot element when the chart is built. */
export interface IChartTheme {
  /** A --jp-* variable's value, or `fallback` where the theme has none. */
  read: (name: string, fallback: string) => string;
  /** The axes' text and grid colors. */
  text: string;
  grid: string;
  font: string;
}

/**
 * The theme's colors and font, read from the plot element (its CSS sets the font to
 * --jp-ui-font-size0 and --jp-ui-font-family). uPlot needs the font size in pixels: the
 * computed style has it so, whatever unit the theme uses.
 */
export function chartTheme(element: HTMLElement): IChartTheme {
  const style = getComputedStyle(element);
  const read = (name: string, fallback: string): string => style.getPropertyValue(name).trim() || fallback;
  // Whole pixels: uPlot scales the font for the device pixel ratio by matching /(\d+)px/.
  const pixels = Math.round(parseFloat(style.fontSize));
  const size = Number.isFinite(pixels) && pixels > 0 ? `${pixels}px` : '11px';
  return {
    read,
    text: read('--jp-ui-font-color2', 'gray'),
    grid: read('--jp-border-color2', 'lightgray'),
    font: `${size} ${style.fontFamily || 'sans-serif'}`
  };
}

export interface IUPlotChart {
  /** The plot area: the chart takes its width. */
  containerRef: React.RefObject<HTMLDivElement>;
  /** Where uPlot draws. */
  plotRef: React.RefObject<HTMLDivElement>;
  /** The chart while one is drawn (to feed it new data). */
  chartRef: React.MutableRefObject<uPlot | null>;
  /** uPlot could not be loaded (the chart says so; its data is shown elsewhere). */
  loadError: unknown;
}

export interface IUPlotChartOptions {
  height: number;
  /** A new value builds the chart again (its data, or its words); so do the theme and the height. */
  rebuildKey: unknown;
  /** Nothing to draw: no chart is built (nor is uPlot loaded for it). */
  empty?: boolean;
  /**
   * The chart's options and data for the plot element `host` at `width`. Read
   * when the chart is built, so it may change freely between builds.
   */
  build: (
    UPlot: UPlotConstructor,
    host: HTMLElement,
    width: number
  ) => { options: uPlot.Options; data: uPlot.AlignedData };
}

/**
 * A uPlot chart drawn once its container has a width, built again with the
 * theme's new colors, the height or `rebuildKey`, and resized (not rebuilt)
 * as its container is.
 */
export function useUPlotChart(options: IUPlotChartOptions): IUPlotChart {
  const { height, rebuildKey, empty } = options;
  const containerRef = React.useRef<HTMLDivElement>(null);
  const plotRef = React.useRef<HTMLDivElement>(null);
  const chartRef = React.useRef<uPlot | null>(null);
  const { width } = useElementSize(containerRef);
  const themeVersion = useThemeVersion();
  const [loadError, setLoadError] = React.useState<unknown>(null);
  const hasWidth = width > 0;
  // Width changes resize the chart below; only what is listed rebuilds it.
  const latest = useLatest({ width, build: options.build });

  React.useEffect(() => {
    const host = plotRef.current;
    if (!hasWidth || !host || empty) {
      return;
    }
    let disposed = false;
    loadUPlot()
      .then(UPlot => {
        if (disposed || !plotRef.current) {
          return;
        }
        const { width, build } = latest.current;
        const { options, data } = build(UPlot, host, Math.max(1, containerRef.current?.clientWidth || width));
        chartRef.current?.destroy();
        chartRef.current = new UPlot(options, data, host);
        setLoadError(null);
      })
      .catch(reason => {
        if (!disposed) {
          setLoadError(reason);
        }
      });
    return () => {
      disposed = true;
      chartRef.current?.destroy();
      chartRef.current = null;
    };
  }, [hasWidth, height, themeVersion, rebuildKey, empty, latest]);

  React.useEffect(() => {
    if (width > 0) {
      chartRef.current?.setSize({ width, height });
    }
  }, [width, height]);

  return { containerRef, plotRef, chartRef, loadError };
}
