/**
 * The engine log view's state: the lines shown, and the server's cursor for
 * "follow" (poll with `after=<cursor>` to get only the lines written since).
 */
import type { LogPage, LogsQuery } from '../api/types';

/** Lines kept in the view; older ones are dropped (the file keeps them all). */
export const MAX_LOG_LINES = 2000;
/** Lines asked for when the view opens or refreshes. */
export const DEFAULT_TAIL = 200;

export interface ILogView {
  lines: string[];
  /** Pass as `after` for what comes next; null before the first answer. */
  cursor: string | null;
  /** The log file, or the OCI log's name. */
  source: string;
  /** Lines dropped from the top to stay under the cap. */
  dropped: number;
}

export const EMPTY_LOG_VIEW: ILogView = Object.freeze({ lines: [], cursor: null, source: '', dropped: 0 }) as ILogView;

/**
 * The query for the next request: the tail when there is no cursor yet (or
 * when not following), the lines after the cursor when following.
 */
export function nextLogQuery(view: ILogView, follow: boolean, tail: number = DEFAULT_TAIL): LogsQuery {
  if (follow && view.cursor) {
    return { after: view.cursor };
  }
  return { tail };
}

/**
 * Fold an answer into the view: an answer to an `after` query appends, a tail
 * answer replaces. An empty follow answer keeps the lines (and takes the
 * cursor the server gave, which may still have moved, e.g. after a rotation).
 */
export function applyLogAnswer(
  view: ILogView,
  answer: LogPage,
  query: LogsQuery,
  maxLines: number = MAX_LOG_LINES
): ILogView {
  const appending = Boolean(query.after);
  const combined = appending ? [...view.lines, ...answer.lines] : [...answer.lines];
  const overflow = Math.max(0, combined.length - maxLines);
  return {
    lines: overflow > 0 ? combined.slice(overflow) : combined,
    cursor: answer.cursor,
    source: answer.source,
    dropped: (appending ? view.dropped : 0) + overflow
  };
}
