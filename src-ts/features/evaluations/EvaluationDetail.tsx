import * as React from 'react';

import { downloadIcon } from '@jupyterlab/ui-components';
import type { TranslationBundle } from '@jupyterlab/translation';

import type {
  EvaluationDetail as EvaluationDetailData,
  EvaluationReport,
  EvaluationSummary,
  LogsQuery
} from '../../api/types';
import { escapeStop } from '../../shared/sampling';
import { formatScore, metricLabel, scoreInfo, scoreLabel } from './format';
import { allows } from '../../shared/actions';
import { isFinal, stateMessageText, withLiveFields } from './states';
import { formatInteger } from '../../shared/format';
import type { CopyToClipboard } from '../../shared/callbacks';
import { DetailSection, type IDetailPageProps } from '../../ui/DetailFrame';
import { CodeFact, JobDetailPage, JobLineage, LinkedName } from '../../ui/JobDetailParts';
import { useJobDetail } from '../../ui/hooks/useJobDetail';
import { BarChart } from './BarChart';
import { EvaluationProgress } from './EvaluationProgress';
import { ProvenanceFacts } from './ProvenanceFacts';
import { JudgeSummary } from './JudgeViews';
import { RowsTable } from './RowsTable';
import { ScoreTable } from './ScoreTable';

export interface IEvaluationDetailProps extends IDetailPageProps<EvaluationSummary> {
  evaluationId: string;
  /** Open the deployment that was evaluated. */
  onOpenDeployment?: (deploymentId: string) => void;
  logIntervalMs?: number;
}

/** The 0–1 scores the per-category chart shows, when computed. */
const CATEGORY_CHART_SCORES = ['bertscore', 'rougeL', 'exact_match'];

/**
 * One evaluation: state and progress, the report (overall scores with their
 * scales, scores per category, every row sortable), the download of the HTML
 * report, the parameters, the log, Cancel and Delete.
 */
export function EvaluationDetail(props: IEvaluationDetailProps): JSX.Element {
  const { client, trans, evaluationId, summary } = props;
  const load = React.useCallback(() => client.getEvaluation(evaluationId), [client, evaluationId]);
  const page = useJobDetail<EvaluationDetailData, EvaluationSummary>({
    ...props,
    id: evaluationId,
    load,
    withLiveFields,
    isFinal
  });
  const { job: evaluation, final, name, attempt, cancel, remove } = page;

  const fetchLogs = React.useCallback(
    (query: LogsQuery) => client.getEvaluationLogs(evaluationId, query),
    [client, evaluationId]
  );

  const onCancel = (): Promise<void> =>
    cancel({
      message: trans.__('Cancel the evaluation “%1”? The rows answered so far stay.', name),
      options: { title: trans.__('Cancel evaluation'), acceptLabel: trans.__('Cancel evaluation'), danger: true },
      action: () => client.cancelEvaluation(evaluationId)
    });

  const onDelete = (): Promise<void> =>
    remove({
      message: trans.__('Delete the evaluation “%1”, its rows, report and log?', name),
      options: { title: trans.__('Delete evaluation'), acceptLabel: trans.__('Delete'), danger: true },
      action: () => client.deleteEvaluation(evaluationId),
      deleted: trans.__('Deleted the evaluation “%1”.', name)
    });

  const report = evaluation?.report ?? null;

  return (
    <JobDetailPage
      trans={trans}
      classPrefix="jp-AquaExt-EvaluationDetail"
      dataAttributes={{ 'data-evaluation-id': evaluationId }}
      backLabel={trans.__('← All evaluations')}
      onBack={props.onBack}
      page={page}
      actions={
        report && (
          <a
            className="jp-mod-styled jp-AquaExt-button jp-Button jp-AquaExt-downloadReport"
            href={client.evaluationReportUrl(evaluationId)}
            download={`${evaluationId}-report.html`}
            title={trans.__('The report as one self-contained HTML file')}
          >
            <downloadIcon.react tag="span" className="jp-AquaExt-buttonIcon" />
            {trans.__('Download report')}
          </a>
        )
      }
      cancel={
        allows(evaluation ?? summary, 'cancel')
          ? {
              className: 'jp-mod-styled jp-mod-warn jp-AquaExt-button jp-AquaExt-cancelEvaluationButton',
              label: trans.__('Cancel evaluation'),
              onClick: () => void onCancel()
            }
          : null
      }
      onDelete={allows(evaluation ?? summary, 'delete') ? () => void onDelete() : null}
      loading={trans.__('Loading evaluation…')}
      errorTitle={trans.__('The evaluation could not be loaded.')}
      failedTitle={trans.__('The evaluation failed')}
      stateMessage={shown => stateMessageText(shown, trans)}
      paramRows={shown => evaluationParamRows(shown, trans)}
      paramsClassName="jp-AquaExt-JobParams jp-AquaExt-EvaluationParams"
      lineageTitle={trans.__('What was evaluated')}
      lineage={shown => (
        <Lineage
          evaluation={shown}
          trans={trans}
          copyToClipboard={props.copyToClipboard}
          onOpenDeployment={props.onOpenDeployment}
        />
      )}
      fetchLogs={fetchLogs}
      logTitle={trans.__('Evaluation log')}
      logClassName="jp-AquaExt-EvaluationLogs"
      active={props.active}
      logIntervalMs={props.logIntervalMs}
    >
      {shown => (
        <>
          <div className="jp-AquaExt-ResourceDetail-progress jp-AquaExt-EvaluationDetail-progress">
            <EvaluationProgress evaluation={shown} trans={trans} />
          </div>

          {report ? (
            <>
              <DetailSection className="jp-AquaExt-EvaluationDetail-scores" title={trans.__('Scores')}>
                <ScoreTable report={report} trans={trans} />
              </DetailSection>
              {report.judge && (
                <DetailSection className="jp-AquaExt-EvaluationDetail-judges" title={trans.__('Judges')}>
                  <JudgeSummary judge={report.judge} trans={trans} />
                </DetailSection>
              )}
              <CategoryChart report={report} trans={trans} />
              {report.provenance && <ProvenanceFacts provenance={report.provenance} trans={trans} />}
            </>
          ) : (
            final && (
              <p className="jp-AquaExt-muted jp-AquaExt-EvaluationDetail-noReport">
                {trans.__('This evaluation has no report.')}
              </p>
            )
          )}

          {(shown.rows_done > 0 || report) && (
            <DetailSection className="jp-AquaExt-EvaluationDetail-rows" title={trans.__('Rows')}>
              <RowsTable
                client={client}
                trans={trans}
                evaluationId={evaluationId}
                metrics={shown.metrics}
                reloadKey={`${shown.state}|${final ? '' : Math.floor(shown.rows_done / 100)}|${attempt}`}
              />
            </DetailSection>
          )}
        </>
      )}
    </JobDetailPage>
  );
}

/** Per category: the 0–1 scores side by side (when there is more than one category). */
function CategoryChart(props: { report: EvaluationReport; trans: TranslationBundle }): JSX.Element | null {
  const { report, trans } = props;
  const { categories, keys } = React.useMemo(() => {
    const categories = Object.keys(report.categories).sort((a, b) => a.localeCompare(b));
    const keys = CATEGORY_CHART_SCORES.filter(key =>
      categories.some(c => report.categories[c].scores[key] !== undefined)
    );
    return { categories, keys };
  }, [report]);
  const series = React.useMemo(
    () =>
      keys.map(key => ({
        label: scoreLabel(key, trans),
        values: categories.map(category => report.categories[category].scores[key] ?? null)
      })),
    [categories, keys, report, trans]
  );
  if (categories.length < 2 || keys.length === 0) {
    return null;
  }
  return (
    <DetailSection
      className="jp-AquaExt-EvaluationDetail-categories"
      label={trans.__('Scores by category')}
      title={trans.__('By category')}
    >
      <BarChart
        groups={categories.map(category =>
          trans.__('%1 (%2)', category, formatInteger(report.categories[category].rows))
        )}
        series={series}
        max={1}
        format={value => value.toFixed(2)}
        title={trans.__('Scores by category (0–1)')}
        trans={trans}
        className="jp-AquaExt-CategoryChart"
      />
    </DetailSection>
  );
}

function evaluationParamRows(
  evaluation: EvaluationDetailData,
  trans: TranslationBundle
): Array<[string, string, string]> {
  const p = evaluation.params;
  const judge = evaluation.judge;
  // The judges and their rubric, known from the start (their grades come with the report).
  const judges: Array<[string, string, string]> = judge
    ? [
        [
          'judge',
          trans.__('Judges'),
          trans.__('%1 (rubric %2)', judge.judges.map(item => item.name).join(', '), judge.rubric)
        ]
      ]
    : [];
  return [
    ['metrics', trans.__('Metrics'), evaluation.metrics.map(metric => metricLabel(metric, trans)).join(', ')],
    ...judges,
    ['max_tokens', trans.__('Max tokens'), formatInteger(p.max_tokens)],
    ['temperature', trans.__('Temperature'), String(p.temperature)],
    ['top_p', trans.__('Top-p'), String(p.top_p)],
    ['top_k', trans.__('Top-k'), p.top_k === null || p.top_k === undefined ? trans.__('off') : String(p.top_k)],
    ['frequency_penalty', trans.__('Frequency penalty'), String(p.frequency_penalty)],
    ['presence_penalty', trans.__('Presence penalty'), String(p.presence_penalty)],
    [
      'stop',
      trans.__('Stop sequences'),
      p.stop && p.stop.length > 0 ? p.stop.map(escapeStop).join('  ') : trans.__('none')
    ],
    ['seed', trans.__('Seed'), p.seed === null || p.seed === undefined ? trans.__('random') : String(p.seed)],
    [
      'concurrency',
      trans.__('Concurrency'),
      trans._n('%1 request at once', '%1 requests at once', evaluation.concurrency)
    ],
    [
      'sample_size',
      trans.__('Rows'),
      evaluation.sample_size
        ? trans.__('a sample of %1', formatInteger(evaluation.sample_size))
        : trans.__('every row (%1)', formatInteger(evaluation.rows_total))
    ]
  ];
}

function Lineage(props: {
  evaluation: EvaluationDetailData;
  trans: TranslationBundle;
  copyToClipboard: CopyToClipboard;
  onOpenDeployment?: (deploymentId: string) => void;
}): JSX.Element {
  const { evaluation, trans } = props;
  return (
    <JobLineage
      trans={trans}
      copyToClipboard={props.copyToClipboard}
      source={
        <>
          {evaluation.connection_id ? (
            <>
              <dt>{trans.__('Connection')}</dt>
              <dd data-fact="connection">
                <LinkedName name={evaluation.deployment_name} id={evaluation.connection_id} />
              </dd>
            </>
          ) : (
            <>
              <dt>{trans.__('Deployment')}</dt>
              <dd data-fact="deployment">
                <LinkedName
                  name={evaluation.deployment_name}
                  id={evaluation.deployment_id}
                  onOpen={props.onOpenDeployment}
                />
              </dd>
            </>
          )}
          <dt>{trans.__('Model')}</dt>
          <dd>
            {evaluation.model_name} <code className="jp-AquaExt-muted">{evaluation.model_id}</code>
          </dd>
        </>
      }
      datasetPath={evaluation.dataset_path}
      datasetNote={
        evaluation.finetune_id && (
          <div className="jp-AquaExt-muted">{trans.__('The training data of %1', evaluation.finetune_id)}</div>
        )
      }
      datasetHash={evaluation.dataset_hash}
      jobLabel={trans.__('Evaluation')}
      jobId={evaluation.id}
      jobIdLabel={trans.__('evaluation id')}
      ociJobId={evaluation.job_id}
      ociJobRunId={evaluation.job_run_id}
    >
      <CodeFact label={trans.__('Report location')} value={evaluation.report_uri} />
    </JobLineage>
  );
}

/** The headline scores as one line (for notifications): "BERTScore 0.812 · ROUGE-L 0.455". */
export function headlineText(scores: Readonly<Record<string, number>>, trans: TranslationBundle): string {
  return ['bertscore', 'rougeL']
    .filter(key => scores[key] !== undefined && scoreInfo(key))
    .map(key => `${scoreLabel(key, trans)} ${formatScore(key, scores[key])}`)
    .join(' · ');
}
