/**
 * A playground conversation as plain data: turns, the effect of each stream
 * event on the answer being written, and the messages the next request
 * sends. No React, so the reducer is tested on its own.
 */
import type {
  ChatMessage,
  ChatStreamEvent,
  ChatUsage,
  ContentPart,
  DeploymentState,
  ToolCallDelta
} from '../../api/types';

export type AnswerStatus = 'streaming' | 'done' | 'stopped' | 'error';

export interface IAnswerStats {
  /** Request sent → first token. */
  ttftMs: number | null;
  totalMs: number;
  /** Completion tokens; null when only the browser measured (after Stop). */
  tokens: number | null;
  tokensPerS: number | null;
  usage: ChatUsage | null;
  finishReason: string | null;
  /** `server`: from the done event; `browser`: measured here (the answer was stopped or cut). */
  measuredBy: 'server' | 'browser';
}

export interface IUserTurn {
  id: string;
  role: 'user';
  content: string;
  /** Images sent with it, as data: URLs (deployments whose chat_inputs has "image"). */
  images?: string[];
}

/** A function the model asked to call, and the result the user gave (null: not answered yet). */
export interface IToolCall {
  id: string;
  name: string;
  /** JSON text as the model wrote it (not necessarily valid). */
  arguments: string;
  result: string | null;
}

export interface IAssistantTurn {
  id: string;
  role: 'assistant';
  content: string;
  status: AnswerStatus;
  /** What went wrong, fit to show (never a traceback). */
  error: string | null;
  /** The HTTP status or event status of the error (409: not active…). */
  errorStatus: number | null;
  /** The deployment's state the server reported with the error. */
  deploymentState: DeploymentState | null;
  stats: IAnswerStats | null;
  /** Epoch milliseconds, for the browser-side timing of a stopped answer. */
  startedAt: number;
  firstTokenAt: number | null;
  /** Delta events received. */
  chunks: number;
  /** The tool calls of the answer, when it made any. */
  toolCalls?: IToolCall[];
  /** The JSON schema the answer was asked to follow (structured output), to check it against. */
  schema?: Record<string, unknown>;
}

export type Turn = IUserTurn | IAssistantTurn;

let counter = 0;
function newId(prefix: string): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter}`;
}

export function userTurn(content: string, images?: readonly string[]): IUserTurn {
  return { id: newId('u'), role: 'user', content, ...(images?.length ? { images: [...images] } : {}) };
}

/** The text of a message's content (an image part has none). */
export function messageText(content: string | readonly ContentPart[]): string {
  return typeof content === 'string' ? content : content.map(part => (part.type === 'text' ? part.text : '')).join('');
}

/** A user message's content: its text alone, or OpenAI's content parts when it carries images. */
export function userContent(text: string, images: readonly string[] | undefined): string | ContentPart[] {
  if (!images?.length) {
    return text;
  }
  const parts: ContentPart[] = text ? [{ type: 'text', text }] : [];
  return [...parts, ...images.map(url => ({ type: 'image_url' as const, image_url: { url } }))];
}

export function assistantTurn(now: number): IAssistantTurn {
  return {
    id: newId('a'),
    role: 'assistant',
    content: '',
    status: 'streaming',
    error: null,
    errorStatus: null,
    deploymentState: null,
    stats: null,
    startedAt: now,
    firstTokenAt: null,
    chunks: 0
  };
}

function browserStats(turn: IAssistantTurn, now: number): IAnswerStats {
  return {
    ttftMs: turn.firstTokenAt === null ? null : turn.firstTokenAt - turn.startedAt,
    totalMs: Math.max(0, now - turn.startedAt),
    tokens: null,
    tokensPerS: null,
    usage: null,
    finishReason: null,
    measuredBy: 'browser'
  };
}

/** The answer after one stream event. Events after the end are ignored. */
export function applyChatEvent(turn: IAssistantTurn, event: ChatStreamEvent, now: number): IAssistantTurn {
  if (turn.status !== 'streaming') {
    return turn;
  }
  switch (event.type) {
    case 'delta': {
      const pieces = event.data.tool_calls ?? [];
      if (!event.data.content && pieces.length === 0) {
        return turn;
      }
      return {
        ...turn,
        content: turn.content + event.data.content,
        chunks: turn.chunks + 1,
        firstTokenAt: turn.firstTokenAt ?? now,
        ...(pieces.length ? { toolCalls: addToolCallPieces(turn.toolCalls ?? [], pieces) } : {})
      };
    }
    case 'done': {
      const data = event.data;
      return {
        ...turn,
        status: 'done',
        stats: {
          ttftMs: data.ttft_ms,
          totalMs: data.total_ms,
          tokens: data.tokens,
          tokensPerS: data.tokens_per_s,
          usage: data.usage,
          finishReason: data.finish_reason,
          measuredBy: 'server'
        }
      };
    }
    case 'error':
      return {
        ...turn,
        status: 'error',
        error: event.data.message,
        errorStatus: event.data.status || null,
        deploymentState: event.data.deployment_state ?? null,
        stats: browserStats(turn, now)
      };
    default:
      return turn;
  }
}

/** Streamed pieces folded into the calls: the first piece of an index opens a call, the rest add arguments. */
export function addToolCallPieces(calls: readonly IToolCall[], pieces: readonly ToolCallDelta[]): IToolCall[] {
  const next = [...calls];
  for (const piece of pieces) {
    const current = next[piece.index];
    next[piece.index] = current
      ? {
          ...current,
          id: current.id || piece.id || '',
          name: current.name || piece.name || '',
          arguments: current.arguments + (piece.arguments ?? '')
        }
      : {
          id: piece.id ?? `call-${piece.index}`,
          name: piece.name ?? '',
          arguments: piece.arguments ?? '',
          result: null
        };
  }
  // An index the engine skipped would leave a hole: keep the calls that came.
  return next.filter(Boolean);
}

/** The answer with each call's result typed by the user, in the calls' order. */
export function answerToolCalls(turn: IAssistantTurn, results: readonly string[]): IAssistantTurn {
  return {
    ...turn,
    toolCalls: (turn.toolCalls ?? []).map((call, i) => ({ ...call, result: results[i] ?? call.result }))
  };
}

/** Stop pressed: keep what arrived, time it here. */
export function stopAnswer(turn: IAssistantTurn, now: number): IAssistantTurn {
  if (turn.status !== 'streaming') {
    return turn;
  }
  return { ...turn, status: 'stopped', stats: browserStats(turn, now) };
}

/** The request failed before or while streaming. */
export function failAnswer(turn: IAssistantTurn, message: string, status: number | null, now: number): IAssistantTurn {
  if (turn.status !== 'streaming') {
    return turn;
  }
  return { ...turn, status: 'error', error: message, errorStatus: status, stats: browserStats(turn, now) };
}

export function updateAnswer(
  turns: readonly Turn[],
  id: string,
  update: (turn: IAssistantTurn) => IAssistantTurn
): Turn[] {
  let changed = false;
  const next = turns.map(turn => {
    if (turn.id !== id || turn.role !== 'assistant') {
      return turn;
    }
    const updated = update(turn);
    changed = changed || updated !== turn;
    return updated;
  });
  // The same array when nothing changed, so React skips the re-render.
  return changed ? next : (turns as Turn[]);
}

/**
 * The messages of the next chat request: the system prompt (when given),
 * then every user turn and every answer that has text. Failed or empty
 * answers are left out so a retry does not send them back to the model.
 */
export function chatMessages(system: string, turns: readonly Turn[]): ChatMessage[] {
  const messages: ChatMessage[] = [];
  if (system.trim()) {
    messages.push({ role: 'system', content: system });
  }
  for (const turn of turns) {
    if (turn.role === 'user') {
      messages.push({ role: 'user', content: userContent(turn.content, turn.images) });
    } else if (
      turn.toolCalls?.length &&
      turn.toolCalls.every(call => call.result !== null) &&
      turn.status !== 'error'
    ) {
      // The calls go back as the model made them, each followed by the result given for it (calls
      // left unanswered are not sent: engines refuse a call without its result).
      messages.push({
        role: 'assistant',
        content: turn.content,
        tool_calls: turn.toolCalls.map(call => ({
          id: call.id,
          type: 'function',
          function: { name: call.name, arguments: call.arguments }
        }))
      });
      for (const call of turn.toolCalls) {
        messages.push({ role: 'tool', tool_call_id: call.id, content: call.result ?? '' });
      }
    } else if (turn.content && turn.status !== 'error') {
      messages.push({ role: 'assistant', content: turn.content });
    }
  }
  return messages;
}

/**
 * Turns read back after a reload: an answer that was streaming when the page
 * went away is marked stopped (its request died with the page).
 */
export function restoreTurns(turns: readonly Turn[]): Turn[] {
  return turns.map(turn =>
    turn.role === 'assistant' && turn.status === 'streaming'
      ? { ...turn, status: 'stopped', stats: turn.stats ?? browserStats(turn, turn.startedAt) }
      : turn
  );
}

/** Whether an answer is still being written. */
export function isStreaming(turns: readonly Turn[]): boolean {
  return turns.some(turn => turn.role === 'assistant' && turn.status === 'streaming');
}

/**
 * The conversation before a user turn, for edit and regenerate: that turn is replaced
 * and everything after it is dropped. Null when the turn is not a user turn of `turns`.
 */
export function turnsBefore(turns: readonly Turn[], userTurnId: string): Turn[] | null {
  const index = turns.findIndex(turn => turn.id === userTurnId && turn.role === 'user');
  return index < 0 ? null : turns.slice(0, index);
}

/** The last question asked, which Regenerate sends again; null before the first one. */
export function lastUserTurn(turns: readonly Turn[]): IUserTurn | null {
  for (let i = turns.length - 1; i >= 0; i--) {
    const turn = turns[i];
    if (turn.role === 'user') {
      return turn;
    }
  }
  return null;
}
