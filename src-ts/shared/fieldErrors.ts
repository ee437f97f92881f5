/**
 * Place a 400 answer's field errors next to the form inputs they concern.
 */
import type { FieldError, LineError } from '../api/types';

export interface IPlacedFieldErrors<K extends string> {
  /** Messages per form input. */
  byField: Partial<Record<K, string>>;
  /** Errors that name no known input. */
  other: FieldError[];
}

/**
 * Match each field error to an input by the last segment of its dotted path
 * that names one (`body.path`, `hf_id`, `query.token` → `path`, `hf_id`,
 * `token`; a list item such as `body.params.3` → `params`). Errors on
 * the whole body whose message starts with a known field name (pydantic's
 * "Value error, path: required when …") go to that field too.
 */
export function placeFieldErrors<K extends string>(
  fields: readonly FieldError[] | null | undefined,
  known: readonly K[]
): IPlacedFieldErrors<K> {
  const byField: Partial<Record<K, string>> = {};
  const other: FieldError[] = [];
  const names = new Set<string>(known);
  for (const error of fields ?? []) {
    const segments = error.field.split(/[.[\]/]+/).filter(Boolean);
    let target: string | undefined = [...segments].reverse().find(segment => names.has(segment));
    let message = error.message.replace(/^value error,\s*/i, '');
    if (!target || !names.has(target)) {
      const prefixed = /^([A-Za-z_]+):\s*(.+)$/.exec(message);
      target = prefixed && names.has(prefixed[1]) ? prefixed[1] : undefined;
      if (prefixed && target) {
        message = prefixed[2];
      }
    }
    if (target) {
      const key = target as K;
      byField[key] = byField[key] ? `${byField[key]} ${message}` : message;
    } else {
      other.push(error);
    }
  }
  return { byField, other };
}

/** `line 3` (from `datasets/validate`) or `dataset_path: line 3` (from a job's preflight) → 3. */
export function lineNumberOf(field: string): number | null {
  const match = /^(?:[A-Za-z_]+:\s*)?line (\d+)$/i.exec(field.trim());
  return match ? Number(match[1]) : null;
}

export interface IPlacedLineErrors<K extends string> extends IPlacedFieldErrors<K> {
  /** The dataset's bad lines (the preflight lists them; the dataset input says how many). */
  lines: LineError[];
}

/**
 * Place a 400's field errors under the inputs. The dataset preflight names a
 * bad line `line 3` (or `dataset_path: line 3` when a job ran it): those come
 * back as `lines`; any other `name: detail` field lands under `name` with the
 * detail kept in the message.
 */
export function placeLineErrors<K extends string>(
  fields: readonly FieldError[] | null | undefined,
  known: readonly K[]
): IPlacedLineErrors<K> {
  const lines: LineError[] = [];
  const rest: FieldError[] = [];
  for (const error of fields ?? []) {
    const line = lineNumberOf(error.field);
    if (line !== null) {
      lines.push({ line, message: error.message });
      continue;
    }
    const prefixed = /^([A-Za-z_]+):\s*(.+)$/.exec(error.field);
    if (prefixed && (known as readonly string[]).includes(prefixed[1])) {
      rest.push({ field: prefixed[1], message: `${prefixed[2]}: ${error.message}` });
    } else {
      rest.push(error);
    }
  }
  return { ...placeFieldErrors(rest, known), lines };
}
