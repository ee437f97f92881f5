import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import type { EvaluationReport, EvaluationRow } from '../../api/types';
import { formatInteger } from '../../shared/format';

type JudgeReport = NonNullable<EvaluationReport['judge']>;
type JudgeVerdict = EvaluationRow['judgements'][number];

function fixed(value: number | null | undefined, digits: number): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '—' : value.toFixed(digits);
}

function rubricText(judge: JudgeReport, trans: TranslationBundle): string {
  switch (judge.rubric) {
    case 'correctness':
      return trans.__('correctness');
    case 'helpfulness':
      return trans.__('helpfulness');
    default:
      return trans.__('custom: %1', judge.rubric_text);
  }
}

/**
 * The judges of a report: each one's rows graded and not, its mean score on
 * the 1–5 scale and its token cost; the totals; with two judges, their
 * agreement (exact, Cohen's kappa, Spearman).
 */
export function JudgeSummary(props: { judge: JudgeReport; trans: TranslationBundle }): JSX.Element {
  const { judge, trans } = props;
  const [low, high] = judge.scale;
  const agreement = judge.agreement;
  return (
    <div className="jp-AquaExt-JudgeSummary">
      <p className="jp-AquaExt-muted">
        {trans.__(
          'Graded %1 to %2 by the %3 rubric; the Judge score is the judges’ mean, as 0–1.',
          low,
          high,
          rubricText(judge, trans)
        )}
      </p>
      <table className="jp-AquaExt-ScoreTable jp-AquaExt-JudgeSummary-table" aria-label={trans.__('Judges')}>
        <thead>
          <tr>
            <th scope="col">{trans.__('Judge')}</th>
            {[
              trans.__('Graded'),
              trans.__('Not graded'),
              trans.__('Mean (%1–%2)', low, high),
              trans.__('Tokens (prompt + completion)')
            ].map(label => (
              <th key={label} scope="col" className="jp-AquaExt-numeric">
                {label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {judge.judges.map((tally, place) => (
            <tr key={place} data-judge={place}>
              <td>{tally.name}</td>
              <td className="jp-AquaExt-numeric">{formatInteger(tally.rows_scored)}</td>
              <td className="jp-AquaExt-numeric">{formatInteger(tally.rows_failed)}</td>
              <td className="jp-AquaExt-numeric">{fixed(tally.mean_score, 2)}</td>
              <td className="jp-AquaExt-numeric">
                {trans.__('%1 + %2', formatInteger(tally.prompt_tokens), formatInteger(tally.completion_tokens))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="jp-AquaExt-JudgeSummary-cost">
        {trans.__(
          'Judge tokens in all: %1 prompt + %2 completion.',
          formatInteger(judge.prompt_tokens),
          formatInteger(judge.completion_tokens)
        )}
      </p>
      {agreement && (
        <p className="jp-AquaExt-JudgeSummary-agreement">
          {trans.__(
            'Agreement on the %1 rows both judges graded: exact %2, Cohen’s kappa (quadratic) %3, Spearman %4.',
            formatInteger(agreement.rows),
            fixed(agreement.exact, 3),
            fixed(agreement.kappa, 3),
            fixed(agreement.spearman, 3)
          )}
        </p>
      )}
    </div>
  );
}

/** A row's grades: each judge's 1–5 score and reason, or why it has none (never a 0). */
export function JudgeCell(props: { verdicts: readonly JudgeVerdict[]; trans: TranslationBundle }): JSX.Element {
  const { verdicts, trans } = props;
  if (verdicts.length === 0) {
    return <td className="jp-AquaExt-RowsTable-text jp-AquaExt-RowsTable-judge">—</td>;
  }
  return (
    <td className="jp-AquaExt-RowsTable-text jp-AquaExt-RowsTable-judge">
      {verdicts.map(verdict => {
        const who = verdicts.length > 1 ? trans.__('Judge %1: ', verdict.judge + 1) : '';
        return verdict.error ? (
          <div key={verdict.judge} className="jp-AquaExt-RowsTable-error" title={verdict.error}>
            {who}
            {trans.__('not graded: %1', verdict.error)}
          </div>
        ) : (
          <div key={verdict.judge} className="jp-AquaExt-RowsTable-clamp" title={verdict.reason ?? ''}>
            {who}
            <strong data-judge-score={verdict.score}>{verdict.score}</strong>
            {verdict.reason ? ` — ${verdict.reason}` : ''}
          </div>
        );
      })}
    </td>
  );
}
