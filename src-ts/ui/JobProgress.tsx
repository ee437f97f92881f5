import * as React from 'react';

export interface IJobProgressProps {
  /** The job's state (a class `jp-AquaExt-JobProgress-<STATE>` colors the bar). */
  state: string;
  /** Not started yet: an indeterminate bar and no percentage. */
  waiting: boolean;
  percent: number;
  /** What is done ("step 3 of 10", "rows 5 of 20", "Waiting to start…"). */
  done: string;
  /** A class of the `done` text besides JobProgress-steps. */
  doneClassName?: string;
  /** More in the full form (the epoch of a fine-tune). */
  details?: React.ReactNode;
  /** The time left, or null. */
  eta: string | null;
  /** One line for a list; the detail shows details and the time left too. */
  compact?: boolean;
  /** Accessible name and value of the bar. */
  label: string;
  valueText: string;
  /** The job kind's own class (`jp-AquaExt-FineTuneProgress`). */
  className: string;
}

/** A job's progress: what is done over a bar, the time left and the percentage. */
export function JobProgress(props: IJobProgressProps): JSX.Element {
  const { waiting, percent } = props;
  return (
    <div
      className={
        `jp-AquaExt-JobProgress ${props.className}` +
        (props.compact ? ' jp-mod-compact' : '') +
        ` jp-AquaExt-JobProgress-${props.state}`
      }
    >
      <div className="jp-AquaExt-JobProgress-row">
        <span className={['jp-AquaExt-JobProgress-steps', props.doneClassName ?? ''].join(' ').trim()}>
          {props.done}
        </span>
        {!props.compact && props.details}
        {!props.compact && props.eta && <span className="jp-AquaExt-JobProgress-eta">{props.eta}</span>}
        <span className="jp-AquaExt-toolbarSpacer" />
        <span className="jp-AquaExt-JobProgress-percent">{waiting ? '' : `${percent}%`}</span>
      </div>
      <div
        className={waiting ? 'jp-AquaExt-progress jp-mod-indeterminate' : 'jp-AquaExt-progress'}
        role="progressbar"
        aria-label={props.label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={waiting ? undefined : percent}
        aria-valuetext={props.valueText}
      >
        <div className="jp-AquaExt-progress-fill" style={waiting ? undefined : { width: `${percent}%` }} />
      </div>
    </div>
  );
}
