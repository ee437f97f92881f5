/**
 * Context accounting for the next request: about how many tokens the prompt
 * takes, against the deployment's context length, so the playground warns
 * before sending a request the engine will refuse (a 731-character Korean
 * prompt to a 512-token model). The browser has no tokenizer: the counts are
 * the engine's own where the last answer reported them, else an estimate,
 * and are always labelled so.
 */
import type { InferenceMode } from '../../api/types';
import { chatMessages, messageText, type Turn } from './transcript';

/** Max tokens when the model's context is unknown (the playground's former fixed default). */
export const UNKNOWN_CONTEXT_MAX_TOKENS = 512;
/** Enough for most answers; longer ones are asked for by raising Max tokens. */
const MAX_TOKENS_CAP = 1024;
/**
 * Chat templates wrap each message in role markers and separators: a few tokens each
 * (about 4 for Llama and Qwen templates).
 */
const TOKENS_PER_MESSAGE = 4;

/**
 * The default Max tokens for a model with `contextLength` tokens of context: a quarter of
 * it, at most 1024. The prompt and the answer share the context, so the answer's budget
 * must leave most of it to the prompt and the conversation; a default of the whole context
 * makes every request with a prompt too long (512 of 512 leaves none for the question).
 */
export function defaultMaxTokens(contextLength: number | null): number {
  if (contextLength === null || contextLength <= 0) {
    return UNKNOWN_CONTEXT_MAX_TOKENS;
  }
  return Math.max(1, Math.min(MAX_TOKENS_CAP, Math.floor(contextLength / 4)));
}

// Scripts whose tokenizers give about one token per character (or more): Hangul, kana,
// CJK ideographs, and the full-width forms and punctuation written with them.
const CJK =
  /[\u1100-\u11ff\u3000-\u303f\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]/gu;

/**
 * About how many tokens `text` is: one per CJK character, one per four other characters
 * (English and other Latin text with BPE tokenizers). An estimate, never an exact count.
 */
export function estimateTokens(text: string): number {
  if (!text) {
    return 0;
  }
  const cjk = text.match(CJK)?.length ?? 0;
  const rest = [...text].length - cjk;
  return cjk + Math.ceil(rest / 4);
}

export interface IPromptTokens {
  tokens: number;
  /** `estimate`: counted here; `engine`: from the last answer's usage, plus an estimate of the new text. */
  source: 'estimate' | 'engine';
}

/**
 * The tokens of the next request's prompt: for completion the prompt alone; for chat the
 * whole conversation, taken from the last answer's usage (prompt + answer, as the engine
 * counted them) when it reported one, plus an estimate of what comes after it.
 */
export function promptTokens(
  mode: InferenceMode,
  system: string,
  history: readonly Turn[],
  text: string
): IPromptTokens {
  if (mode === 'completion') {
    return { tokens: estimateTokens(text), source: 'estimate' };
  }
  const last = history[history.length - 1];
  const usage = last?.role === 'assistant' && last.status === 'done' ? last.stats?.usage : null;
  const counted =
    usage?.total_tokens ??
    (usage?.prompt_tokens !== null && usage?.prompt_tokens !== undefined && last?.role === 'assistant'
      ? usage.prompt_tokens + (last.stats?.tokens ?? estimateTokens(last.content))
      : null);
  if (counted !== null && counted !== undefined) {
    return { tokens: counted + TOKENS_PER_MESSAGE + estimateTokens(text), source: 'engine' };
  }
  const messages = chatMessages(system, [...history, { id: 'next', role: 'user', content: text }]);
  const tokens = messages.reduce(
    (sum, message) => sum + TOKENS_PER_MESSAGE + estimateTokens(messageText(message.content)),
    0
  );
  return { tokens, source: 'estimate' };
}

export interface IContextBudget extends IPromptTokens {
  maxTokens: number;
  contextLength: number;
  /** The prompt and the answer's budget do not fit in the context: the engine will refuse it. */
  over: boolean;
}

/** The next request against the model's context; null when the context is unknown. */
export function contextBudget(
  prompt: IPromptTokens,
  maxTokens: number,
  contextLength: number | null
): IContextBudget | null {
  if (contextLength === null || contextLength <= 0) {
    return null;
  }
  return { ...prompt, maxTokens, contextLength, over: prompt.tokens + maxTokens > contextLength };
}
