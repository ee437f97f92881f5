/**
 * The words and numbers of the evaluation screens: what each score is called,
 * its scale and which way is better, and how a value is written.
 *
 * Score names are the contract's (`MetricScores.scores`): bertscore, rouge1,
 * rouge2, rougeL, exact_match (0..1), bleu, chrf (0..100), readability (Flesch
 * reading ease), latency_ms_mean/p50/p95 and tokens_per_s_mean.
 */
import type { TranslationBundle } from '@jupyterlab/translation';

import type { EvaluationMetric, EvaluationSummary } from '../../api/types';
import { subjectName } from '../../shared/chatTarget';

/** How a score is read: 0–1, 0–100, Flesch, milliseconds or tokens per second. */
export type ScoreScale = 'unit' | 'percent' | 'flesch' | 'ms' | 'rate';

export interface IScoreInfo {
  /** The score's key in `scores`. */
  key: string;
  /** The metric family that computes it (the form's checkbox). */
  metric: EvaluationMetric;
  scale: ScoreScale;
  /** Higher is better (false for latency). */
  higherIsBetter: boolean;
}

/** Every overall score the report may hold, in the order tables show them. */
export const SCORES: readonly IScoreInfo[] = [
  { key: 'bertscore', metric: 'bertscore', scale: 'unit', higherIsBetter: true },
  { key: 'rouge1', metric: 'rouge', scale: 'unit', higherIsBetter: true },
  { key: 'rouge2', metric: 'rouge', scale: 'unit', higherIsBetter: true },
  { key: 'rougeL', metric: 'rouge', scale: 'unit', higherIsBetter: true },
  { key: 'exact_match', metric: 'exact_match', scale: 'unit', higherIsBetter: true },
  { key: 'bleu', metric: 'bleu', scale: 'percent', higherIsBetter: true },
  { key: 'chrf', metric: 'chrf', scale: 'percent', higherIsBetter: true },
  { key: 'readability', metric: 'readability', scale: 'flesch', higherIsBetter: true },
  // LLM-as-judge: the judges' 1–5 grades as 0–1 (their mean, and each judge's when there are two).
  { key: 'judge', metric: 'judge', scale: 'unit', higherIsBetter: true },
  { key: 'judge_1', metric: 'judge', scale: 'unit', higherIsBetter: true },
  { key: 'judge_2', metric: 'judge', scale: 'unit', higherIsBetter: true },
  { key: 'latency_ms_mean', metric: 'latency', scale: 'ms', higherIsBetter: false },
  { key: 'latency_ms_p50', metric: 'latency', scale: 'ms', higherIsBetter: false },
  { key: 'latency_ms_p95', metric: 'latency', scale: 'ms', higherIsBetter: false },
  { key: 'tokens_per_s_mean', metric: 'latency', scale: 'rate', higherIsBetter: true }
];

const BY_KEY = new Map(SCORES.map(info => [info.key, info]));

/** What is known of a score (an unknown one reads as a 0–1 score, higher better). */
export function scoreInfo(key: string): IScoreInfo {
  return (
    BY_KEY.get(key) ?? { key, metric: 'bertscore', scale: guessScale(key), higherIsBetter: !key.startsWith('latency') }
  );
}

function guessScale(key: string): ScoreScale {
  if (key.startsWith('latency')) {
    return 'ms';
  }
  if (key.startsWith('tokens_per_s')) {
    return 'rate';
  }
  return 'unit';
}

/** Every metric family, in the form's order. */
export const METRICS: readonly EvaluationMetric[] = [
  'bertscore',
  'rouge',
  'bleu',
  'chrf',
  'exact_match',
  'readability',
  'latency'
];

export function metricLabel(metric: EvaluationMetric, trans: TranslationBundle): string {
  switch (metric) {
    case 'bertscore':
      return trans.__('BERTScore');
    case 'rouge':
      return trans.__('ROUGE');
    case 'bleu':
      return trans.__('BLEU');
    case 'chrf':
      return trans.__('chrF');
    case 'exact_match':
      return trans.__('Exact match');
    case 'readability':
      return trans.__('Readability');
    case 'latency':
      return trans.__('Latency');
    case 'judge':
      return trans.__('LLM judge');
    default:
      return String(metric);
  }
}

/** What a metric family measures, under its checkbox. */
export function metricDescription(metric: EvaluationMetric, trans: TranslationBundle): string {
  switch (metric) {
    case 'bertscore':
      return trans.__('Semantic similarity to the reference (0–1); loads a small scoring model.');
    case 'rouge':
      return trans.__('Word overlap with the reference: ROUGE-1, ROUGE-2, ROUGE-L (0–1).');
    case 'bleu':
      return trans.__('n-gram precision against the reference (0–100).');
    case 'chrf':
      return trans.__('Character n-gram F-score (0–100).');
    case 'exact_match':
      return trans.__('The answer equals the reference (0–1).');
    case 'readability':
      return trans.__('Flesch reading ease of the answers (higher is easier).');
    case 'latency':
      return trans.__('Time per answer (p50, p95) and tokens per second.');
    default:
      return '';
  }
}

export function scoreLabel(key: string, trans: TranslationBundle): string {
  switch (key) {
    case 'bertscore':
      return trans.__('BERTScore');
    case 'rouge1':
      return trans.__('ROUGE-1');
    case 'rouge2':
      return trans.__('ROUGE-2');
    case 'rougeL':
      return trans.__('ROUGE-L');
    case 'exact_match':
      return trans.__('Exact match');
    case 'bleu':
      return trans.__('BLEU');
    case 'chrf':
      return trans.__('chrF');
    case 'readability':
      return trans.__('Readability (Flesch)');
    case 'judge':
      return trans.__('Judge');
    case 'judge_1':
      return trans.__('Judge 1');
    case 'judge_2':
      return trans.__('Judge 2');
    case 'latency_ms_mean':
      return trans.__('Latency, mean');
    case 'latency_ms_p50':
      return trans.__('Latency, p50');
    case 'latency_ms_p95':
      return trans.__('Latency, p95');
    case 'latency_ms':
      return trans.__('Latency');
    case 'tokens_per_s_mean':
    case 'tokens_per_s':
      return trans.__('Tokens per second');
    default:
      return key;
  }
}

/** The scale as people read it: "0–1", "0–100", "ms"… */
export function scaleText(scale: ScoreScale, trans: TranslationBundle): string {
  switch (scale) {
    case 'unit':
      return trans.__('0–1, higher is better');
    case 'percent':
      return trans.__('0–100, higher is better');
    case 'flesch':
      return trans.__('Flesch reading ease, higher is easier');
    case 'ms':
      return trans.__('milliseconds, lower is better');
    case 'rate':
      return trans.__('tokens/s, higher is better');
    default:
      return '';
  }
}

/**
 * A score as its scale wants it: 0–1 with three decimals (0.8123 → "0.812"),
 * 0–100 and Flesch with one ("34.5"), milliseconds whole ("1,234 ms"), rates
 * with one decimal ("25.3 tok/s"). Missing or not finite → "—".
 */
export function formatScore(key: string, value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) {
    return '—';
  }
  const scale = scoreInfo(key).scale;
  switch (scale) {
    case 'unit':
      return value.toFixed(3);
    case 'percent':
    case 'flesch':
      return value.toFixed(1);
    case 'ms':
      return `${Math.round(value).toLocaleString('en-US')} ms`;
    case 'rate':
      return `${value.toFixed(1)} tok/s`;
    default:
      return String(value);
  }
}

/** The two scores lists show: BERTScore and ROUGE-L. */
export const HEADLINE_SCORES = ['bertscore', 'rougeL'] as const;

/** "rows 40 of 120", "rows 40" while the total is unknown. */
export function rowsText(done: number, total: number, trans: TranslationBundle): string {
  return total > 0
    ? trans.__('rows %1 of %2', done.toLocaleString('en-US'), total.toLocaleString('en-US'))
    : trans.__('rows %1', done.toLocaleString('en-US'));
}

/** The progress fraction clamped to 0..1 (a succeeded evaluation reads 100%). */
export function evaluationFraction(
  item: Pick<EvaluationSummary, 'state' | 'progress' | 'rows_done' | 'rows_total'>
): number {
  if (item.state === 'SUCCEEDED') {
    return 1;
  }
  let value = Number.isFinite(item.progress) ? item.progress : 0;
  if (value <= 0 && item.rows_total > 0) {
    value = item.rows_done / item.rows_total;
  }
  return Math.min(1, Math.max(0, value));
}

/** The scores of a set that are known, in the tables' order (unknown keys last, by name). */
export function orderedScoreKeys(keys: Iterable<string>): string[] {
  const present = new Set(keys);
  const known = SCORES.map(info => info.key).filter(key => present.has(key));
  const rest = [...present].filter(key => !BY_KEY.has(key)).sort();
  return [...known, ...rest];
}

/**
 * What an evaluation asked, by name: a deployment's name, or a connection's marked as such
 * (`connection_id` set; its `deployment_id` is then "" and `deployment_name` the connection's name).
 */
export function askedName(
  item: Pick<EvaluationSummary, 'deployment_name' | 'connection_id'> & Partial<Pick<EvaluationSummary, 'adapter'>>,
  trans: TranslationBundle
): string {
  if (item.connection_id) {
    return trans.__('%1 (connection)', item.deployment_name);
  }
  // A deployment's adapter answered: "deployment · adapter", as the pickers name it.
  return subjectName(item.deployment_name, item.adapter);
}
