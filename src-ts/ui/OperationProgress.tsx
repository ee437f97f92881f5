import * as React from 'react';

import { Button } from '@jupyterlab/ui-components';
import type { TranslationBundle } from '@jupyterlab/translation';

import type { Operation } from '../api/types';
import { SetupLink } from './SetupLink';
import { setupCheckOf } from './setupLinks';

export interface IOperationProgressProps {
  operation: Operation;
  trans: TranslationBundle;
  /** Shown as a "Cancel" button when given. */
  onCancel?: () => void;
  canceling?: boolean;
  /** Accessible name of the progress bar. */
  label?: string;
  compact?: boolean;
}

/** A progress bar with the operation's latest message and percentage. */
export function OperationProgress(props: IOperationProgressProps): JSX.Element {
  const { operation, trans } = props;
  const fraction =
    operation.progress === null || operation.progress === undefined
      ? null
      : Math.min(1, Math.max(0, operation.progress));
  const percent = fraction === null ? null : Math.round(fraction * 100);
  const message =
    operation.state === 'CANCELING'
      ? trans.__('Canceling…')
      : operation.message || (operation.state === 'PENDING' ? trans.__('Waiting to start…') : trans.__('Working…'));
  return (
    <div
      className={props.compact ? 'jp-AquaExt-OperationProgress jp-mod-compact' : 'jp-AquaExt-OperationProgress'}
      data-operation-id={operation.id}
    >
      <div className="jp-AquaExt-OperationProgress-row">
        <span className="jp-AquaExt-OperationProgress-message" aria-live="polite">
          {message}
        </span>
        <span className="jp-AquaExt-OperationProgress-percent">{percent === null ? '' : `${percent}%`}</span>
      </div>
      <div
        className={percent === null ? 'jp-AquaExt-progress jp-mod-indeterminate' : 'jp-AquaExt-progress'}
        role="progressbar"
        aria-label={props.label ?? operation.title}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent ?? undefined}
        aria-valuetext={percent === null ? message : `${percent}% · ${message}`}
      >
        <div className="jp-AquaExt-progress-fill" style={percent === null ? undefined : { width: `${percent}%` }} />
      </div>
      {props.onCancel && (
        <Button
          className="jp-mod-styled jp-mod-warn jp-AquaExt-button jp-AquaExt-cancelOperationButton"
          type="button"
          onClick={props.onCancel}
          disabled={props.canceling}
        >
          {props.canceling ? trans.__('Canceling…') : trans.__('Cancel')}
        </Button>
      )}
    </div>
  );
}

/**
 * A failed operation's error, with the way to its OCI setup check when OCI
 * refused a call it made; nothing for an operation that did not fail.
 * `linkOnly`: the page tells the failure already, only the link is added.
 */
export function OperationFailure(props: {
  operation: Operation;
  trans: TranslationBundle;
  linkOnly?: boolean;
}): JSX.Element | null {
  const { operation, trans } = props;
  if (operation.state !== 'FAILED' || (props.linkOnly && !setupCheckOf(operation))) {
    return null;
  }
  return (
    <div className="jp-AquaExt-OperationFailure" role="alert">
      {!props.linkOnly && (
        <span className="jp-AquaExt-OperationFailure-message">
          {trans.__('%1 failed: %2', operation.title, operation.error || operation.message)}
        </span>
      )}
      <SetupLink error={operation} trans={trans} />
    </div>
  );
}
