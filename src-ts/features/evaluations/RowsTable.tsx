import * as React from 'react';

import { Button } from '@jupyterlab/ui-components';
import type { TranslationBundle } from '@jupyterlab/translation';

import type { IAquaClient } from '../../api/client';
import type { EvaluationMetric, EvaluationRow } from '../../api/types';
import { formatScore, scoreLabel } from './format';
import { JudgeCell } from './JudgeViews';
import {
  ariaSort,
  INITIAL_ROWS_VIEW,
  isSortable,
  pageRange,
  ROW_SCORE_COLUMNS,
  rowsQuery,
  toggleSort,
  turnPage,
  withCategory,
  type IRowsView
} from './rowsView';
import { formatInteger } from '../../shared/format';
import { Loaded } from '../../ui/Loading';
import { ValueOptions } from '../../ui/FormField';
import { useFetched } from '../../ui/hooks/useFetched';
import { useLatest } from '../../ui/hooks/useLatest';

export interface IRowsTableProps {
  client: IAquaClient;
  trans: TranslationBundle;
  evaluationId: string;
  /** The metric families the evaluation computed (only their columns sort). */
  metrics: readonly EvaluationMetric[];
  /** Changes when more rows may be there (a new state, more rows done): the page reloads. */
  reloadKey: string;
}

/**
 * The answered rows: prompt, reference, the deployment's output and their
 * scores, sorted by the server when a header is clicked, filtered by
 * category, 100 rows a page.
 */
export function RowsTable(props: IRowsTableProps): JSX.Element {
  const { client, trans, evaluationId } = props;
  const [view, setView] = React.useState<IRowsView>(INITIAL_ROWS_VIEW);
  const [attempt, setAttempt] = React.useState(0);
  const categoryId = React.useId().replace(/:/g, '');

  const query = rowsQuery(view);
  const queryKey = JSON.stringify(query);
  // Asked again when the query says something new (queryKey), not on each new view object.
  const asked = useLatest(query);
  const load = React.useCallback(
    () => client.getEvaluationRows(evaluationId, asked.current),
    [client, evaluationId, asked]
  );
  const { value: page, error, loading } = useFetched(load, `${queryKey} ${props.reloadKey} ${attempt}`);

  const header = (key: string, label: string, sortable: boolean, className?: string): JSX.Element => {
    const sort = ariaSort(view, key);
    return (
      <th key={key} scope="col" aria-sort={sortable ? sort : undefined} className={className} data-sort-key={key}>
        {sortable ? (
          <button
            type="button"
            className="jp-AquaExt-RowsTable-sort"
            onClick={() => setView(previous => toggleSort(previous, key))}
            title={trans.__('Sort by %1', label)}
          >
            {label}
            <span className="jp-AquaExt-RowsTable-sortMark" aria-hidden="true">
              {sort === 'ascending' ? '▲' : sort === 'descending' ? '▼' : ''}
            </span>
          </button>
        ) : (
          label
        )}
      </th>
    );
  };

  const rows = page?.items ?? [];
  const total = page?.total ?? 0;
  // A judge graded the rows: their score (sortable) and each judge's grade and reason.
  const judged = props.metrics.includes('judge');
  const range = pageRange(view, rows.length, total);
  const categories = page?.categories ?? [];

  return (
    <div className="jp-AquaExt-RowsTable-frame" aria-busy={loading}>
      <div className="jp-AquaExt-RowsTable-toolbar">
        {(categories.length > 0 || view.category) && (
          <label className="jp-AquaExt-RowsTable-filter" htmlFor={`${categoryId}-category`}>
            {trans.__('Category')}
            <select
              id={`${categoryId}-category`}
              className="jp-mod-styled jp-AquaExt-input jp-AquaExt-select"
              value={view.category ?? ''}
              onChange={event => setView(previous => withCategory(previous, event.target.value))}
            >
              <option value="">{trans.__('All categories')}</option>
              <ValueOptions values={categories} />
            </select>
          </label>
        )}
        <span className="jp-AquaExt-toolbarSpacer" />
        <span className="jp-AquaExt-RowsTable-range" aria-live="polite">
          {trans.__('%1–%2 of %3', formatInteger(range.from), formatInteger(range.to), formatInteger(range.total))}
        </span>
        <Button
          className="jp-mod-styled jp-AquaExt-button jp-AquaExt-RowsTable-previous"
          type="button"
          disabled={view.offset === 0 || loading}
          onClick={() => setView(previous => turnPage(previous, -1, total))}
        >
          {trans.__('Previous')}
        </Button>
        <Button
          className="jp-mod-styled jp-AquaExt-button jp-AquaExt-RowsTable-next"
          type="button"
          disabled={range.to >= total || loading}
          onClick={() => setView(previous => turnPage(previous, 1, total))}
        >
          {trans.__('Next')}
        </Button>
      </div>
      <Loaded
        trans={trans}
        value={page}
        error={error}
        loading={trans.__('Loading rows…')}
        errorTitle={trans.__('The rows could not be loaded.')}
        errorClassName="jp-AquaExt-ErrorState-inline"
        onRetry={() => setAttempt(n => n + 1)}
      >
        {() => (
          <div className="jp-AquaExt-RowsTable-scroll">
            <table className="jp-AquaExt-RowsTable" aria-label={trans.__('Rows')}>
              <thead>
                <tr>
                  {header('index', trans.__('#'), true, 'jp-AquaExt-numeric')}
                  <th scope="col">{trans.__('Prompt')}</th>
                  <th scope="col">{trans.__('Reference')}</th>
                  <th scope="col">{trans.__('Output')}</th>
                  {ROW_SCORE_COLUMNS.map(column =>
                    header(
                      column.key,
                      scoreLabel(column.key, trans),
                      isSortable(column, props.metrics),
                      'jp-AquaExt-numeric'
                    )
                  )}
                  {judged && header('judge', scoreLabel('judge', trans), true, 'jp-AquaExt-numeric')}
                  {judged && <th scope="col">{trans.__('Judge’s grade (1–5) and reason')}</th>}
                </tr>
              </thead>
              <tbody>
                {rows.map(row => (
                  <RowView key={row.index} row={row} trans={trans} judged={judged} />
                ))}
                {rows.length === 0 && (
                  <tr>
                    <td colSpan={4 + ROW_SCORE_COLUMNS.length + (judged ? 2 : 0)} className="jp-AquaExt-muted">
                      {view.category
                        ? trans.__('No answered row in this category yet.')
                        : trans.__('No row answered yet.')}
                    </td>
                  </tr>
                )}
              </tbody>
            </table>
          </div>
        )}
      </Loaded>
    </div>
  );
}

function RowView(props: { row: EvaluationRow; trans: TranslationBundle; judged: boolean }): JSX.Element {
  const { row, trans } = props;
  const text = (value: string, className: string): JSX.Element => (
    <td className={`jp-AquaExt-RowsTable-text ${className}`}>
      <div className="jp-AquaExt-RowsTable-clamp" title={value}>
        {value}
      </div>
    </td>
  );
  return (
    <tr
      data-row-index={row.index}
      className={row.error ? 'jp-AquaExt-RowsTable-row jp-mod-error' : 'jp-AquaExt-RowsTable-row'}
    >
      <td className="jp-AquaExt-numeric">
        {row.index + 1}
        {row.category && <span className="jp-AquaExt-RowsTable-category">{row.category}</span>}
      </td>
      {text(row.prompt, 'jp-AquaExt-RowsTable-prompt')}
      {text(row.reference, 'jp-AquaExt-RowsTable-reference')}
      {row.error ? (
        <td className="jp-AquaExt-RowsTable-text jp-AquaExt-RowsTable-output">
          <div className="jp-AquaExt-RowsTable-error" title={row.error}>
            {trans.__('Error: %1', row.error)}
          </div>
        </td>
      ) : (
        text(row.output, 'jp-AquaExt-RowsTable-output')
      )}
      {ROW_SCORE_COLUMNS.map(column => (
        <td key={column.key} className="jp-AquaExt-numeric" data-score={column.key}>
          {column.key === 'latency_ms'
            ? formatScore('latency_ms', row.latency_ms ?? row.scores.latency_ms)
            : column.key === 'exact_match' && row.scores.exact_match !== undefined
              ? row.scores.exact_match >= 1
                ? trans.__('Yes')
                : trans.__('No')
              : formatScore(column.key, row.scores[column.key])}
        </td>
      ))}
      {props.judged && (
        <td className="jp-AquaExt-numeric" data-score="judge">
          {formatScore('judge', row.scores.judge)}
        </td>
      )}
      {props.judged && <JudgeCell verdicts={row.judgements} trans={trans} />}
    </tr>
  );
}
