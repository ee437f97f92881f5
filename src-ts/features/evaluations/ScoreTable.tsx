import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import type { EvaluationReport } from '../../api/types';
import { formatScore, orderedScoreKeys, scaleText, scoreInfo, scoreLabel } from './format';
import { formatDuration } from '../../shared/format';
import { formatInteger } from '../../shared/format';

/**
 * The overall scores of a report, each with its scale; the row counts and the report's notes
 * under them. A score with a note and no value (BERTScore on Korean rows) reads "Not computed",
 * never 0.
 */
export function ScoreTable(props: { report: EvaluationReport; trans: TranslationBundle }): JSX.Element {
  const { report, trans } = props;
  const notes = report.notes;
  const keys = orderedScoreKeys([...Object.keys(report.overall.scores), ...Object.keys(notes)]);
  // One line per note, naming every score it is about (ROUGE-1, ROUGE-2, ROUGE-L share theirs).
  const byNote = new Map<string, string[]>();
  for (const key of keys.filter(k => notes[k])) {
    byNote.set(notes[key], [...(byNote.get(notes[key]) ?? []), scoreLabel(key, trans)]);
  }
  return (
    <div className="jp-AquaExt-ScoreTable-frame">
      <table className="jp-AquaExt-ScoreTable" aria-label={trans.__('Overall scores')}>
        <thead>
          <tr>
            <th scope="col">{trans.__('Metric')}</th>
            <th scope="col" className="jp-AquaExt-numeric">
              {trans.__('Score')}
            </th>
            <th scope="col">{trans.__('Scale')}</th>
          </tr>
        </thead>
        <tbody>
          {keys.map(key => (
            <tr key={key} data-score={key}>
              <th scope="row">{scoreLabel(key, trans)}</th>
              <td className="jp-AquaExt-numeric jp-AquaExt-ScoreTable-value">
                {report.overall.scores[key] === undefined
                  ? trans.__('Not computed')
                  : formatScore(key, report.overall.scores[key])}
              </td>
              <td className="jp-AquaExt-muted">{scaleText(scoreInfo(key).scale, trans)}</td>
            </tr>
          ))}
          {keys.length === 0 && (
            <tr>
              <td colSpan={3} className="jp-AquaExt-muted">
                {trans.__('No score was computed.')}
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <p className="jp-AquaExt-ScoreTable-rows">
        {trans.__('%1 of %2 rows answered', formatInteger(report.rows_answered), formatInteger(report.rows_total))}
        {report.rows_failed > 0 && (
          <span className="jp-AquaExt-ScoreTable-failed">
            {' · '}
            {trans._n('%1 row failed (see the rows below)', '%1 rows failed (see the rows below)', report.rows_failed)}
          </span>
        )}
        {report.wall_seconds !== null && ` · ${trans.__('took %1', formatDuration(report.wall_seconds, trans))}`}
      </p>
      {byNote.size > 0 && (
        <ul className="jp-AquaExt-ScoreTable-notes" aria-label={trans.__('Notes on the scores')}>
          {[...byNote].map(([note, labels]) => (
            <li key={note}>{`${labels.join(', ')}: ${note}`}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
