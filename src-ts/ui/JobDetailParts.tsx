/**
 * The fine-tuning job and evaluation pages: the page they share, and the
 * facts every job has (the model or deployment it ran on, the dataset, the OCI ids).
 */
import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import type { EvaluationState, FineTuneState, LogPage, LogsQuery } from '../api/types';
import type { CopyToClipboard } from '../shared/callbacks';
import { formatDateTime, shortHash } from '../shared/format';
import { DetailFrame, DetailSection } from './DetailFrame';
import { JobStateBadge } from './JobStateBadge';
import { LogsView } from './LogsView';
import { BusyButton, CopyableCode, Fact, JobStateMessage, ParamsTable } from './ResourceDetail';

/** What a job page shows of its job (a fine-tuning job's or an evaluation's detail). */
interface IJobShown {
  id: string;
  name: string;
  state: FineTuneState | EvaluationState;
  state_message: string;
  failure_log: readonly string[];
  description?: string | null;
  created_at: string;
  finished_at?: string | null;
}

/**
 * A job's detail page (fine-tuning, evaluation): the topbar with the page's
 * actions, Cancel and Delete; the heading with the state badge and why it is
 * in its state; the page's own results (`children`); the parameters beside
 * the lineage; and the job's log, followed until the job is final.
 * `classPrefix` is the page's class (`…-content`, `…-params`, `…-lineage`,
 * `…-failure` and `…-stateMessage` derive from it).
 */
export function JobDetailPage<J extends IJobShown>(props: {
  trans: TranslationBundle;
  classPrefix: string;
  dataAttributes?: Record<`data-${string}`, string>;
  backLabel: string;
  onBack: () => void;
  /** The page's state (see `useJobDetail`). */
  page: { job: J | null; error: unknown; final: boolean; busy: string | null; actionError: unknown; retry: () => void };
  /** The topbar's actions before Cancel and Delete. */
  actions?: React.ReactNode;
  /** Cancel, when the server allows it. */
  cancel: { className: string; label: string; onClick: () => void } | null;
  /** Delete, when the server allows it. */
  onDelete: (() => void) | null;
  loading: string;
  errorTitle: string;
  failedTitle: string;
  /** Why the job is in a state other than FAILED (from the states module), or none. */
  stateMessage: (job: J) => string | null | undefined;
  children: (job: J) => React.ReactNode;
  /** The parameters the job ran with, one row each: [key (data-param), label, value]. */
  paramRows: (job: J) => Array<[string, string, string]>;
  /** The parameters table's classes. */
  paramsClassName: string;
  lineageTitle: string;
  lineage: (job: J) => React.ReactNode;
  fetchLogs: (query: LogsQuery) => Promise<LogPage>;
  logTitle: string;
  logClassName: string;
  active: boolean;
  logIntervalMs?: number;
}): JSX.Element {
  const { trans, classPrefix, page, cancel } = props;
  const { final } = page;
  return (
    <DetailFrame
      trans={trans}
      className={classPrefix}
      contentClassName={`${classPrefix}-content`}
      dataAttributes={props.dataAttributes}
      backLabel={props.backLabel}
      onBack={props.onBack}
      actions={
        <>
          {props.actions}
          {cancel && (
            <BusyButton
              className={cancel.className}
              onClick={cancel.onClick}
              running={page.busy}
              action="cancel"
              label={cancel.label}
              busyLabel={trans.__('Canceling…')}
            />
          )}
        </>
      }
      onDelete={props.onDelete}
      busy={page.busy}
      actionError={page.actionError}
      detail={page.job}
      error={page.error}
      loading={props.loading}
      errorTitle={props.errorTitle}
      onRetry={page.retry}
      badge={job => <JobStateBadge state={job.state} trans={trans} />}
    >
      {job => (
        <>
          <JobStateMessage
            trans={trans}
            job={job}
            failedTitle={props.failedTitle}
            message={props.stateMessage(job)}
            classPrefix={classPrefix}
          />
          {props.children(job)}
          <div className="jp-AquaExt-JobDetail-columns">
            <DetailSection className={`${classPrefix}-params`} title={trans.__('Parameters')}>
              <JobParamsTable
                trans={trans}
                rows={props.paramRows(job)}
                createdAt={job.created_at}
                finishedAt={job.finished_at}
                className={props.paramsClassName}
              />
            </DetailSection>
            <DetailSection className={`${classPrefix}-lineage`} label={trans.__('Lineage')} title={props.lineageTitle}>
              {props.lineage(job)}
            </DetailSection>
          </div>
          <LogsView
            key={job.id}
            trans={trans}
            fetchLogs={props.fetchLogs}
            title={props.logTitle}
            className={props.logClassName}
            initialFollow={!final}
            ended={final}
            active={props.active}
            followIntervalMs={props.logIntervalMs}
          />
        </>
      )}
    </DetailFrame>
  );
}

/** A name that opens its resource when the page can (else plain text), then its id. */
export function LinkedName(props: { name: string; id: string; onOpen?: (id: string) => void }): JSX.Element {
  const { onOpen, id } = props;
  return (
    <>
      {onOpen ? (
        <button type="button" className="jp-AquaExt-linkButton" onClick={() => onOpen(id)}>
          {props.name}
        </button>
      ) : (
        props.name
      )}{' '}
      <code className="jp-AquaExt-muted">{id}</code>
    </>
  );
}

/** A fact shown in code (a location, an OCID), or nothing when the job has none. */
export function CodeFact(props: { label: string; value?: string | null }): JSX.Element | null {
  if (!props.value) {
    return null;
  }
  return (
    <Fact label={props.label}>
      <code>{props.value}</code>
    </Fact>
  );
}

/**
 * Where a job's result came from: what it ran on (`source`), the dataset
 * with its snapshot's sha256, the job's id, what it produced (`produced`),
 * the OCI job and run, then the page's other facts (`children`).
 */
export function JobLineage(props: {
  trans: TranslationBundle;
  copyToClipboard: CopyToClipboard;
  source: React.ReactNode;
  datasetPath: string;
  /** Under the dataset path: where the rows came from, when not a file of the user's. */
  datasetNote?: React.ReactNode;
  datasetHash?: string | null;
  /** After the short hash (a copy button). */
  hashExtra?: React.ReactNode;
  jobLabel: string;
  jobId: string;
  jobIdLabel: string;
  produced?: React.ReactNode;
  ociJobId?: string | null;
  ociJobRunId?: string | null;
  children?: React.ReactNode;
}): JSX.Element {
  const { trans } = props;
  const copyable = (value: string, label: string): JSX.Element => (
    <CopyableCode trans={trans} value={value} label={label} copyToClipboard={props.copyToClipboard} />
  );
  return (
    <dl className="jp-AquaExt-ResourceDetail-facts jp-AquaExt-JobDetail-facts">
      {props.source}
      <dt>{trans.__('Dataset')}</dt>
      <dd>
        {copyable(props.datasetPath, trans.__('dataset path'))}
        {props.datasetNote}
        {props.datasetHash && (
          <div className="jp-AquaExt-JobDetail-hash" title={props.datasetHash}>
            {trans.__('sha256')} <code>{shortHash(props.datasetHash)}</code>
            {props.hashExtra}
          </div>
        )}
      </dd>
      <dt>{props.jobLabel}</dt>
      <dd>{copyable(props.jobId, props.jobIdLabel)}</dd>
      {props.produced}
      {props.ociJobId && (
        <>
          <dt>{trans.__('OCI job')}</dt>
          <dd>{copyable(props.ociJobId, trans.__('OCI job id'))}</dd>
        </>
      )}
      {props.ociJobRunId && (
        <>
          <dt>{trans.__('OCI job run')}</dt>
          <dd>{copyable(props.ociJobRunId, trans.__('OCI job run id'))}</dd>
        </>
      )}
      {props.children}
    </dl>
  );
}

/** The parameters a job ran with (`rows`: [key, label, value]), then when it was created and finished. */
function JobParamsTable(props: {
  trans: TranslationBundle;
  rows: ReadonlyArray<[string, string, string]>;
  createdAt: string;
  finishedAt?: string | null;
  className: string;
}): JSX.Element {
  const { trans } = props;
  const rows: Array<[string, string, string]> = [
    ...props.rows,
    ['created', trans.__('Created'), formatDateTime(props.createdAt)]
  ];
  if (props.finishedAt) {
    rows.push(['finished', trans.__('Finished'), formatDateTime(props.finishedAt)]);
  }
  return <ParamsTable rows={rows} className={props.className} />;
}
