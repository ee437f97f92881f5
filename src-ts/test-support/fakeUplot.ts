/**
 * A stand-in for uPlot in jsdom (no canvas, no matchMedia): it records the
 * options and every data set the chart receives, so tests can watch the
 * curves grow. Use with
 * `jest.mock('uplot', () => ({ __esModule: true, default: require('./fakeUplot').FakeUPlot }))`.
 */
type Data = Array<Array<number | null>>;

export class FakeUPlot {
  static instances: FakeUPlot[] = [];

  /** The bars path builder the bar charts ask for; the fake draws nothing, so it builds nothing. */
  static paths = { bars: () => () => null };

  static reset(): void {
    FakeUPlot.instances = [];
  }

  /** The chart alive now (the last one built and not destroyed). */
  static current(): FakeUPlot | undefined {
    return [...FakeUPlot.instances].reverse().find(item => !item.destroyed);
  }

  readonly opts: { width: number; height: number; series: Array<{ label?: string; stroke?: string; dash?: number[] }> };
  data: Data;
  readonly dataHistory: Data[] = [];
  readonly root: HTMLElement;
  sizes: Array<{ width: number; height: number }> = [];
  destroyed = false;
  cursor: { idx: number | null } = { idx: null };

  constructor(opts: FakeUPlot['opts'], data: Data, target: HTMLElement) {
    this.opts = opts;
    this.data = data;
    this.dataHistory.push(data);
    this.root = document.createElement('div');
    this.root.className = 'uplot';
    target.appendChild(this.root);
    FakeUPlot.instances.push(this);
  }

  setData(data: Data): void {
    this.data = data;
    this.dataHistory.push(data);
  }

  setSize(size: { width: number; height: number }): void {
    this.sizes.push(size);
  }

  destroy(): void {
    this.destroyed = true;
    this.root.remove();
  }
}
