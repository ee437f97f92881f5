import '@testing-library/jest-dom';

/**
 * jsdom has no layout: this ResizeObserver reports a fixed content box so the
 * virtualized grid renders a realistic number of cards.
 */
export const FAKE_SIZE = { width: 1000, height: 800 };

class FixedSizeResizeObserver {
  constructor(private readonly callback: ResizeObserverCallback) {}
  observe(target: Element): void {
    const rect = { ...FAKE_SIZE, x: 0, y: 0, top: 0, left: 0, right: FAKE_SIZE.width, bottom: FAKE_SIZE.height };
    this.callback(
      [{ target, contentRect: rect as DOMRectReadOnly } as unknown as ResizeObserverEntry],
      this as unknown as ResizeObserver
    );
  }
  unobserve(): void {
    /* nothing to do */
  }
  disconnect(): void {
    /* nothing to do */
  }
}

(globalThis as { ResizeObserver: unknown }).ResizeObserver = FixedSizeResizeObserver;

// jsdom has no async Clipboard API; @jupyterlab/apputils warns at import without one.
if (!navigator.clipboard) {
  Object.defineProperty(navigator, 'clipboard', {
    configurable: true,
    value: {
      writeText: async () => undefined,
      readText: async () => '',
      write: async () => undefined,
      read: async () => []
    }
  });
}
