/**
 * Grouped bars laid out for uPlot, without React. uPlot draws one shared x
 * axis, so each bar gets its own x slot: group g's bar for series s sits at
 * `g × (S + 1) + s`, and an empty slot separates two groups. A series is null
 * at every other series' slot, so its bars path builder draws only its own.
 */

export interface IBarSeries {
  label: string;
  /** One value per group (null: none). */
  values: ReadonlyArray<number | null | undefined>;
}

export interface IBarLayout {
  /** x of every slot, ascending. */
  x: number[];
  /** Per series, its y at every slot (null outside its own). */
  ys: Array<Array<number | null>>;
  /** The x of each group's middle (where its label goes). */
  centers: number[];
  /** The x range to show: half a slot around the first and last bars. */
  range: [number, number];
}

export function barLayout(groupCount: number, series: readonly IBarSeries[]): IBarLayout {
  const s = Math.max(1, series.length);
  const stride = s + 1;
  const x: number[] = [];
  const ys: Array<Array<number | null>> = series.map(() => []);
  const centers: number[] = [];
  for (let g = 0; g < groupCount; g++) {
    for (let i = 0; i < s; i++) {
      x.push(g * stride + i);
      series.forEach((item, j) => {
        const value = item.values[g];
        ys[j].push(j === i && value !== null && value !== undefined && Number.isFinite(value) ? value : null);
      });
    }
    centers.push(g * stride + (s - 1) / 2);
  }
  const last = groupCount > 0 ? (groupCount - 1) * stride + s - 1 : 0;
  return { x, ys, centers, range: [-0.75, last + 0.75] };
}

/** The y range of a scale: fixed for 0–1 and 0–100 scores, from 0 to a little above the data otherwise. */
export function yRange(fixedMax: number | null, series: readonly IBarSeries[]): [number, number] {
  if (fixedMax !== null) {
    return [0, fixedMax];
  }
  const values = series
    .flatMap(item => item.values)
    .filter((v): v is number => v !== null && v !== undefined && Number.isFinite(v));
  const max = values.length ? Math.max(...values) : 1;
  const min = values.length ? Math.min(0, ...values) : 0;
  return [min, max > 0 ? max * 1.1 : 1];
}
