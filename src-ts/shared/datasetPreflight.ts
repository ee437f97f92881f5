/**
 * The dataset preflight (`datasets/validate`) shared by the fine-tune and
 * evaluation forms: what an answer means for a form. A file with bad lines is a
 * 400 naming each line (`line 3`); a missing file a 404; one over the size
 * limit a 413. Those are the dataset's errors and block the submit button; an
 * unreachable server does not (the job checks again).
 */
import { AquaApiError } from '../api/errors';
import type { DatasetReport, LineError } from '../api/types';
import { placeLineErrors } from './fieldErrors';

/** The form inputs a preflight answer can name. */
export type DatasetField = 'dataset_path' | 'model_id' | 'max_seq_length' | 'validation_split';
export const DATASET_FIELDS: readonly DatasetField[] = [
  'dataset_path',
  'model_id',
  'max_seq_length',
  'validation_split'
];
export type DatasetErrors = Partial<Record<DatasetField, string>>;

export interface IPreflightResult {
  /** The request it answers (`preflightKey`). */
  key: string;
  /**
   * ok: the report; invalid: the dataset (or an input it was checked with)
   * has errors; failed: the check itself could not run.
   */
  status: 'ok' | 'invalid' | 'failed';
  report: DatasetReport | null;
  /** Bad lines, in file order. */
  lines: LineError[];
  /** How many lines are bad in all (the answer lists the first 100). */
  linesTotal: number;
  /** Errors for the form's inputs (dataset_path for a missing file, for example). */
  fields: DatasetErrors;
  /** The server's message (invalid, failed). */
  message: string | null;
  /** Why the token lengths are missing when the model's tokenizer was not available. */
  tokenNote: string | null;
}

export function okResult(key: string, report: DatasetReport, tokenNote: string | null = null): IPreflightResult {
  return { key, status: 'ok', report, lines: [], linesTotal: 0, fields: {}, message: null, tokenNote };
}

/**
 * Whether a 400 only says the base model's tokenizer is not on this machine:
 * the dataset can still be checked without the token lengths.
 */
export function isTokenizerMissing(error: unknown): boolean {
  return (
    error instanceof AquaApiError &&
    error.status === 400 &&
    !!error.fields &&
    error.fields.length > 0 &&
    error.fields.every(field => field.field.split('.').pop() === 'model_id')
  );
}

/** What a refused preflight means for the form. */
export function errorResult(key: string, error: unknown, describe: (error: unknown) => string): IPreflightResult {
  const message = describe(error);
  const base: IPreflightResult = {
    key,
    status: 'failed',
    report: null,
    lines: [],
    linesTotal: 0,
    fields: {},
    message,
    tokenNote: null
  };
  if (!(error instanceof AquaApiError) || error.kind !== 'api') {
    return base;
  }
  if (error.status === 400) {
    const placed = placeLineErrors(error.fields, DATASET_FIELDS);
    const fields: DatasetErrors = { ...placed.byField };
    // The preflight names the file `path`; the form calls it the dataset.
    for (const other of placed.other) {
      if (other.field.split('.').pop() === 'path') {
        fields.dataset_path = fields.dataset_path ? `${fields.dataset_path} ${other.message}` : other.message;
      }
    }
    if (!fields.dataset_path && placed.lines.length === 0 && Object.keys(fields).length === 0) {
      fields.dataset_path = message;
    }
    return {
      ...base,
      status: 'invalid',
      lines: [...placed.lines].sort((a, b) => a.line - b.line),
      linesTotal: Math.max(placed.lines.length, totalFromMessage(message)),
      fields
    };
  }
  if (error.status === 404 || error.status === 413) {
    return { ...base, status: 'invalid', fields: { dataset_path: message } };
  }
  return base;
}

/** The dataset has errors: the job would be refused, so the form does not send it. */
export function blocksSubmit(result: IPreflightResult | null): boolean {
  return result !== null && result.status === 'invalid';
}

/** "data.jsonl: 120 invalid lines; line 3: …" → 120 (0 when the message does not say). */
function totalFromMessage(message: string): number {
  const match = /(\d[\d,]*) invalid lines?/.exec(message);
  return match ? Number(match[1].replace(/,/g, '')) : 0;
}
