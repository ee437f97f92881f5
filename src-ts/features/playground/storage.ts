/**
 * A playground's conversation and settings in the browser's localStorage,
 * keyed by deployment id, so they survive a page reload.
 *
 * Not the JupyterLab settings registry: conversations are data, not
 * preferences, they would bloat `~/.jupyter/lab/user-settings`, and they
 * belong to one browser. Reads are validated: a corrupt or older entry is
 * dropped, never trusted.
 */
import { readSamplingForm, type ISamplingForm } from '../../shared/sampling';
import { restoreTurns, type Turn } from './transcript';

export const STORAGE_PREFIX = 'aqua-ext:playground:v1:';

/** Turns kept per conversation; older ones are dropped first when saving. */
export const MAX_STORED_TURNS = 200;

export interface IPlaygroundState {
  system: string;
  sampling: ISamplingForm;
  turns: Turn[];
  /** A connection's model chosen here (null: the connection's default). */
  model: string | null;
  /** What is shown beside this one in Compare mode: a deployment's id or a connection's key (`targetKey`). */
  compareWith: string | null;
  /** The model of a connection in Compare mode (null: its default). */
  compareModel: string | null;
  compareTurns: Turn[];
  /** What was typed but not sent. */
  draft: string;
  /** The Embeddings view's inputs. */
  embedInputs: string[];
  /** Structured output's JSON schema and the tools' JSON, as typed (empty: off). */
  schemaText: string;
  toolsText: string;
}

export function storageKey(deploymentId: string): string {
  return STORAGE_PREFIX + deploymentId;
}

/** The browser's localStorage, or null where it is unavailable (privacy modes throw on access). */
export function browserStorage(): Storage | null {
  try {
    return typeof window !== 'undefined' && window.localStorage ? window.localStorage : null;
  } catch {
    return null;
  }
}

function isTurn(value: unknown): value is Turn {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const turn = value as Record<string, unknown>;
  if (typeof turn.id !== 'string' || typeof turn.content !== 'string') {
    return false;
  }
  if (turn.role === 'user') {
    return turn.images === undefined || (Array.isArray(turn.images) && turn.images.every(i => typeof i === 'string'));
  }
  return (
    turn.role === 'assistant' &&
    ['streaming', 'done', 'stopped', 'error'].includes(turn.status as string) &&
    typeof turn.startedAt === 'number' &&
    (turn.toolCalls === undefined || Array.isArray(turn.toolCalls))
  );
}

function readTurns(value: unknown): Turn[] {
  return Array.isArray(value) ? restoreTurns(value.filter(isTurn)) : [];
}

export function loadPlayground(storage: Storage | null, deploymentId: string): IPlaygroundState | null {
  if (!storage) {
    return null;
  }
  let raw: string | null;
  try {
    raw = storage.getItem(storageKey(deploymentId));
  } catch {
    return null;
  }
  if (!raw) {
    return null;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) {
    return null;
  }
  const data = parsed as Record<string, unknown>;
  return {
    system: typeof data.system === 'string' ? data.system : '',
    sampling: readSamplingForm(data.sampling),
    turns: readTurns(data.turns),
    model: typeof data.model === 'string' && data.model ? data.model : null,
    compareWith: typeof data.compareWith === 'string' && data.compareWith ? data.compareWith : null,
    compareModel: typeof data.compareModel === 'string' && data.compareModel ? data.compareModel : null,
    compareTurns: readTurns(data.compareTurns),
    draft: typeof data.draft === 'string' ? data.draft : '',
    embedInputs: Array.isArray(data.embedInputs)
      ? data.embedInputs.filter((item): item is string => typeof item === 'string')
      : [],
    schemaText: typeof data.schemaText === 'string' ? data.schemaText : '',
    toolsText: typeof data.toolsText === 'string' ? data.toolsText : ''
  };
}

/**
 * Save; when the browser's quota is full, retry with only the latest turns.
 * Returns whether it was saved.
 */
export function savePlayground(storage: Storage | null, deploymentId: string, state: IPlaygroundState): boolean {
  if (!storage) {
    return false;
  }
  const attempt = (value: IPlaygroundState): boolean => {
    try {
      storage.setItem(storageKey(deploymentId), JSON.stringify(value));
      return true;
    } catch {
      return false;
    }
  };
  const capped: IPlaygroundState = {
    ...state,
    turns: state.turns.slice(-MAX_STORED_TURNS),
    compareTurns: state.compareTurns.slice(-MAX_STORED_TURNS)
  };
  const latest = { ...capped, turns: capped.turns.slice(-10), compareTurns: capped.compareTurns.slice(-10) };
  // Attached images (data: URLs, up to MBs each) are what fills the quota: keep the words without them.
  return (
    attempt(capped) ||
    attempt(latest) ||
    attempt({ ...latest, turns: withoutImages(latest.turns), compareTurns: withoutImages(latest.compareTurns) })
  );
}

function withoutImages(turns: Turn[]): Turn[] {
  return turns.map(turn => (turn.role === 'user' && turn.images ? { ...turn, images: undefined } : turn));
}

export function clearPlayground(storage: Storage | null, deploymentId: string): void {
  try {
    storage?.removeItem(storageKey(deploymentId));
  } catch {
    // nothing stored, or storage unavailable: nothing to clear
  }
}
