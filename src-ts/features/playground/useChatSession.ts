/**
 * One conversation with one deployment or connection: send a turn, fold its stream events
 * into the transcript as they arrive, stop it at once.
 */
import * as React from 'react';
import type { TranslationBundle } from '@jupyterlab/translation';

import { isAbortError } from '../../api/chatStream';
import type { IAquaClient } from '../../api/client';
import { AquaApiError } from '../../api/errors';
import type { ChatRequest, InferenceMode } from '../../api/types';
import { streamTurn, type ChatTarget } from '../../shared/chatTarget';
import { describeError } from '../../shared/errors';
import type { SamplingRequestFields } from '../../shared/sampling';
import { contextBudget, promptTokens, type IContextBudget } from './contextBudget';
import {
  answerToolCalls,
  applyChatEvent,
  assistantTurn,
  chatMessages,
  failAnswer,
  stopAnswer,
  turnsBefore,
  updateAnswer,
  userTurn,
  type Turn
} from './transcript';

export interface IChatSession {
  turns: Turn[];
  streaming: boolean;
  /**
   * Send `text` as the next user turn (chat) or as the prompt (completion). With `replace` (a user
   * turn's id: edit and resend, regenerate) that turn is replaced and the turns after it dropped, its
   * images kept. `images`: data: URLs sent with a new turn.
   */
  send: (text: string, system: string, sampling: TurnSettings, replace?: string, images?: string[]) => void;
  /** Give the results of an answer's tool calls and let the model go on (a turn without a question). */
  answerTools: (answerId: string, results: string[], system: string, sampling: TurnSettings) => void;
  /** Abort the answer being written; what arrived stays. */
  stop: () => void;
  clear: () => void;
}

/** What a turn is sent with: sampling, and for chat the structured output schema and tools. */
export type TurnSettings = SamplingRequestFields & Pick<ChatRequest, 'response_format' | 'tools'>;

export interface IChatSessionOptions {
  client: IAquaClient;
  trans: TranslationBundle;
  /** What answers (null: nothing chosen, nothing is sent). */
  target: ChatTarget | null;
  mode: InferenceMode;
  initialTurns: Turn[];
  /** Called after a turn ended in an error (e.g. to reload the deployment's state). */
  onError?: (status: number | null) => void;
  /** The model's context in tokens (the deployment's max_model_len); null when unknown. */
  contextLength?: number | null;
  now?: () => number;
}

// How engines word a prompt longer than the context: vLLM "maximum context length", llama.cpp
// "exceeds the available context size", transformers "longer than the specified maximum sequence
// length", connections' context_length_exceeded.
const CONTEXT_REFUSAL = /context|max_model_len|maximum (sequence )?length|too long/i;

/** What to add to an engine's refusal when the request did not fit in the model's context. */
export function contextRefusalHint(
  budget: IContextBudget | null,
  error: string | null,
  trans: TranslationBundle
): string | null {
  if (!budget || !(budget.over || CONTEXT_REFUSAL.test(error ?? ''))) {
    return null;
  }
  return trans.__(
    "The prompt (%1 tokens, %2) and max tokens (%3) need more than this model's context of %4 tokens: shorten the prompt, lower Max tokens or clear the conversation.",
    budget.tokens,
    budget.source === 'engine' ? trans.__('counted by the engine and estimated') : trans.__('estimated'),
    budget.maxTokens,
    budget.contextLength
  );
}

/** The request body of one turn: the whole conversation for chat, the prompt alone for completion. */
export function turnRequest(
  mode: InferenceMode,
  system: string,
  history: readonly Turn[],
  text: string | null,
  sampling: TurnSettings,
  images?: readonly string[]
): ChatRequest {
  const body: ChatRequest = { ...sampling };
  if (body.top_k === null) {
    delete body.top_k;
  }
  if (body.seed === null) {
    delete body.seed;
  }
  if (mode === 'completion') {
    body.prompt = text ?? '';
    // A prompt is completed as text: the server refuses a schema or tools with it.
    delete body.response_format;
    delete body.tools;
  } else {
    const next: Turn[] = text === null ? [] : [userTurn(text, images)];
    body.messages = chatMessages(system, [...history, ...next]);
  }
  return body;
}

export function useChatSession(options: IChatSessionOptions): IChatSession {
  const { client, trans, target, mode } = options;
  const now = options.now ?? Date.now;
  const [turns, setTurnsState] = React.useState<Turn[]>(options.initialTurns);
  const turnsRef = React.useRef(turns);
  const controller = React.useRef<AbortController | null>(null);
  const activeAnswer = React.useRef<string | null>(null);
  const mounted = React.useRef(true);
  const onErrorRef = React.useRef(options.onError);
  onErrorRef.current = options.onError;
  const contextLengthRef = React.useRef(options.contextLength);
  contextLengthRef.current = options.contextLength;

  const setTurns = React.useCallback((update: (previous: Turn[]) => Turn[]) => {
    const next = update(turnsRef.current);
    if (next === turnsRef.current) {
      return;
    }
    turnsRef.current = next;
    if (mounted.current) {
      setTurnsState(next);
    }
  }, []);

  React.useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
      controller.current?.abort();
    };
  }, []);

  const stop = React.useCallback(() => {
    const answerId = activeAnswer.current;
    controller.current?.abort();
    controller.current = null;
    activeAnswer.current = null;
    if (answerId) {
      setTurns(previous => updateAnswer(previous, answerId, turn => stopAnswer(turn, now())));
    }
  }, [setTurns, now]);

  const send = React.useCallback(
    (text: string | null, system: string, sampling: TurnSettings, replace?: string, images?: string[]) => {
      const history = replace === undefined ? turnsRef.current : turnsBefore(turnsRef.current, replace);
      if (!target || activeAnswer.current || history === null) {
        return;
      }
      // Edit and regenerate send the replaced question's images again.
      const replaced = replace === undefined ? undefined : turnsRef.current.find(turn => turn.id === replace);
      images = images ?? (replaced?.role === 'user' ? replaced.images : undefined);
      const body = turnRequest(mode, system, history, text, sampling, images);
      const budget = contextBudget(
        promptTokens(mode, system, history, text ?? ''),
        sampling.max_tokens ?? 0,
        contextLengthRef.current ?? null
      );
      const question = text === null ? [] : [userTurn(text, images)];
      const schema = mode === 'chat' ? sampling.response_format?.json_schema.schema : undefined;
      const answer = { ...assistantTurn(now()), ...(schema ? { schema } : {}) };
      const abort = new AbortController();
      controller.current = abort;
      activeAnswer.current = answer.id;
      setTurns(() => [...history, ...question, answer]);

      const run = async (): Promise<void> => {
        let failedStatus: number | null | undefined = undefined;
        try {
          for await (const event of streamTurn(client, target, body, abort.signal)) {
            if (abort.signal.aborted) {
              break;
            }
            setTurns(previous => updateAnswer(previous, answer.id, turn => applyChatEvent(turn, event, now())));
            if (event.type === 'error') {
              failedStatus = event.data.status || null;
            }
          }
        } catch (error) {
          if (!abort.signal.aborted && !isAbortError(error)) {
            const status = error instanceof AquaApiError ? error.status || null : null;
            failedStatus = status;
            setTurns(previous =>
              updateAnswer(previous, answer.id, turn => failAnswer(turn, describeError(error, trans), status, now()))
            );
          }
        } finally {
          if (activeAnswer.current === answer.id) {
            activeAnswer.current = null;
            controller.current = null;
          }
          // A stream that ended without a verdict (should not happen) is not left spinning.
          setTurns(previous => updateAnswer(previous, answer.id, turn => stopAnswer(turn, now())));
          if (failedStatus !== undefined) {
            // The engine refused a request longer than the context: say so, and what to do.
            setTurns(previous =>
              updateAnswer(previous, answer.id, turn => {
                const hint = turn.status === 'error' ? contextRefusalHint(budget, turn.error, trans) : null;
                return hint ? { ...turn, error: turn.error ? `${turn.error} ${hint}` : hint } : turn;
              })
            );
            onErrorRef.current?.(failedStatus);
          }
        }
      };
      void run();
    },
    [client, target, mode, now, setTurns, trans]
  );

  const answerTools = React.useCallback(
    (answerId: string, results: string[], system: string, sampling: TurnSettings) => {
      if (activeAnswer.current) {
        return;
      }
      setTurns(previous => updateAnswer(previous, answerId, turn => answerToolCalls(turn, results)));
      send(null, system, sampling);
    },
    [send, setTurns]
  );

  const clear = React.useCallback(() => {
    stop();
    setTurns(() => []);
  }, [stop, setTurns]);

  return {
    turns,
    streaming: turns.some(turn => turn.role === 'assistant' && turn.status === 'streaming'),
    send,
    answerTools,
    stop,
    clear
  };
}
