/**
 * Evaluations side by side, without React: the rows of the overall and
 * per-category tables with the best value of each metric as the server names
 * it (`best`, `category_best`), and the grouped bars per scale.
 */
import type { EvaluationComparison, EvaluationSummary } from '../../api/types';
import { orderedScoreKeys, scoreInfo, type ScoreScale } from './format';

export interface ICompareRow {
  key: string;
  /** Evaluation id → score (missing when that evaluation did not compute it). */
  values: Readonly<Record<string, number>>;
  /** The evaluations holding the best value, as the server names them (none when all tie). */
  best: readonly string[];
}

/** The overall table's rows, one per metric, in the usual order. */
export function overallRows(comparison: Pick<EvaluationComparison, 'overall' | 'best'>): ICompareRow[] {
  return orderedScoreKeys(Object.keys(comparison.overall)).map(key => ({
    key,
    values: comparison.overall[key] ?? {},
    best: comparison.best[key] ?? []
  }));
}

export interface ICategoryRows {
  category: string;
  rows: ICompareRow[];
}

/** The per-category tables: categories by name, each with its metrics. */
export function categoryRows(comparison: Pick<EvaluationComparison, 'categories' | 'category_best'>): ICategoryRows[] {
  return Object.keys(comparison.categories)
    .sort((a, b) => a.localeCompare(b))
    .map(category => {
      const metrics = comparison.categories[category] ?? {};
      const best = comparison.category_best[category] ?? {};
      return {
        category,
        rows: orderedScoreKeys(Object.keys(metrics)).map(key => ({
          key,
          values: metrics[key] ?? {},
          best: best[key] ?? []
        }))
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
