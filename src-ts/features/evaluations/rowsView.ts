/**
 * The per-row table's view without React: which column it is sorted by, the
 * category filter and the page, and the `GET …/rows` query they make. Sorting
 * and filtering happen on the server (the rows may be many); a new sort or
 * filter goes back to the first page.
 */
import type { EvaluationMetric, EvaluationRowsQuery } from '../../api/types';

/** Rows per page. */
export const ROWS_PAGE = 100;

export interface IRowsView {
  /** A score name, `latency_ms` or `index`; null: the dataset's order. */
  sort: string | null;
  descending: boolean;
  /** Only this category's rows; null: every row. */
  category: string | null;
  offset: number;
}

export const INITIAL_ROWS_VIEW: Readonly<IRowsView> = Object.freeze({
  sort: null,
  descending: false,
  category: null,
  offset: 0
});

/**
 * A click on a column's header: a new column sorts ascending; the sorted
 * column flips its direction. The `#` column (`index`) with the dataset's
 * order ascending counts as sorted already.
 */
export function toggleSort(view: IRowsView, key: string): IRowsView {
  const current = view.sort ?? 'index';
  if (current === key) {
    return { ...view, sort: key, descending: !view.descending, offset: 0 };
  }
  return { ...view, sort: key, descending: false, offset: 0 };
}

export function withCategory(view: IRowsView, category: string | null): IRowsView {
  return { ...view, category: category || null, offset: 0 };
}

/** The page after (+1) or before (-1) this one, kept within 0..total. */
export function turnPage(view: IRowsView, direction: 1 | -1, total: number): IRowsView {
  const offset = Math.max(0, view.offset + direction * ROWS_PAGE);
  return offset >= total && direction > 0 ? view : { ...view, offset };
}

/** The query of the rows page the view shows. */
export function rowsQuery(view: IRowsView): EvaluationRowsQuery {
  const query: EvaluationRowsQuery = { offset: view.offset, limit: ROWS_PAGE };
  if (view.sort && !(view.sort === 'index' && !view.descending)) {
    query.sort = view.sort;
    query.descending = view.descending;
  }
  if (view.category) {
    query.category = view.category;
  }
  return query;
}

/** `aria-sort` of a column's header. */
export function ariaSort(view: IRowsView, key: string): 'ascending' | 'descending' | 'none' {
  const current = view.sort ?? 'index';
  if (current !== key) {
    return 'none';
  }
  return view.descending ? 'descending' : 'ascending';
}

/** "1–100 of 250", "0 of 0". */
export function pageRange(view: IRowsView, shown: number, total: number): { from: number; to: number; total: number } {
  return { from: shown === 0 ? 0 : view.offset + 1, to: view.offset + shown, total };
}

/** The per-row columns and the metric family that must have run for them to be sortable. */
export interface IRowColumn {
  /** The sort key (`index`, a score name, `latency_ms`). */
  key: string;
  /** null: always there (the row number). */
  metric: EvaluationMetric | null;
}

export const ROW_SCORE_COLUMNS: readonly IRowColumn[] = [
  { key: 'rougeL', metric: 'rouge' },
  { key: 'bertscore', metric: 'bertscore' },
  { key: 'exact_match', metric: 'exact_match' },
  { key: 'latency_ms', metric: 'latency' }
];

/** Whether the server can sort by this column for an evaluation that computed `metrics`. */
export function isSortable(column: IRowColumn, metrics: readonly EvaluationMetric[]): boolean {
  return column.metric === null || metrics.includes(column.metric);
}
