/**
 * Evaluations side by side, without React: the best value of each metric
 * (the highest, or the lowest for latency; ties all count), the rows of the
 * overall and per-category tables, and the grouped bars per scale.
 */
import type { EvaluationComparison, EvaluationSummary } from '../../api/types';
import { orderedScoreKeys, scoreInfo, type ScoreScale } from './format';

/** Scores closer than this are a tie (floating point noise in the report). */
const EPSILON = 1e-9;

/**
 * The ids holding the best value of one metric among `values`
 * (evaluation id → score). Empty when no evaluation has it, or when only one
 * has it and others do not (one value is no comparison).
 */
export function bestIds(key: string, values: Readonly<Record<string, number>>): string[] {
  const entries = Object.entries(values).filter(([, value]) => Number.isFinite(value));
  if (entries.length < 2) {
    return [];
  }
  const higher = scoreInfo(key).higherIsBetter;
  const best = entries.reduce(
    (acc, [, value]) => (higher ? Math.max(acc, value) : Math.min(acc, value)),
    higher ? -Infinity : Infinity
  );
  const ids = entries.filter(([, value]) => Math.abs(value - best) <= EPSILON).map(([id]) => id);
  // Everyone tied: nobody stands out.
  return ids.length === entries.length ? [] : ids;
}

export interface ICompareRow {
  key: string;
  /** Evaluation id → score (missing when that evaluation did not compute it). */
  values: Readonly<Record<string, number>>;
  best: string[];
}

/** The overall table's rows, one per metric, in the usual order. */
export function overallRows(comparison: Pick<EvaluationComparison, 'overall'>): ICompareRow[] {
  return orderedScoreKeys(Object.keys(comparison.overall)).map(key => {
    const values = comparison.overall[key] ?? {};
    return { key, values, best: bestIds(key, values) };
  });
}

export interface ICategoryRows {
  category: string;
  rows: ICompareRow[];
}

/** The per-category tables: categories by name, each with its metrics. */
export function categoryRows(comparison: Pick<EvaluationComparison, 'categories'>): ICategoryRows[] {
  return Object.keys(comparison.categories)
    .sort((a, b) => a.localeCompare(b))
    .map(category => {
      const metrics = comparison.categories[category] ?? {};
      return {
        category,
        rows: orderedScoreKeys(Object.keys(metrics)).map(key => {
          const values = metrics[key] ?? {};
          return { key, values, best: bestIds(key, values) };
        })
      };
    });
}

export interface IScaleGroup {
  scale: ScoreScale;
  keys: string[];
}

/**
 * Metrics grouped by scale (0–1, 0–100, Flesch, ms, tokens/s), so each bar
 * chart compares numbers that share an axis.
 */
export function scaleGroups(keys: readonly string[]): IScaleGroup[] {
  const order: ScoreScale[] = ['unit', 'percent', 'flesch', 'ms', 'rate'];
  const groups = new Map<ScoreScale, string[]>();
  for (const key of orderedScoreKeys(keys)) {
    const scale = scoreInfo(key).scale;
    groups.set(scale, [...(groups.get(scale) ?? []), key]);
  }
  return order.filter(scale => groups.has(scale)).map(scale => ({ scale, keys: groups.get(scale) ?? [] }));
}

/** The evaluations in the order the user chose them (the answer may reorder). */
export function orderedEvaluations(
  comparison: Pick<EvaluationComparison, 'evaluations'>,
  ids: readonly string[]
): EvaluationSummary[] {
  const byId = new Map(comparison.evaluations.map(item => [item.id, item]));
  const chosen = ids.map(id => byId.get(id)).filter((item): item is EvaluationSummary => !!item);
  const rest = comparison.evaluations.filter(item => !ids.includes(item.id));
  return [...chosen, ...rest];
}
