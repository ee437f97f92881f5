/**
 * A playground conversation as a file: Markdown to read, or JSON Lines in the
 * conversational `{"messages": [...]}` form that fine-tuning and evaluation read.
 */
import type { ChatMessage } from '../../api/types';
import { chatMessages, messageText, type Turn } from './transcript';

export type ExportFormat = 'markdown' | 'jsonl';

const HEADINGS: Record<ChatMessage['role'], string> = {
  system: 'System',
  user: 'User',
  assistant: 'Assistant',
  tool: 'Tool result'
};

/** What was said, as the next request would send it (failed answers left out). */
export function exportMessages(system: string, turns: readonly Turn[]): ChatMessage[] {
  return chatMessages(system, turns);
}

/** One line: the conversation as one conversational dataset row. */
export function conversationJsonl(system: string, turns: readonly Turn[]): string {
  return JSON.stringify({ messages: exportMessages(system, turns) }) + '\n';
}

/** A heading per message; the text as it was written (answers are already markdown). */
export function conversationMarkdown(title: string, system: string, turns: readonly Turn[]): string {
  const parts = [`# ${title}`];
  for (const message of exportMessages(system, turns)) {
    parts.push(`## ${HEADINGS[message.role]}`, messageText(message.content).trim());
  }
  return parts.join('\n\n') + '\n';
}

// Reserved on Windows or macOS, or path separators: never in a downloaded file's name.
const UNSAFE = /[<>:"/\\|?*]+/g;

function isControl(char: string): boolean {
  const code = char.charCodeAt(0);
  return code < 0x20 || code === 0x7f;
}

/**
 * `<name>-<yyyymmdd-hhmm>.<ext>`: the deployment's name with anything a file system refuses
 * replaced by `-`, never hidden, at most 80 characters before the date (letters of any script kept).
 */
export function exportFileName(name: string, format: ExportFormat, date: Date): string {
  const printable = [...name].map(char => (isControl(char) ? '-' : char)).join('');
  const cleaned = printable
    .replace(UNSAFE, '-')
    .replace(/\s+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[.-]+|[.-]+$/g, '');
  const base = [...cleaned].slice(0, 80).join('') || 'conversation';
  const pad = (value: number): string => String(value).padStart(2, '0');
  const stamp = `${date.getFullYear()}${pad(date.getMonth() + 1)}${pad(date.getDate())}-${pad(date.getHours())}${pad(date.getMinutes())}`;
  return `${base}-${stamp}.${format === 'markdown' ? 'md' : 'jsonl'}`;
}
