/**
 * What every uPlot chart here needs: uPlot itself, loaded once as its own chunk (a panel
 * without a chart never downloads it), and a signal when JupyterLab switches theme, so a
 * chart re-reads its colors from the --jp-* variables.
 */
import * as React from 'react';
import type uPlot from 'uplot';

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
