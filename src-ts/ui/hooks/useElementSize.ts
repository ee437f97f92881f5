import * as React from 'react';

export interface IElementSize {
  width: number;
  height: number;
}

/**
 * The content size of an element, kept current with a ResizeObserver (or
 * window resizes where there is none). A zero size (the panel is hidden) is
 * ignored so the last visible size survives tab switches.
 */
export function useElementSize(ref: React.RefObject<HTMLElement>): IElementSize {
  const [size, setSize] = React.useState<IElementSize>({ width: 0, height: 0 });
  React.useLayoutEffect(() => {
    const element = ref.current;
    if (!element) {
      return;
    }
    const measure = (width: number, height: number): void => {
      const w = Math.floor(width);
      const h = Math.floor(height);
      if (w <= 0 || h <= 0) {
        return;
      }
      setSize(previous => (previous.width === w && previous.height === h ? previous : { width: w, height: h }));
    };
    measure(element.clientWidth, element.clientHeight);
    if (typeof ResizeObserver === 'undefined') {
      const onResize = (): void => measure(element.clientWidth, element.clientHeight);
      window.addEventListener('resize', onResize);
      return () => window.removeEventListener('resize', onResize);
    }
    const observer = new ResizeObserver(entries => {
      const rect = entries[entries.length - 1]?.contentRect;
      if (rect) {
        measure(rect.width, rect.height);
      }
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref]);
  return size;
}
