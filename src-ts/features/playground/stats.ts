/**
 * One answer's timing and token figures as short labels:
 * "TTFT 180 ms · 42.3 tokens/s · 128 tokens (prompt 20, total 148)".
 */
import type { TranslationBundle } from '@jupyterlab/translation';

import type { IAnswerStats } from './transcript';

export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) {
    return '—';
  }
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

export interface IStatPart {
  key: 'ttft' | 'rate' | 'tokens' | 'usage' | 'total' | 'finish';
  label: string;
  /** A longer explanation for the tooltip. */
  title: string;
}

export function answerStatParts(stats: IAnswerStats, trans: TranslationBundle): IStatPart[] {
  const parts: IStatPart[] = [];
  if (stats.ttftMs !== null) {
    parts.push({
      key: 'ttft',
      label: trans.__('TTFT %1', formatMs(stats.ttftMs)),
      title: trans.__('Time to first token')
    });
  }
  if (stats.tokensPerS !== null) {
    parts.push({
      key: 'rate',
      label: trans.__('%1 tokens/s', stats.tokensPerS.toFixed(1)),
      title: trans.__('Generation speed after the first token')
    });
  }
  if (stats.tokens !== null) {
    parts.push({
      key: 'tokens',
      label: trans._n('%1 token', '%1 tokens', stats.tokens),
      title: trans.__('Tokens in the answer')
    });
  }
  const usage = stats.usage;
  if (usage && (usage.prompt_tokens !== null || usage.total_tokens !== null)) {
    const bits: string[] = [];
    if (usage.prompt_tokens !== null) {
      bits.push(trans.__('prompt %1', usage.prompt_tokens));
    }
    if (usage.total_tokens !== null) {
      bits.push(trans.__('total %1', usage.total_tokens));
    }
    parts.push({ key: 'usage', label: bits.join(', '), title: trans.__('Token usage reported by the engine') });
  }
  parts.push({
    key: 'total',
    label: formatMs(stats.totalMs),
    title:
      stats.measuredBy === 'server'
        ? trans.__('Total time, measured by the Jupyter server')
        : trans.__('Time until the answer was stopped, measured in this browser')
  });
  if (stats.finishReason && stats.finishReason !== 'stop') {
    parts.push({
      key: 'finish',
      label: stats.finishReason === 'length' ? trans.__('cut at max tokens') : stats.finishReason,
      title: trans.__('Why the model stopped')
    });
  }
  return parts;
}
