import * as React from 'react';

import { Button, copyIcon } from '@jupyterlab/ui-components';
import type { TranslationBundle } from '@jupyterlab/translation';

import type { IAquaClient } from '../../api/client';
import type { FineTuneDetail as FineTuneDetailData, FineTuneSummary, LogsQuery } from '../../api/types';
import { shapeLabel } from '../../shared/labels';
import { formatDuration, shortHash } from '../../shared/format';
import { formatEpoch, formatLearningRate, formatLoss, formatPercent, trainingTypeLabel } from './format';
import { allows } from '../../shared/actions';
import { isFinal, stateMessageText } from '../../shared/jobStates';
import { withLiveFields } from './states';
import { useFineTuneMetrics } from './useFineTuneMetrics';
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
import { FineTuneProgress } from './FineTuneProgress';
import { JobStateBadge } from '../../ui/JobStateBadge';
import { LossChart } from './LossChart';
import { useLatest } from '../../ui/hooks/useLatest';

export interface IFineTuneDetailProps {
  client: IAquaClient;
  trans: TranslationBundle;
  finetuneId: string;
  /** The list's row: its progress shows at once; a new state reloads the detail. */
  summary: FineTuneSummary | null;
  /** False while the panel or section is hidden: curves and log pause. */
  active: boolean;
  confirm: Confirm;
  notify: Notify;
  copyToClipboard: CopyToClipboard;
  onBack: () => void;
  /** Something changed server-side: reload the list now. */
  onChanged: () => void;
  onDeleted: (finetuneId: string) => void;
  /** Deploy the fine-tuned model (the Deploy button shows when given). */
  onDeploy?: (modelId: string) => void;
  /** Open a model in Models (the fine-tuned one, or the base model). */
  onViewModel?: (modelId: string) => void;
  /** Evaluate on the job's training data (shown once it succeeded). */
  onEvaluate?: (finetuneId: string) => void;
  /** Delay between two metric polls (default 2 s). */
  metricsIntervalMs?: number;
  /** Delay between two log polls while following (default 2 s). */
  logIntervalMs?: number;
}

/** One fine-tuning job: state, progress, live loss curves, parameters, lineage, log and actions. */
export function FineTuneDetail(props: IFineTuneDetailProps): JSX.Element {
  const { client, trans, finetuneId, summary } = props;
  const load = React.useCallback(() => client.getFineTune(finetuneId), [client, finetuneId]);
  const { detail, job, error, final, name, retry, busy, actionError, cancel, remove, onChanged } = useJobDetail<
    FineTuneDetailData,
    FineTuneSummary
  >({
    id: finetuneId,
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

  const { series, error: metricsError } = useFineTuneMetrics(client, finetuneId, {
    active: props.active,
    intervalMs: props.metricsIntervalMs
  });

  // The curves saw the job finish before the list did: reload the detail for its results.
  const metricsState = series.state;
  const shown = useLatest({ detail, retry, onChanged });
  React.useEffect(() => {
    const { detail, retry, onChanged } = shown.current;
    if (metricsState && isFinal(metricsState) && detail && !isFinal(detail.state)) {
      retry();
      onChanged();
    }
  }, [metricsState, shown]);

  const fetchLogs = React.useCallback(
    (query: LogsQuery) => client.getFineTuneLogs(finetuneId, query),
    [client, finetuneId]
  );

  const onCancel = (): Promise<void> =>
    cancel({
      message: trans.__(
        'Cancel the fine-tuning job “%1”? Training stops at the next step and no model is produced.',
        name
      ),
      options: { title: trans.__('Cancel fine-tuning'), acceptLabel: trans.__('Cancel job'), danger: true },
      action: () => client.cancelFineTune(finetuneId)
    });

  const onDelete = (): Promise<void> => {
    const producedModel = job?.output_model_id;
    return remove({
      message: producedModel
        ? trans.__(
            'Delete the fine-tuning job “%1”, its log and metrics, and the model it produced (%2)?',
            name,
            producedModel
          )
        : trans.__('Delete the fine-tuning job “%1”, its log and metrics?', name),
      options: { title: trans.__('Delete fine-tuning job'), acceptLabel: trans.__('Delete'), danger: true },
      action: () => client.deleteFineTune(finetuneId),
      deleted: trans.__('Deleted the fine-tuning job “%1”.', name)
    });
  };

  const current = job ?? summary ?? null;
  // The model to open, deploy and evaluate: there once the server allows deploying it.
  const outputModelId = allows(current, 'deploy') ? (current?.output_model_id ?? null) : null;

  return (
    <div className="jp-AquaExt-ResourceDetail jp-AquaExt-FineTuneDetail" data-finetune-id={finetuneId}>
      <DetailTopbar backLabel={trans.__('← All fine-tuning jobs')} onBack={props.onBack}>
        {outputModelId && props.onViewModel && (
          <Button
            className="jp-mod-styled jp-AquaExt-button jp-AquaExt-viewModelButton"
            onClick={() => props.onViewModel?.(outputModelId)}
            title={trans.__('Open the fine-tuned model in Models')}
          >
            {trans.__('View model')}
          </Button>
        )}
        {outputModelId && props.onDeploy && (
          <Button
            className="jp-mod-styled jp-mod-accept jp-AquaExt-button jp-AquaExt-deployButton jp-AquaExt-FineTuneDetail-deploy"
            onClick={() => props.onDeploy?.(outputModelId)}
            title={trans.__('Serve the fine-tuned model on an inference engine')}
          >
            {trans.__('Deploy')}
          </Button>
        )}
        {allows(current, 'evaluate') && props.onEvaluate && (
          <Button
            className="jp-mod-styled jp-AquaExt-button jp-AquaExt-evaluateButton jp-AquaExt-FineTuneDetail-evaluate"
            onClick={() => props.onEvaluate?.(finetuneId)}
            title={trans.__('Score a deployment of the fine-tuned model on the data it was trained on')}
          >
            {trans.__('Evaluate on its training data')}
          </Button>
        )}
        {allows(current, 'cancel') && (
          <BusyButton
            className="jp-mod-styled jp-mod-warn jp-AquaExt-button jp-AquaExt-cancelFineTuneButton"
            onClick={() => void onCancel()}
            disabled={busy !== null}
            busy={busy === 'cancel'}
            label={trans.__('Cancel job')}
            busyLabel={trans.__('Canceling…')}
          />
        )}
        {allows(current, 'delete') && (
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
      {job === null && (
        <DetailLoadState
          trans={trans}
          error={error}
          loading={trans.__('Loading fine-tuning job…')}
          errorTitle={trans.__('The fine-tuning job could not be loaded.')}
          onRetry={retry}
        />
      )}
      {job !== null && (
        <div className="jp-AquaExt-ResourceDetail-content jp-AquaExt-FineTuneDetail-content">
          <DetailHeader
            name={job.name}
            badge={<JobStateBadge state={job.state} trans={trans} />}
            description={job.description}
          />
          <StateMessage job={job} trans={trans} />
          {final ? (
            <Outcome job={job} trans={trans} />
          ) : (
            <div className="jp-AquaExt-ResourceDetail-progress jp-AquaExt-FineTuneDetail-progress">
              <FineTuneProgress job={job} trans={trans} epochs={job.params.epochs} />
            </div>
          )}

          <section className="jp-AquaExt-FineTuneDetail-curves" aria-label={trans.__('Loss curves')}>
            <h3 className="jp-AquaExt-sectionTitle">{trans.__('Loss')}</h3>
            {metricsError !== null && (
              <ErrorState error={metricsError} trans={trans} className="jp-AquaExt-ErrorState-inline" />
            )}
            <LossChart points={series.points} trans={trans} running={!final} />
          </section>

          <div className="jp-AquaExt-JobDetail-columns">
            <section className="jp-AquaExt-FineTuneDetail-params" aria-label={trans.__('Parameters')}>
              <h3 className="jp-AquaExt-sectionTitle">{trans.__('Parameters')}</h3>
              <FineTuneParams job={job} trans={trans} />
            </section>
            <section className="jp-AquaExt-FineTuneDetail-lineage" aria-label={trans.__('Lineage')}>
              <h3 className="jp-AquaExt-sectionTitle">{trans.__('Lineage')}</h3>
              <Lineage
                job={job}
                trans={trans}
                copyToClipboard={props.copyToClipboard}
                onViewModel={props.onViewModel}
              />
            </section>
          </div>

          <LogsView
            key={job.id}
            trans={trans}
            fetchLogs={fetchLogs}
            title={trans.__('Job log')}
            className="jp-AquaExt-FineTuneLogs"
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

/** Why the job is in its state; for FAILED, the reason and the log lines that show it. */
function StateMessage(props: { job: FineTuneDetailData; trans: TranslationBundle }): JSX.Element {
  const { job, trans } = props;
  return (
    <JobStateMessage
      trans={trans}
      job={job}
      failedTitle={trans.__('The fine-tuning job failed')}
      message={stateMessageText(job, trans)}
      classPrefix="jp-AquaExt-FineTuneDetail"
    />
  );
}

/** A finished job: how it ended, its final losses, time and memory. */
function Outcome(props: { job: FineTuneDetailData; trans: TranslationBundle }): JSX.Element {
  const { job, trans } = props;
  const items: Array<[string, string]> = [];
  items.push([
    trans.__('Steps'),
    job.total_steps ? `${formatInteger(job.step)} / ${formatInteger(job.total_steps)}` : formatInteger(job.step)
  ]);
  items.push([trans.__('Epochs'), `${formatEpoch(job.epoch)} / ${job.params.epochs}`]);
  if (job.final_train_loss !== null) {
    items.push([trans.__('Final train loss'), formatLoss(job.final_train_loss)]);
  }
  if (job.final_validation_loss !== null) {
    items.push([trans.__('Final validation loss'), formatLoss(job.final_validation_loss)]);
  }
  if (job.wall_seconds !== null) {
    items.push([trans.__('Took'), formatDuration(job.wall_seconds, trans)]);
  }
  if (job.peak_memory_mb !== null) {
    items.push([trans.__('Peak memory'), trans.__('%1 GB', (job.peak_memory_mb / 1024).toFixed(1))]);
  }
  return (
    <dl className="jp-AquaExt-FineTuneDetail-outcome" aria-label={trans.__('Outcome')}>
      {items.map(([label, value]) => (
        <div key={label} className="jp-AquaExt-FineTuneDetail-outcomeItem">
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** The hyperparameters the job ran with (only those of its training type). */
function FineTuneParams(props: { job: FineTuneDetailData; trans: TranslationBundle }): JSX.Element {
  const { job, trans } = props;
  const p = job.params;
  const rows: Array<[string, string, string]> = [
    ['training_type', trans.__('Training type'), trainingTypeLabel(p.training_type, trans)],
    ['epochs', trans.__('Epochs'), String(p.epochs)],
    ['learning_rate', trans.__('Learning rate'), formatLearningRate(p.learning_rate)],
    ['batch_size', trans.__('Batch size'), String(p.batch_size)],
    ['max_seq_length', trans.__('Max sequence length'), trans.__('%1 tokens', formatInteger(p.max_seq_length))],
    ['pad_to_max_length', trans.__('Pad to max length'), p.pad_to_max_length ? trans.__('Yes') : trans.__('No')]
  ];
  if (p.training_type === 'lora') {
    rows.push(
      ['lora_r', trans.__('LoRA r'), String(p.lora_r)],
      ['lora_alpha', trans.__('LoRA alpha'), String(p.lora_alpha)],
      ['lora_dropout', trans.__('LoRA dropout'), String(p.lora_dropout)],
      [
        'lora_target_modules',
        trans.__('Target modules'),
        p.lora_target_modules.length > 0 ? p.lora_target_modules.join(', ') : trans.__('All linear layers')
      ]
    );
  } else {
    rows.push([
      'last_n_layers',
      trans.__('Layers trained'),
      trans._n('The last %1 layer', 'The last %1 layers', p.last_n_layers)
    ]);
  }
  rows.push(
    [
      'early_stopping',
      trans.__('Early stopping'),
      p.early_stopping_patience > 0
        ? trans._n(
            'After %1 evaluation without an improvement over %2',
            'After %1 evaluations without an improvement over %2',
            p.early_stopping_patience,
            String(p.early_stopping_threshold)
          )
        : trans.__('Off')
    ],
    ['logging_steps', trans.__('Logging interval'), trans._n('Every %1 step', 'Every %1 steps', p.logging_steps)],
    ['seed', trans.__('Seed'), String(p.seed)],
    ['validation_split', trans.__('Validation split'), formatPercent(job.validation_split)]
  );
  if (job.train_rows !== null || job.validation_rows !== null) {
    rows.push([
      'rows',
      trans.__('Rows'),
      trans.__('%1 train · %2 validation', formatInteger(job.train_rows ?? 0), formatInteger(job.validation_rows ?? 0))
    ]);
  }
  rows.push([
    'shape',
    trans.__('Shape'),
    `${shapeLabel(job.shape, trans)}${job.replicas > 1 ? ` × ${trans._n('%1 node', '%1 nodes', job.replicas)}` : ''}`
  ]);
  rows.push(['created', trans.__('Created'), formatDateTime(job.created_at)]);
  if (job.finished_at) {
    rows.push(['finished', trans.__('Finished'), formatDateTime(job.finished_at)]);
  }
  return <ParamsTable rows={rows} className="jp-AquaExt-JobParams" />;
}

/** Where the model came from and where it went: base model, dataset and its hash, job and run ids. */
function Lineage(props: {
  job: FineTuneDetailData;
  trans: TranslationBundle;
  copyToClipboard: CopyToClipboard;
  onViewModel?: (modelId: string) => void;
}): JSX.Element {
  const { job, trans } = props;
  const code = (value: string, label: string): JSX.Element => (
    <CopyableCode trans={trans} value={value} label={label} copyToClipboard={props.copyToClipboard} />
  );
  return (
    <dl className="jp-AquaExt-ResourceDetail-facts jp-AquaExt-JobDetail-facts">
      <dt>{trans.__('Base model')}</dt>
      <dd>
        {props.onViewModel ? (
          <button
            type="button"
            className="jp-AquaExt-linkButton"
            onClick={() => props.onViewModel?.(job.base_model_id)}
          >
            {job.base_model_name}
          </button>
        ) : (
          job.base_model_name
        )}{' '}
        <code className="jp-AquaExt-muted">{job.base_model_id}</code>
      </dd>
      <dt>{trans.__('Dataset')}</dt>
      <dd>
        {code(job.dataset_path, trans.__('dataset path'))}
        {job.dataset_hash && (
          <div className="jp-AquaExt-JobDetail-hash" title={job.dataset_hash}>
            {trans.__('sha256')} <code>{shortHash(job.dataset_hash)}</code>
            <Button
              className="jp-AquaExt-button jp-AquaExt-iconButton jp-AquaExt-copyButton"
              minimal
              small
              aria-label={trans.__('Copy dataset hash')}
              title={trans.__('Copy the full sha256 of the dataset')}
              onClick={() => props.copyToClipboard(job.dataset_hash)}
            >
              <copyIcon.react tag="span" className="jp-AquaExt-buttonIcon" />
            </Button>
          </div>
        )}
      </dd>
      <dt>{trans.__('Job')}</dt>
      <dd>{code(job.id, trans.__('job id'))}</dd>
      {job.output_model_id && (
        <>
          <dt>{trans.__('Fine-tuned model')}</dt>
          <dd>
            {props.onViewModel && allows(job, 'deploy') ? (
              <button
                type="button"
                className="jp-AquaExt-linkButton"
                onClick={() => props.onViewModel?.(job.output_model_id ?? '')}
              >
                {job.output_model_id}
              </button>
            ) : (
              <code>{job.output_model_id}</code>
            )}
          </dd>
        </>
      )}
      {job.artifact_location && (
        <>
          <dt>{trans.__('Weights')}</dt>
          <dd>
            <code>{job.artifact_location}</code>
          </dd>
        </>
      )}
      {job.job_id && (
        <>
          <dt>{trans.__('OCI job')}</dt>
          <dd>{code(job.job_id, trans.__('OCI job id'))}</dd>
        </>
      )}
      {job.job_run_id && (
        <>
          <dt>{trans.__('OCI job run')}</dt>
          <dd>{code(job.job_run_id, trans.__('OCI job run id'))}</dd>
        </>
      )}
      {job.output_uri && (
        <>
          <dt>{trans.__('Output location')}</dt>
          <dd>
            <code>{job.output_uri}</code>
          </dd>
        </>
      )}
      {job.experiment_name && (
        <>
          <dt>{trans.__('Experiment')}</dt>
          <dd>{job.experiment_name}</dd>
        </>
      )}
      {(job.log_group_id || job.log_id) && (
        <>
          <dt>{trans.__('Logging')}</dt>
          <dd>
            <code>{job.log_group_id}</code> / <code>{job.log_id}</code>
          </dd>
        </>
      )}
      {job.subnet_id && (
        <>
          <dt>{trans.__('Subnet')}</dt>
          <dd>
            <code>{job.subnet_id}</code>
          </dd>
        </>
      )}
    </dl>
  );
}
