import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import type { DatasetReport } from '../api/types';
import type { IPreflightResult } from '../shared/datasetPreflight';
import { formatBytes, formatInteger } from '../shared/format';

/** Lines listed before "… and N more". */
const SHOWN_LINES = 20;

export interface IPreflightSummaryProps {
  /** The last answer for what the form says now (null: nothing checked yet). */
  result: IPreflightResult | null;
  /** A check is running (the previous answer stays shown, dimmed). */
  checking: boolean;
  trans: TranslationBundle;
  /** Check the same file again (after fixing it on disk). */
  onRecheck?: () => void;
}

/**
 * The dataset preflight in the form: rows, the split, duplicates, token
 * lengths against the sequence length, warnings; or every bad line with its
 * number. A missing file is said under the dataset input instead.
 */
export function PreflightSummary(props: IPreflightSummaryProps): JSX.Element | null {
  const { result, checking, trans } = props;
  if (!result && !checking) {
    return null;
  }
  const status = result?.status ?? 'checking';
  return (
    <section
      className={`jp-AquaExt-Preflight jp-mod-${status}${checking ? ' jp-mod-checking' : ''}`}
      aria-label={trans.__('Dataset check')}
      aria-busy={checking}
      aria-live="polite"
      data-status={checking ? 'checking' : status}
    >
      {checking && (
        <div className="jp-AquaExt-Preflight-checking" role="status">
          <span className="jp-AquaExt-spinner" aria-hidden="true" />
          {trans.__('Checking the dataset…')}
        </div>
      )}
      {result?.status === 'ok' && result.report && (
        <ReportView report={result.report} tokenNote={result.tokenNote} trans={trans} />
      )}
      {result?.status === 'invalid' && result.lines.length > 0 && (
        <div className="jp-AquaExt-Preflight-invalid">
          <div className="jp-AquaExt-Preflight-headline">
            <span className="jp-AquaExt-doesNotFit" aria-hidden="true">
              ✗
            </span>{' '}
            {trans._n(
              '%1 invalid line: fix the file, then check again.',
              '%1 invalid lines: fix the file, then check again.',
              Math.max(result.linesTotal, result.lines.length)
            )}
          </div>
          <ul className="jp-AquaExt-Preflight-lines" aria-label={trans.__('Invalid lines')}>
            {result.lines.slice(0, SHOWN_LINES).map(item => (
              <li key={item.line} data-line={item.line}>
                <span className="jp-AquaExt-Preflight-lineNumber">{trans.__('Line %1', item.line)}</span>
                {item.message}
              </li>
            ))}
          </ul>
          {Math.max(result.linesTotal, result.lines.length) > SHOWN_LINES && (
            <div className="jp-AquaExt-formField-hint">
              {trans.__('… and %1 more.', Math.max(result.linesTotal, result.lines.length) - SHOWN_LINES)}
            </div>
          )}
        </div>
      )}
      {result?.status === 'invalid' && result.lines.length === 0 && (
        <div className="jp-AquaExt-Preflight-invalid">
          <div className="jp-AquaExt-Preflight-headline">
            <span className="jp-AquaExt-doesNotFit" aria-hidden="true">
              ✗
            </span>{' '}
            {trans.__('This dataset cannot be used as it is (see above).')}
          </div>
        </div>
      )}
      {result?.status === 'failed' && (
        <div className="jp-AquaExt-Preflight-failed">
          {trans.__(
            'The dataset could not be checked (%1); the job checks it again when it starts.',
            result.message ?? ''
          )}
        </div>
      )}
      {result && result.status !== 'ok' && !checking && props.onRecheck && (
        <div className="jp-AquaExt-Preflight-actions">
          <button
            type="button"
            className="jp-AquaExt-linkButton jp-AquaExt-Preflight-recheck"
            onClick={props.onRecheck}
          >
            {trans.__('Check again')}
          </button>
        </div>
      )}
    </section>
  );
}

function ReportView(props: { report: DatasetReport; tokenNote: string | null; trans: TranslationBundle }): JSX.Element {
  const { report, trans } = props;
  const tokens = report.tokens;
  const invalid = report.rows - report.valid_rows;
  const categories = Object.entries(report.categories).sort((a, b) => b[1] - a[1]);
  return (
    <div className="jp-AquaExt-Preflight-report">
      <div className="jp-AquaExt-Preflight-headline">
        <span className="jp-AquaExt-fits" aria-hidden="true">
          ✓
        </span>{' '}
        {invalid === 0
          ? trans._n('%2 row, all valid', '%2 rows, all valid', report.rows, formatInteger(report.rows))
          : trans.__('%1 rows, %2 valid', formatInteger(report.rows), formatInteger(report.valid_rows))}
        <span className="jp-AquaExt-Badge jp-AquaExt-Badge-muted jp-AquaExt-Preflight-format">
          {report.format === 'conversational' ? trans.__('Conversational') : trans.__('Instruction')}
        </span>
      </div>
      <dl className="jp-AquaExt-Preflight-facts">
        <div>
          <dt>{trans.__('Split')}</dt>
          <dd className="jp-AquaExt-Preflight-split">
            {trans.__(
              '%1 train · %2 validation',
              formatInteger(report.train_rows),
              formatInteger(report.validation_rows)
            )}
          </dd>
        </div>
        <div>
          <dt>{trans.__('Duplicates')}</dt>
          <dd>{formatInteger(report.duplicates)}</dd>
        </div>
        <div>
          <dt>{trans.__('Size')}</dt>
          <dd>{formatBytes(report.size_bytes)}</dd>
        </div>
        {categories.length > 1 && (
          <div>
            <dt>{trans.__('Categories')}</dt>
            <dd>
              {categories
                .slice(0, 5)
                .map(([name, count]) => `${name} ${formatInteger(count)}`)
                .join(' · ')}
              {categories.length > 5 ? ' …' : ''}
            </dd>
          </div>
        )}
        {tokens && (
          <div className="jp-AquaExt-Preflight-tokens">
            <dt>{trans.__('Tokens per row')}</dt>
            <dd>
              {trans.__(
                'p50 %1 · p95 %2 · max %3',
                formatInteger(tokens.p50),
                formatInteger(tokens.p95),
                formatInteger(tokens.max)
              )}
            </dd>
          </div>
        )}
      </dl>
      {tokens && tokens.over_limit > 0 && (
        <div className="jp-AquaExt-Preflight-warning jp-AquaExt-Preflight-overLimit">
          {trans._n(
            '%1 row is longer than %2 tokens and would be truncated',
            '%1 rows are longer than %2 tokens and would be truncated',
            tokens.over_limit,
            formatInteger(tokens.max_seq_length)
          )}
          {tokens.over_limit_lines.length > 0
            ? trans.__(
                ' (lines %1%2).',
                tokens.over_limit_lines.join(', '),
                tokens.over_limit > tokens.over_limit_lines.length ? ', …' : ''
              )
            : '.'}
        </div>
      )}
      {props.tokenNote && (
        <div className="jp-AquaExt-formField-hint jp-AquaExt-Preflight-tokenNote">
          {trans.__('Token lengths not measured: %1', props.tokenNote)}
        </div>
      )}
      {report.warnings.length > 0 && (
        <ul className="jp-AquaExt-Preflight-warnings" aria-label={trans.__('Warnings')}>
          {report.warnings.map((warning, i) => (
            <li key={i} className="jp-AquaExt-Preflight-warning">
              {warning}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
