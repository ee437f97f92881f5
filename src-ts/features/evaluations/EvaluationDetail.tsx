import * as React from 'react';

import { downloadIcon } from '@jupyterlab/ui-components';
import type { TranslationBundle } from '@jupyterlab/translation';

import type { IAquaClient } from '../../api/client';
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
import { shortHash } from '../../shared/format';
import { formatDateTime, formatInteger } from '../../shared/format';
import type { Confirm, CopyToClipboard, Notify } from '../../shared/callbacks';
import { LogsView } from '../../ui/LogsView';
import { ErrorState } from '../../ui/ErrorState';
import {
  BusyButton,
  CopyableCode,
  DeleteButton,
  DetailHeader,
  DetailLoadState,
  DetailTopbar,
  JobStateMessage,
  ParamsTable
} from '../../ui/ResourceDetail';
import { useJobDetail } from '../../ui/hooks/useJobDetail';
import { BarChart } from './BarChart';
import { EvaluationProgress } from './EvaluationProgress';
import { JobStateBadge } from '../../ui/JobStateBadge';
import { RowsTable } from './RowsTable';
import { ScoreTable } from './ScoreTable';

export interface IEvaluationDetailProps {
  client: IAquaClient;
  trans: TranslationBundle;
  evaluationId: string;
  /** The list's row: its progress shows at once; a new state reloads the detail. */
  summary: EvaluationSummary | null;
  /** False while the panel or section is hidden: the log pauses. */
  active: boolean;
  confirm: Confirm;
  notify: Notify;
  copyToClipboard: CopyToClipboard;
  onBack: () => void;
  onChanged: () => void;
  onDeleted: (evaluationId: string) => void;
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
  const {
    job: evaluation,
    error,
    final,
    name,
    attempt,
    retry,
    busy,
    actionError,
    cancel,
    remove
  } = useJobDetail<EvaluationDetailData, EvaluationSummary>({
    id: evaluationId,
    summary,
    load,
    withLiveFields,
    isFinal,
    confirm: props.confirm,
    notify: props.notify,
    trans,
    onChanged: props.onChanged,
    onDeleted: props.onDeleted
  });

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
    <div className="jp-AquaExt-ResourceDetail jp-AquaExt-EvaluationDetail" data-evaluation-id={evaluationId}>
      <DetailTopbar backLabel={trans.__('← All evaluations')} onBack={props.onBack}>
        {report && (
          <a
            className="jp-mod-styled jp-AquaExt-button jp-Button jp-AquaExt-downloadReport"
            href={client.evaluationReportUrl(evaluationId)}
            download={`${evaluationId}-report.html`}
            title={trans.__('The report as one self-contained HTML file')}
          >
            <downloadIcon.react tag="span" className="jp-AquaExt-buttonIcon" />
            {trans.__('Download report')}
          </a>
        )}
        {allows(evaluation ?? summary, 'cancel') && (
          <BusyButton
            className="jp-mod-styled jp-mod-warn jp-AquaExt-button jp-AquaExt-cancelEvaluationButton"
            onClick={() => void onCancel()}
            disabled={busy !== null}
            busy={busy === 'cancel'}
            label={trans.__('Cancel evaluation')}
            busyLabel={trans.__('Canceling…')}
          />
        )}
        {allows(evaluation ?? summary, 'delete') && (
          <DeleteButton
            trans={trans}
            disabled={busy !== null}
            deleting={busy === 'delete'}
            onClick={() => void onDelete()}
          />
        )}
      </DetailTopbar>
      {actionError !== null && (
        <ErrorState error={actionError} trans={trans} className="jp-AquaExt-ErrorState-banner" />
      )}
      {evaluation === null && (
        <DetailLoadState
          trans={trans}
          error={error}
          loading={trans.__('Loading evaluation…')}
          errorTitle={trans.__('The evaluation could not be loaded.')}
          onRetry={retry}
        />
      )}
      {evaluation !== null && (
        <div className="jp-AquaExt-ResourceDetail-content jp-AquaExt-EvaluationDetail-content">
          <DetailHeader
            name={evaluation.name}
            badge={<JobStateBadge state={evaluation.state} trans={trans} />}
            description={evaluation.description}
          />
          <StateMessage evaluation={evaluation} trans={trans} />
          <div className="jp-AquaExt-ResourceDetail-progress jp-AquaExt-EvaluationDetail-progress">
            <EvaluationProgress evaluation={evaluation} trans={trans} />
          </div>

          {report ? (
            <>
              <section className="jp-AquaExt-EvaluationDetail-scores" aria-label={trans.__('Scores')}>
                <h3 className="jp-AquaExt-sectionTitle">{trans.__('Scores')}</h3>
                <ScoreTable report={report} trans={trans} />
              </section>
              <CategoryChart report={report} trans={trans} />
            </>
          ) : (
            final && (
              <p className="jp-AquaExt-muted jp-AquaExt-EvaluationDetail-noReport">
                {trans.__('This evaluation has no report.')}
              </p>
            )
          )}

          {(evaluation.rows_done > 0 || report) && (
            <section className="jp-AquaExt-EvaluationDetail-rows" aria-label={trans.__('Rows')}>
              <h3 className="jp-AquaExt-sectionTitle">{trans.__('Rows')}</h3>
              <RowsTable
                client={client}
                trans={trans}
                evaluationId={evaluationId}
                metrics={evaluation.metrics}
                reloadKey={`${evaluation.state}|${final ? '' : Math.floor(evaluation.rows_done / 100)}|${attempt}`}
              />
            </section>
          )}

          <div className="jp-AquaExt-JobDetail-columns">
            <section className="jp-AquaExt-EvaluationDetail-params" aria-label={trans.__('Parameters')}>
              <h3 className="jp-AquaExt-sectionTitle">{trans.__('Parameters')}</h3>
              <EvaluationParams evaluation={evaluation} trans={trans} />
            </section>
            <section className="jp-AquaExt-EvaluationDetail-lineage" aria-label={trans.__('Lineage')}>
              <h3 className="jp-AquaExt-sectionTitle">{trans.__('What was evaluated')}</h3>
              <Lineage
                evaluation={evaluation}
                trans={trans}
                copyToClipboard={props.copyToClipboard}
                onOpenDeployment={props.onOpenDeployment}
              />
            </section>
          </div>

          <LogsView
            key={evaluation.id}
            trans={trans}
            fetchLogs={fetchLogs}
            title={trans.__('Evaluation log')}
            className="jp-AquaExt-EvaluationLogs"
            initialFollow={!final}
            ended={final}
            active={props.active}
            followIntervalMs={props.logIntervalMs}
          />
        </div>
      )}
    </div>
  );
}

function StateMessage(props: { evaluation: EvaluationDetailData; trans: TranslationBundle }): JSX.Element {
  const { evaluation, trans } = props;
  return (
    <JobStateMessage
      trans={trans}
      job={evaluation}
      failedTitle={trans.__('The evaluation failed')}
      message={stateMessageText(evaluation, trans)}
      classPrefix="jp-AquaExt-EvaluationDetail"
    />
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
    <section className="jp-AquaExt-EvaluationDetail-categories" aria-label={trans.__('Scores by category')}>
      <h3 className="jp-AquaExt-sectionTitle">{trans.__('By category')}</h3>
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
    </section>
  );
}

function EvaluationParams(props: { evaluation: EvaluationDetailData; trans: TranslationBundle }): JSX.Element {
  const { evaluation, trans } = props;
  const p = evaluation.params;
  const rows: Array<[string, string, string]> = [
    ['metrics', trans.__('Metrics'), evaluation.metrics.map(metric => metricLabel(metric, trans)).join(', ')],
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
    ],
    ['created', trans.__('Created'), formatDateTime(evaluation.created_at)]
  ];
  if (evaluation.finished_at) {
    rows.push(['finished', trans.__('Finished'), formatDateTime(evaluation.finished_at)]);
  }
  return <ParamsTable rows={rows} className="jp-AquaExt-JobParams jp-AquaExt-EvaluationParams" />;
}

function Lineage(props: {
  evaluation: EvaluationDetailData;
  trans: TranslationBundle;
  copyToClipboard: CopyToClipboard;
  onOpenDeployment?: (deploymentId: string) => void;
}): JSX.Element {
  const { evaluation, trans } = props;
  const copy = (value: string, label: string): JSX.Element => (
    <CopyableCode trans={trans} value={value} label={label} copyToClipboard={props.copyToClipboard} />
  );
  return (
    <dl className="jp-AquaExt-ResourceDetail-facts jp-AquaExt-JobDetail-facts">
      <dt>{trans.__('Deployment')}</dt>
      <dd>
        {props.onOpenDeployment ? (
          <button
            type="button"
            className="jp-AquaExt-linkButton"
            onClick={() => props.onOpenDeployment?.(evaluation.deployment_id)}
          >
            {evaluation.deployment_name}
          </button>
        ) : (
          evaluation.deployment_name
        )}{' '}
        <code className="jp-AquaExt-muted">{evaluation.deployment_id}</code>
      </dd>
      <dt>{trans.__('Model')}</dt>
      <dd>
        {evaluation.model_name} <code className="jp-AquaExt-muted">{evaluation.model_id}</code>
      </dd>
      <dt>{trans.__('Dataset')}</dt>
      <dd>
        {copy(evaluation.dataset_path, trans.__('dataset path'))}
        {evaluation.finetune_id && (
          <div className="jp-AquaExt-muted">{trans.__('The training data of %1', evaluation.finetune_id)}</div>
        )}
        {evaluation.dataset_hash && (
          <div className="jp-AquaExt-JobDetail-hash" title={evaluation.dataset_hash}>
            {trans.__('sha256')} <code>{shortHash(evaluation.dataset_hash)}</code>
          </div>
        )}
      </dd>
      <dt>{trans.__('Evaluation')}</dt>
      <dd>{copy(evaluation.id, trans.__('evaluation id'))}</dd>
      {evaluation.job_id && (
        <>
          <dt>{trans.__('OCI job')}</dt>
          <dd>{copy(evaluation.job_id, trans.__('OCI job id'))}</dd>
        </>
      )}
      {evaluation.job_run_id && (
        <>
          <dt>{trans.__('OCI job run')}</dt>
          <dd>{copy(evaluation.job_run_id, trans.__('OCI job run id'))}</dd>
        </>
      )}
      {evaluation.report_uri && (
        <>
          <dt>{trans.__('Report location')}</dt>
          <dd>
            <code>{evaluation.report_uri}</code>
          </dd>
        </>
      )}
    </dl>
  );
}

/** The headline scores as one line (for notifications): "BERTScore 0.812 · ROUGE-L 0.455". */
export function headlineText(scores: Readonly<Record<string, number>>, trans: TranslationBundle): string {
  return ['bertscore', 'rougeL']
    .filter(key => scores[key] !== undefined && scoreInfo(key))
    .map(key => `${scoreLabel(key, trans)} ${formatScore(key, scores[key])}`)
    .join(' · ');
}
