/**
 * The frame shared by the deployment, fine-tuning job and evaluation details: the top bar
 * with the way back and the actions, the heading with the state badge, the
 * Delete button and the failure notice. They keep the deployment detail's
 * class names (the job detail is styled by them and adds its own).
 */
import * as React from 'react';

import { Button, copyIcon, deleteIcon } from '@jupyterlab/ui-components';
import type { TranslationBundle } from '@jupyterlab/translation';

import { ErrorState } from './ErrorState';
import { Loading } from './Loading';
import { useCopiedFlag } from './hooks/useCopiedFlag';
import { useHeadingFocus } from './hooks/useDialogFocus';

/** "← All …" on the left, the actions (children) on the right. */
export function DetailTopbar(props: {
  backLabel: string;
  onBack: () => void;
  children?: React.ReactNode;
}): JSX.Element {
  return (
    <div className="jp-AquaExt-ResourceDetail-topbar">
      <Button className="jp-AquaExt-button jp-AquaExt-backButton" minimal onClick={props.onBack}>
        {props.backLabel}
      </Button>
      <span className="jp-AquaExt-toolbarSpacer" />
      {props.children}
    </div>
  );
}

/** Before the detail first arrives: loading, or why it could not be loaded with a Retry. */
export function DetailLoadState(props: {
  trans: TranslationBundle;
  error: unknown;
  loading: string;
  errorTitle: string;
  onRetry: () => void;
}): JSX.Element {
  if (props.error === null) {
    return <Loading>{props.loading}</Loading>;
  }
  return <ErrorState error={props.error} trans={props.trans} title={props.errorTitle} onRetry={props.onRetry} />;
}

/** The detail's name, its heading: focused when the detail opens with nothing else focused. */
export function DetailName(props: { name: string }): JSX.Element {
  const heading = React.useRef<HTMLHeadingElement>(null);
  useHeadingFocus(heading);
  return (
    <h2 className="jp-AquaExt-ResourceDetail-name" ref={heading} tabIndex={-1}>
      {props.name}
    </h2>
  );
}

/** The name with its state badge, and the description under it. */
export function DetailHeader(props: {
  name: string;
  badge: React.ReactNode;
  description?: string | null;
}): JSX.Element {
  return (
    <header className="jp-AquaExt-ResourceDetail-header">
      <div className="jp-AquaExt-ResourceDetail-titleRow">
        <DetailName name={props.name} />
        {props.badge}
      </div>
      {props.description && <p className="jp-AquaExt-ResourceDetail-description">{props.description}</p>}
    </header>
  );
}

/** The destructive Delete button; says "Deleting…" while its action runs. */
export function DeleteButton(props: {
  trans: TranslationBundle;
  /** Another action (or this one) is running. */
  disabled: boolean;
  deleting: boolean;
  onClick: () => void;
}): JSX.Element {
  const { trans } = props;
  return (
    <Button
      className="jp-mod-styled jp-mod-warn jp-AquaExt-button jp-AquaExt-deleteButton"
      onClick={props.onClick}
      disabled={props.disabled}
    >
      <deleteIcon.react tag="span" className="jp-AquaExt-buttonIcon" />
      {props.deleting ? trans.__('Deleting…') : trans.__('Delete')}
    </Button>
  );
}

/** Why it failed: a title, the server's reason, and the last log lines that show it. */
export function FailureNotice(props: {
  trans: TranslationBundle;
  title: string;
  message: string;
  failureLog: readonly string[];
  /** Added to the shared classes. */
  className?: string;
}): JSX.Element {
  const { trans } = props;
  return (
    <div
      className={`jp-AquaExt-ErrorState jp-AquaExt-ResourceDetail-failure${props.className ? ` ${props.className}` : ''}`}
      role="alert"
    >
      <div className="jp-AquaExt-ErrorState-title">{props.title}</div>
      <div className="jp-AquaExt-ErrorState-message">{props.message || trans.__('No reason was given.')}</div>
      {props.failureLog.length > 0 && (
        <pre className="jp-AquaExt-ResourceDetail-failureLog" aria-label={trans.__('Last log lines')}>
          {props.failureLog.join('\n')}
        </pre>
      )}
    </div>
  );
}

/**
 * A value in code with a button that copies it (ids, paths, the endpoint);
 * the label names it for the button. With `confirm`, the button says
 * "Copied" for a moment after a copy.
 */
export function CopyableCode(props: {
  trans: TranslationBundle;
  value: string;
  label: string;
  copyToClipboard: (text: string) => void;
  /** The button's tooltip (default: "Copy <label>"). */
  title?: string;
  /** Added to the code element's classes. */
  codeClassName?: string;
  confirm?: boolean;
}): JSX.Element {
  const { trans, value, label } = props;
  const [copied, markCopied] = useCopiedFlag();
  return (
    <span className="jp-AquaExt-copyable">
      <code className={props.codeClassName}>{value}</code>
      <Button
        className="jp-AquaExt-button jp-AquaExt-iconButton jp-AquaExt-copyButton"
        minimal
        small
        aria-label={trans.__('Copy %1', label)}
        title={props.title ?? trans.__('Copy %1', label)}
        onClick={() => {
          props.copyToClipboard(value);
          markCopied();
        }}
      >
        <copyIcon.react tag="span" className="jp-AquaExt-buttonIcon" />
        {props.confirm && copied ? trans.__('Copied') : null}
      </Button>
    </span>
  );
}

/**
 * Why a job (fine-tuning, evaluation) is in its state: for FAILED the failure
 * notice, otherwise the state's message, if any. `classPrefix` names the
 * page's own classes (`…-failure`, `…-stateMessage`), added to the shared ones.
 */
export function JobStateMessage(props: {
  trans: TranslationBundle;
  job: { state: string; state_message: string; failure_log: readonly string[] };
  failedTitle: string;
  /** The message for the other states (from the states module), or none. */
  message: string | null | undefined;
  classPrefix: string;
}): JSX.Element | null {
  const { job, trans, classPrefix } = props;
  if (job.state === 'FAILED') {
    return (
      <FailureNotice
        trans={trans}
        title={props.failedTitle}
        message={job.state_message}
        failureLog={job.failure_log}
        className={`${classPrefix}-failure`}
      />
    );
  }
  if (!props.message) {
    return null;
  }
  return (
    <p className={`jp-AquaExt-ResourceDetail-stateMessage ${classPrefix}-stateMessage`} aria-live="polite">
      {props.message}
    </p>
  );
}

/** The parameters a job ran with, one row each: [key (data-param), label, value]. */
export function ParamsTable(props: { rows: ReadonlyArray<[string, string, string]>; className: string }): JSX.Element {
  return (
    <table className={props.className}>
      <tbody>
        {props.rows.map(([key, label, value]) => (
          <tr key={key} data-param={key}>
            <th scope="row">{label}</th>
            <td>{value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A topbar action that says so while it runs (Cancel, Activate…); disabled while any action runs. */
export function BusyButton(props: {
  className: string;
  /** This button's action, as the page's busy state names it. */
  action: string;
  /** The action running now, if any. */
  running: string | null;
  label: string;
  busyLabel: string;
  onClick: () => void;
}): JSX.Element {
  return (
    <Button className={props.className} onClick={props.onClick} disabled={props.running !== null}>
      {props.running === props.action ? props.busyLabel : props.label}
    </Button>
  );
}

/** One fact of a detail's list (`<dl>`): its label, and what it says (`children`). */
export function Fact(props: { label: React.ReactNode; children: React.ReactNode }): JSX.Element {
  return (
    <>
      <dt>{props.label}</dt>
      <dd>{props.children}</dd>
    </>
  );
}

/** The log group and log a job or deployment writes to, or nothing when it has neither. */
export function LoggingFact(props: {
  label: string;
  logGroupId?: string | null;
  logId?: string | null;
}): JSX.Element | null {
  if (!props.logGroupId && !props.logId) {
    return null;
  }
  return (
    <Fact label={props.label}>
      <code>{props.logGroupId}</code> / <code>{props.logId}</code>
    </Fact>
  );
}
