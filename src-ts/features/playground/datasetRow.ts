/**
 * From chat to dataset: one answer of the transcript, with the prompt it
 * answers (and, for a conversational row, what came before), as the row
 * `POST aqua-ext/datasets/rows` saves. Plain data, tested on its own.
 */
import type { SaveDatasetRowRequest } from '../../api/types';
import { chatMessages, messageText, type Turn } from './transcript';

export type RowFormat = SaveDatasetRowRequest['format'];

/** A dataset row's message: text turns only (tool calls and their results are not kept). */
type RowMessage = NonNullable<SaveDatasetRowRequest['messages']>[number];

export interface ITurnDraft {
  /** What the model saw before the prompt: the system prompt and the earlier turns (answers with text). */
  history: RowMessage[];
  prompt: string;
  answer: string;
}

/** The turn that the answer `answerId` ends, or null when it is not an answer to a prompt. */
export function turnDraft(turns: readonly Turn[], answerId: string, system: string): ITurnDraft | null {
  const index = turns.findIndex(turn => turn.id === answerId);
  const answer = turns[index];
  const prompt = turns[index - 1];
  if (index < 1 || answer.role !== 'assistant' || prompt.role !== 'user') {
    return null;
  }
  const history = chatMessages(system, turns.slice(0, index - 1)).flatMap(message =>
    message.role === 'tool' || message.tool_calls ? [] : [{ role: message.role, content: messageText(message.content) }]
  );
  return { history, prompt: messageText(prompt.content), answer: answer.content };
}

/** A conversation is kept whole as a conversational row; a single exchange is an instruction row. */
export function defaultFormat(draft: ITurnDraft): RowFormat {
  return draft.history.length > 0 ? 'conversational' : 'instruction';
}

/** The request body for `draft` as edited (`prompt`, `answer`), in `format`. */
export function rowRequest(
  draft: ITurnDraft,
  edited: { path: string; format: RowFormat; prompt: string; answer: string; category: string },
  allow: { duplicate: boolean; leakage: boolean }
): SaveDatasetRowRequest {
  const row =
    edited.format === 'instruction'
      ? { prompt: edited.prompt, completion: edited.answer }
      : {
          messages: [
            ...draft.history,
            { role: 'user' as const, content: edited.prompt },
            { role: 'assistant' as const, content: edited.answer }
          ]
        };
  return {
    path: edited.path.trim(),
    format: edited.format,
    ...row,
    category: edited.category.trim() || null,
    allow_duplicate: allow.duplicate,
    allow_leakage: allow.leakage
  };
}
