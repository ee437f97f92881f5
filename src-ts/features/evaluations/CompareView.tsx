import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import type { IAquaClient } from '../../api/client';
import type { EvaluationComparison, EvaluationSummary } from '../../api/types';
import { categoryRows, orderedEvaluations, overallRows, scaleGroups, type ICompareRow } from './compare';
import { askedName, formatScore, scaleText, scoreLabel, type ScoreScale } from './format';
import { DetailLoadState, DetailTopbar } from '../../ui/ResourceDetail';
import { RefreshButton } from '../../ui/RefreshButton';
import { useFetched } from '../../ui/hooks/useFetched';
import { BarChart } from './BarChart';
import { JobStateBadge } from '../../ui/JobStateBadge';

export interface ICompareViewProps {
  client: IAquaClient;
  trans: TranslationBundle;
  /** The evaluations to compare, 2 to 8, in the order they were chosen. */
  evaluationIds: readonly string[];
  onBack: () => void;
  /** Open one evaluation's detail. */
  onOpen: (evaluationId: string) => void;
}

const FIXED_MAX: Partial<Record<ScoreScale, number>> = { unit: 1, percent: 100 };

/**
 * Two or more evaluations side by side: the overall scores with the best of
 * each metric marked, grouped bars per scale, the scores per category, and
 * what makes the comparison unfair (different datasets or parameters).
 */
export function CompareView(props: ICompareViewProps): JSX.Element {
  const { client, trans, evaluationIds } = props;
  const [attempt, setAttempt] = React.useState(0);
  const idsKey = evaluationIds.join(',');
  const load = React.useCallback(() => client.compareEvaluations(idsKey.split(',')), [client, idsKey]);
  const { value: comparison, error } = useFetched<EvaluationComparison>(load, attempt);

  return (
    <div className="jp-AquaExt-ResourceDetail jp-AquaExt-CompareView">
      <DetailTopbar backLabel={trans.__('← All evaluations')} onBack={props.onBack}>
        <RefreshButton trans={trans} title={trans.__('Compare again')} onClick={() => setAttempt(n => n + 1)} />
      </DetailTopbar>
      {comparison === null ? (
        <DetailLoadState
          trans={trans}
          error={error}
          loading={trans.__('Comparing evaluations…')}
          errorTitle={trans.__('The evaluations could not be compared.')}
          onRetry={() => setAttempt(n => n + 1)}
        />
      ) : (
        <Comparison comparison={comparison} ids={evaluationIds} trans={trans} onOpen={props.onOpen} />
      )}
    </div>
  );
}

function Comparison(props: {
  comparison: EvaluationComparison;
  ids: readonly string[];
  trans: TranslationBundle;
  onOpen: (evaluationId: string) => void;
}): JSX.Element {
  const { comparison, trans } = props;
  const evaluations = React.useMemo(() => orderedEvaluations(comparison, props.ids), [comparison, props.ids]);
  const overall = React.useMemo(() => overallRows(comparison), [comparison]);
  const categories = React.useMemo(() => categoryRows(comparison), [comparison]);
  const groups = React.useMemo(() => scaleGroups(overall.map(row => row.key)), [overall]);
  const byKey = new Map(overall.map(row => [row.key, row]));

  return (
    <div className="jp-AquaExt-ResourceDetail-content jp-AquaExt-CompareView-content">
      <header className="jp-AquaExt-ResourceDetail-header">
        <h2 className="jp-AquaExt-ResourceDetail-name">
          {trans._n('Comparing %1 evaluation', 'Comparing %1 evaluations', evaluations.length)}
        </h2>
      </header>
      {comparison.notes.length > 0 && (
        <ul className="jp-AquaExt-CompareView-notes" aria-label={trans.__('Comparison warnings')}>
          {comparison.notes.map((note, i) => (
            <li key={i} className="jp-AquaExt-CompareView-note">
              <span className="jp-AquaExt-CompareView-noteMark" aria-hidden="true">
                ⚠
              </span>{' '}
              {note}
            </li>
          ))}
        </ul>
      )}

      <section aria-label={trans.__('Overall scores')}>
        <h3 className="jp-AquaExt-sectionTitle">{trans.__('Overall')}</h3>
        <div className="jp-AquaExt-CompareTable-scroll">
          <table className="jp-AquaExt-CompareTable" aria-label={trans.__('Overall scores compared')}>
            <EvaluationHeader evaluations={evaluations} trans={trans} onOpen={props.onOpen} />
            <tbody>
              {overall.map(row => (
                <ScoreRow key={row.key} row={row} evaluations={evaluations} trans={trans} />
              ))}
              {overall.length === 0 && (
                <tr>
                  <td colSpan={1 + evaluations.length} className="jp-AquaExt-muted">
                    {trans.__('None of these evaluations has scores yet.')}
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
      </section>

      {groups.length > 0 && (
        <section aria-label={trans.__('Score charts')} className="jp-AquaExt-CompareView-charts">
          {groups.map(group => (
            <div key={group.scale} className="jp-AquaExt-CompareView-chart" data-scale={group.scale}>
              <h4 className="jp-AquaExt-CompareView-chartTitle">{scaleText(group.scale, trans)}</h4>
              <BarChart
                groups={group.keys.map(key => scoreLabel(key, trans))}
                series={evaluations.map(item => ({
                  label: item.name,
                  values: group.keys.map(key => byKey.get(key)?.values[item.id] ?? null)
                }))}
                max={FIXED_MAX[group.scale] ?? null}
                format={value =>
                  group.scale === 'unit' ? value.toFixed(2) : Math.round(value).toLocaleString('en-US')
                }
                title={trans.__('Scores compared, %1', scaleText(group.scale, trans))}
                trans={trans}
                height={200}
              />
            </div>
          ))}
        </section>
      )}

      {categories.length > 0 && (
        <section aria-label={trans.__('Scores by category')}>
          <h3 className="jp-AquaExt-sectionTitle">{trans.__('By category')}</h3>
          <div className="jp-AquaExt-CompareTable-scroll">
            <table
              className="jp-AquaExt-CompareTable jp-AquaExt-CompareTable-categories"
              aria-label={trans.__('Scores by category compared')}
            >
              <EvaluationHeader evaluations={evaluations} trans={trans} onOpen={props.onOpen} />
              {categories.map(group => (
                <tbody key={group.category} data-category={group.category}>
                  <tr className="jp-AquaExt-CompareTable-category">
                    <th scope="rowgroup" colSpan={1 + evaluations.length}>
                      {group.category}
                    </th>
                  </tr>
                  {group.rows.map(row => (
                    <ScoreRow key={row.key} row={row} evaluations={evaluations} trans={trans} />
                  ))}
                </tbody>
              ))}
            </table>
          </div>
        </section>
      )}
    </div>
  );
}

function EvaluationHeader(props: {
  evaluations: readonly EvaluationSummary[];
  trans: TranslationBundle;
  onOpen: (evaluationId: string) => void;
}): JSX.Element {
  const { trans } = props;
  return (
    <thead>
      <tr>
        <th scope="col">{trans.__('Metric')}</th>
        {props.evaluations.map(item => (
          <th key={item.id} scope="col" className="jp-AquaExt-numeric" data-evaluation-id={item.id}>
            <button type="button" className="jp-AquaExt-linkButton" onClick={() => props.onOpen(item.id)}>
              {item.name}
            </button>
            <span className="jp-AquaExt-CompareTable-sub">
              {askedName(item, trans)} · {item.model_name}
            </span>
            {item.state !== 'SUCCEEDED' && <JobStateBadge state={item.state} trans={trans} />}
          </th>
        ))}
      </tr>
    </thead>
  );
}

function ScoreRow(props: {
  row: ICompareRow;
  evaluations: readonly EvaluationSummary[];
  trans: TranslationBundle;
}): JSX.Element {
  const { row, trans } = props;
  return (
    <tr data-score={row.key}>
      <th scope="row">{scoreLabel(row.key, trans)}</th>
      {props.evaluations.map(item => {
        const best = row.best.includes(item.id);
        return (
          <td
            key={item.id}
            className={best ? 'jp-AquaExt-numeric jp-AquaExt-CompareTable-best' : 'jp-AquaExt-numeric'}
            data-evaluation-id={item.id}
            data-best={best ? 'true' : undefined}
          >
            {formatScore(row.key, row.values[item.id])}
            {best && (
              <>
                <span className="jp-AquaExt-CompareTable-bestMark" aria-hidden="true">
                  {' ★'}
                </span>
                <span className="jp-AquaExt-visuallyHidden">{trans.__(' (best)')}</span>
              </>
            )}
          </td>
        );
      })}
    </tr>
  );
}
