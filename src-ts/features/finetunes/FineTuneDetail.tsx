import * as React from 'react';

import { Button, copyIcon } from '@jupyterlab/ui-components';
import type { TranslationBundle } from '@jupyterlab/translation';

import type { FineTuneDetail as FineTuneDetailData, FineTuneSummary, LogsQuery } from '../../api/types';
import { shapeLabel } from '../../shared/labels';
import { formatDuration } from '../../shared/format';
import { formatEpoch, formatLearningRate, formatLoss, formatPercent, trainingTypeLabel } from './format';
import { allows } from '../../shared/actions';
import { isFinal, stateMessageText } from '../../shared/jobStates';
import { withLiveFields } from './states';
import { useFineTuneMetrics } from './useFineTuneMetrics';
import { formatInteger } from '../../shared/format';
import type { CopyToClipboard } from '../../shared/callbacks';
import { ErrorState } from '../../ui/ErrorState';
import { DetailSection, type IDetailPageProps } from '../../ui/DetailFrame';
import { CodeFact, JobDetailPage, JobLineage, LinkedName } from '../../ui/JobDetailParts';
import { Fact, LoggingFact } from '../../ui/ResourceDetail';
import { useJobDetail } from '../../ui/hooks/useJobDetail';
import { FineTuneProgress } from './FineTuneProgress';
import { LossChart } from './LossChart';
import { useLatest } from '../../ui/hooks/useLatest';
import { TextButton } from '../../ui/TextButton';

export interface IFineTuneDetailProps extends IDetailPageProps<FineTuneSummary> {
  finetuneId: string;
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
  const page = useJobDetail<FineTuneDetailData, FineTuneSummary>({
    ...props,
    id: finetuneId,
    load,
    withLiveFields,
    isFinal
  });
  const { detail, job, final, name, retry, cancel, remove, onChanged } = page;

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
    <JobDetailPage
      trans={trans}
      classPrefix="jp-AquaExt-FineTuneDetail"
      dataAttributes={{ 'data-finetune-id': finetuneId }}
      backLabel={trans.__('← All fine-tuning jobs')}
      onBack={props.onBack}
      page={page}
      actions={
        <>
          {outputModelId && props.onViewModel && (
            <TextButton
              className="jp-AquaExt-viewModelButton"
              label={trans.__('View model')}
              title={trans.__('Open the fine-tuned model in Models')}
              onClick={() => props.onViewModel?.(outputModelId)}
            />
          )}
          {outputModelId && props.onDeploy && (
            <TextButton
              kind="accept"
              className="jp-AquaExt-deployButton jp-AquaExt-FineTuneDetail-deploy"
              label={trans.__('Deploy')}
              title={trans.__('Serve the fine-tuned model on an inference engine')}
              onClick={() => props.onDeploy?.(outputModelId)}
            />
          )}
          {allows(current, 'evaluate') && props.onEvaluate && (
            <TextButton
              className="jp-AquaExt-evaluateButton jp-AquaExt-FineTuneDetail-evaluate"
              label={trans.__('Evaluate on its training data')}
              title={trans.__('Score a deployment of the fine-tuned model on the data it was trained on')}
              onClick={() => props.onEvaluate?.(finetuneId)}
            />
          )}
        </>
      }
      cancel={
        allows(current, 'cancel')
          ? {
              className: 'jp-mod-styled jp-mod-warn jp-AquaExt-button jp-AquaExt-cancelFineTuneButton',
              label: trans.__('Cancel job'),
              onClick: () => void onCancel()
            }
          : null
      }
      onDelete={allows(current, 'delete') ? () => void onDelete() : null}
      loading={trans.__('Loading fine-tuning job…')}
      errorTitle={trans.__('The fine-tuning job could not be loaded.')}
      failedTitle={trans.__('The fine-tuning job failed')}
      stateMessage={shown => stateMessageText(shown, trans)}
      paramRows={shown => fineTuneParamRows(shown, trans)}
      paramsClassName="jp-AquaExt-JobParams"
      lineageTitle={trans.__('Lineage')}
      lineage={shown => (
        <Lineage job={shown} trans={trans} copyToClipboard={props.copyToClipboard} onViewModel={props.onViewModel} />
      )}
      fetchLogs={fetchLogs}
      logTitle={trans.__('Job log')}
      logClassName="jp-AquaExt-FineTuneLogs"
      active={props.active}
      logIntervalMs={props.logIntervalMs}
    >
      {shown => (
        <>
          {final ? (
            <Outcome job={shown} trans={trans} />
          ) : (
            <div className="jp-AquaExt-ResourceDetail-progress jp-AquaExt-FineTuneDetail-progress">
              <FineTuneProgress job={shown} trans={trans} epochs={shown.params.epochs} />
            </div>
          )}

          <DetailSection
            className="jp-AquaExt-FineTuneDetail-curves"
            label={trans.__('Loss curves')}
            title={trans.__('Loss')}
          >
            {metricsError !== null && (
              <ErrorState error={metricsError} trans={trans} className="jp-AquaExt-ErrorState-inline" />
            )}
            <LossChart points={series.points} trans={trans} running={!final} />
          </DetailSection>
        </>
      )}
    </JobDetailPage>
  );
}

/** A finished job: how it ended, its final losses, time and memory. */
function Outcome(props: { job: FineTuneDetailData; trans: TranslationBundle }): JSX.Element {
  const { job, trans } = props;
  const items: Array<[string, string]> = [];
  if (job.step > 0 || job.total_steps !== null) {
    items.push([
      trans.__('Steps'),
      job.total_steps ? `${formatInteger(job.step)} / ${formatInteger(job.total_steps)}` : formatInteger(job.step)
    ]);
  }
  items.push([trans.__('Epochs'), `${formatEpoch(job.epoch)} / ${job.params.epochs}`]);
  if (job.final_train_loss !== null) {
    items.push([trans.__('Final train loss'), formatLoss(job.final_train_loss)]);
  }
  if (job.final_validation_loss !== null) {
    items.push([trans.__('Final validation loss'), formatLoss(job.final_validation_loss)]);
  }
  if (job.final_accuracy !== null) {
    items.push([trans.__('Final accuracy'), formatPercent(job.final_accuracy)]);
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
function fineTuneParamRows(job: FineTuneDetailData, trans: TranslationBundle): Array<[string, string, string]> {
  const p = job.params;
  const rows: Array<[string, string, string]> = [
    ['training_type', trans.__('Training type'), trainingTypeLabel(job.training_type, trans)],
    ['epochs', trans.__('Epochs'), String(p.epochs)],
    ['learning_rate', trans.__('Learning rate'), formatLearningRate(p.learning_rate)],
    ['batch_size', trans.__('Batch size'), String(p.batch_size)],
    ['max_seq_length', trans.__('Max sequence length'), trans.__('%1 tokens', formatInteger(p.max_seq_length))],
    ['pad_to_max_length', trans.__('Pad to max length'), p.pad_to_max_length ? trans.__('Yes') : trans.__('No')]
  ];
  if (job.training_type === 'lora') {
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
  } else if (job.training_type === 'last_layers') {
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
  return rows;
}

/** Where the model came from and where it went: base model, dataset and its hash, job and run ids. */
function Lineage(props: {
  job: FineTuneDetailData;
  trans: TranslationBundle;
  copyToClipboard: CopyToClipboard;
  onViewModel?: (modelId: string) => void;
}): JSX.Element {
  const { job, trans } = props;
  return (
    <JobLineage
      trans={trans}
      copyToClipboard={props.copyToClipboard}
      source={
        <>
          <Fact label={trans.__('Base model')}>
            <LinkedName name={job.base_model_name} id={job.base_model_id} onOpen={props.onViewModel} />
          </Fact>
        </>
      }
      datasetPath={job.dataset_path}
      datasetHash={job.dataset_hash}
      hashExtra={
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
      }
      jobLabel={trans.__('Job')}
      jobId={job.id}
      jobIdLabel={trans.__('job id')}
      produced={
        <>
          {job.output_model_id && (
            <Fact label={trans.__('Fine-tuned model')}>
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
            </Fact>
          )}
          <CodeFact label={trans.__('Weights')} value={job.artifact_location} />
        </>
      }
      ociJobId={job.job_id}
      ociJobRunId={job.job_run_id}
    >
      <CodeFact label={trans.__('Output location')} value={job.output_uri} />
      {job.experiment_name && <Fact label={trans.__('Experiment')}>{job.experiment_name}</Fact>}
      <LoggingFact label={trans.__('Logging')} logGroupId={job.log_group_id} logId={job.log_id} />
      <CodeFact label={trans.__('Subnet')} value={job.subnet_id} />
    </JobLineage>
  );
}
