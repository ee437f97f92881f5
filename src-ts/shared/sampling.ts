/**
 * The playground's sampling settings: kept as the text of their inputs (so a
 * half-typed "0." survives a re-render and a reload), parsed into the
 * request's fields with the contract's bounds.
 */
import type { TranslationBundle } from '@jupyterlab/translation';

import { CONTRACT_LIMITS } from '../api/limits';
import type { ChatRequest } from '../api/types';

export interface ISamplingForm {
  maxTokens: string;
  temperature: string;
  topP: string;
  /** Empty: off. */
  topK: string;
  frequencyPenalty: string;
  presencePenalty: string;
  /** Stop sequences as typed; `\n` and `\t` stand for a newline and a tab. */
  stop: string[];
  /** Empty: random. */
  seed: string;
}

export type SamplingField = keyof ISamplingForm;

export const DEFAULT_SAMPLING: Readonly<ISamplingForm> = Object.freeze({
  maxTokens: '512',
  temperature: '0.7',
  topP: '1',
  topK: '',
  frequencyPenalty: '0',
  presencePenalty: '0',
  stop: [],
  seed: ''
});

const CHAT = CONTRACT_LIMITS.ChatRequest;

/** Bounds of ChatRequest (schema/api/openapi.json); top_p's lower bound is exclusive there. */
export const SAMPLING_LIMITS = {
  maxTokens: [CHAT.max_tokens.minimum, CHAT.max_tokens.maximum],
  temperature: [CHAT.temperature.minimum, CHAT.temperature.maximum],
  topP: [CHAT.top_p.exclusiveMinimum, CHAT.top_p.maximum],
  topK: [CHAT.top_k.minimum, CHAT.top_k.maximum],
  penalty: [CHAT.frequency_penalty.minimum, CHAT.frequency_penalty.maximum],
  seed: [CHAT.seed.minimum, CHAT.seed.maximum],
  stop: CHAT.stop.maxItems
} as const;

export type SamplingRequestFields = Pick<
  ChatRequest,
  'max_tokens' | 'temperature' | 'top_p' | 'top_k' | 'frequency_penalty' | 'presence_penalty' | 'stop' | 'seed'
>;

export interface IParsedSampling {
  /** The request fields, or null while any input is invalid. */
  value: SamplingRequestFields | null;
  errors: Partial<Record<SamplingField, string>>;
}

/** `\n` → newline, `\t` → tab, `\\` → backslash: how a stop sequence is typed in one line. */
export function unescapeStop(text: string): string {
  return text.replace(/\\(n|t|\\)/g, (_, code: string) => (code === 'n' ? '\n' : code === 't' ? '\t' : '\\'));
}

/** The inverse, to show a stop sequence on one line. */
export function escapeStop(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\t/g, '\\t');
}

function parseNumber(text: string, integer: boolean): number | null {
  const trimmed = text.trim();
  if (!trimmed) {
    return null;
  }
  const value = Number(trimmed);
  if (!Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    return null;
  }
  return value;
}

export function parseSampling(form: ISamplingForm, trans: TranslationBundle): IParsedSampling {
  const errors: Partial<Record<SamplingField, string>> = {};
  const number = (
    field: SamplingField,
    text: string,
    [min, max]: readonly [number, number],
    options: { integer?: boolean; optional?: boolean; exclusiveMin?: boolean } = {}
  ): number | null => {
    if (options.optional && !text.trim()) {
      return null;
    }
    const value = parseNumber(text, options.integer ?? false);
    const low = options.exclusiveMin ? value !== null && value <= min : value !== null && value < min;
    if (value === null || low || value > max) {
      errors[field] = options.integer
        ? trans.__('A whole number from %1 to %2.', min, max)
        : options.exclusiveMin
          ? trans.__('A number above %1, at most %2.', min, max)
          : trans.__('A number from %1 to %2.', min, max);
      return null;
    }
    return value;
  };
  const maxTokens = number('maxTokens', form.maxTokens, SAMPLING_LIMITS.maxTokens, { integer: true });
  const temperature = number('temperature', form.temperature, SAMPLING_LIMITS.temperature);
  const topP = number('topP', form.topP, SAMPLING_LIMITS.topP, { exclusiveMin: true });
  const topK = number('topK', form.topK, SAMPLING_LIMITS.topK, { integer: true, optional: true });
  const frequency = number('frequencyPenalty', form.frequencyPenalty, SAMPLING_LIMITS.penalty);
  const presence = number('presencePenalty', form.presencePenalty, SAMPLING_LIMITS.penalty);
  const seed = number('seed', form.seed, SAMPLING_LIMITS.seed, { integer: true, optional: true });
  const stop = form.stop.map(unescapeStop);
  if (stop.length > SAMPLING_LIMITS.stop) {
    errors.stop = trans.__('At most %1 stop sequences.', SAMPLING_LIMITS.stop);
  } else if (stop.some(item => item.length === 0)) {
    errors.stop = trans.__('Stop sequences must not be empty.');
  }
  if (Object.keys(errors).length > 0) {
    return { value: null, errors };
  }
  return {
    value: {
      max_tokens: maxTokens as number,
      temperature: temperature as number,
      top_p: topP as number,
      // -1 and 0 mean "off" to engines; leave the field out instead.
      top_k: topK !== null && topK > 0 ? topK : null,
      frequency_penalty: frequency as number,
      presence_penalty: presence as number,
      stop,
      seed
    },
    errors
  };
}

/** A stored value made safe to use: unknown or mistyped fields fall back to the defaults. */
export function readSamplingForm(value: unknown): ISamplingForm {
  const raw = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  const text = (key: Exclude<SamplingField, 'stop'>): string =>
    typeof raw[key] === 'string' ? (raw[key] as string) : DEFAULT_SAMPLING[key];
  const stop = Array.isArray(raw.stop) ? raw.stop.filter((item): item is string => typeof item === 'string') : [];
  return {
    maxTokens: text('maxTokens'),
    temperature: text('temperature'),
    topP: text('topP'),
    topK: text('topK'),
    frequencyPenalty: text('frequencyPenalty'),
    presencePenalty: text('presencePenalty'),
    stop: stop.slice(0, SAMPLING_LIMITS.stop),
    seed: text('seed')
  };
}
