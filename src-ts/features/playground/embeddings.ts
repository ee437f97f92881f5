/**
 * The Embeddings view's numbers: cosine similarities as text and as a heat
 * level, vector previews, and the most similar pairs.
 */
import type { TranslationBundle } from '@jupyterlab/translation';

import { CONTRACT_LIMITS } from '../../api/limits';

/** The contract's bounds of EmbedRequest: how many inputs, how long each. */
export const EMBED_LIMITS = {
  inputs: CONTRACT_LIMITS.EmbedRequest.inputs.maxItems,
  chars: CONTRACT_LIMITS.EmbedRequest.inputs.items.maxLength
} as const;

const MINUS = '\u2212';

function signed(value: number, digits: number): string {
  const text = Math.abs(value).toFixed(digits);
  return value < 0 && Number(text) !== 0 ? MINUS + text : text;
}

/** 0.8734 → "0.87"; −0.05 → "−0.05" (a true minus sign). */
export function formatSimilarity(value: number): string {
  return Number.isFinite(value) ? signed(value, 2) : '—';
}

/**
 * How strongly to shade a similarity cell, 0 to 1. Text embeddings rarely go
 * below 0, so the scale spans 0…1 and negatives shade like 0.
 */
export function similarityLevel(value: number): number {
  if (!Number.isFinite(value)) {
    return 0;
  }
  return Math.min(1, Math.max(0, value));
}

/** The first values of a vector: "[0.0123, −0.4410, 0.0031, …]". */
export function formatPreview(values: readonly number[], dimensions: number, shown = 6): string {
  const head = values.slice(0, shown).map(value => signed(value, 4));
  const more = dimensions > head.length ? ', …' : '';
  return `[${head.join(', ')}${more}]`;
}

export interface ISimilarPair {
  a: number;
  b: number;
  score: number;
}

/** The `count` most similar distinct pairs (i < j), best first. */
export function mostSimilarPairs(similarity: readonly (readonly number[])[], count = 3): ISimilarPair[] {
  const pairs: ISimilarPair[] = [];
  for (let i = 0; i < similarity.length; i++) {
    for (let j = i + 1; j < similarity.length; j++) {
      const score = similarity[i]?.[j];
      if (typeof score === 'number' && Number.isFinite(score)) {
        pairs.push({ a: i, b: j, score });
      }
    }
  }
  return pairs.sort((x, y) => y.score - x.score).slice(0, count);
}

/** The non-blank inputs to send, and what is wrong with them (null when they can be sent). */
export function checkEmbedInputs(
  inputs: readonly string[],
  trans: TranslationBundle
): { inputs: string[]; error: string | null } {
  const texts = inputs.filter(text => text.trim().length > 0);
  if (texts.length === 0) {
    return { inputs: texts, error: trans.__('Enter at least one text to embed.') };
  }
  if (texts.length > EMBED_LIMITS.inputs) {
    return { inputs: texts, error: trans.__('At most %1 texts at a time.', EMBED_LIMITS.inputs) };
  }
  const long = texts.findIndex(text => text.length > EMBED_LIMITS.chars);
  if (long >= 0) {
    return {
      inputs: texts,
      error: trans.__('Text %1 is longer than %2 characters.', long + 1, EMBED_LIMITS.chars.toLocaleString())
    };
  }
  return { inputs: texts, error: null };
}

/** A short label for a text in the matrix headers: "1 · The cat sat…". */
export function inputLabel(text: string, index: number, max = 28): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const short = flat.length > max ? flat.slice(0, max - 1).trimEnd() + '…' : flat;
  return `${index + 1} · ${short}`;
}
