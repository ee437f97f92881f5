import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import type { FitTarget } from '../api/types';
import { formatGb } from '../shared/format';

export interface IFitSummaryProps {
  /** Accessible name of the region. */
  label: string;
  /** No estimate to show: this text instead (estimating, or none for this model). */
  pending: string | null;
  /** The chosen target's verdict: fits, does not, or null when no target is chosen. */
  fits: boolean | null;
  /** What the numbers say ("needs 5 GB of 16 GB on A10 (11 GB headroom)"). */
  text: string;
  /** What the estimate assumes (dtype, context…). */
  hint: React.ReactNode;
  /** Every line of the arithmetic behind the total. */
  arithmetic: readonly string[];
  arithmeticLabel?: string;
  /** A refresh is on its way: the shown estimate is dimmed. */
  stale: boolean;
  /** Set aria-busy while stale. */
  busy?: boolean;
  /** The form's own class (`jp-AquaExt-TrainingFit`). */
  className?: string;
  trans: TranslationBundle;
  /** More under the arithmetic (the verdict per target, the assumptions). */
  children?: React.ReactNode;
}

/** Will the model fit the chosen target: the verdict, the numbers and the arithmetic behind them. */
export function FitSummary(props: IFitSummaryProps): JSX.Element {
  const { fits, trans } = props;
  const own = props.className ? ` ${props.className}` : '';
  if (props.pending !== null) {
    return (
      <div className={`jp-AquaExt-FitSummary${own} jp-mod-pending`} aria-live="polite">
        {props.pending}
      </div>
    );
  }
  return (
    <div
      className={
        `jp-AquaExt-FitSummary${own}` +
        (fits === null ? '' : fits ? ' jp-mod-fits' : ' jp-mod-doesNotFit') +
        (props.stale ? ' jp-mod-stale' : '')
      }
      aria-live="polite"
      aria-busy={props.busy ? props.stale : undefined}
      aria-label={props.label}
    >
      <div className="jp-AquaExt-FitSummary-verdict">
        {fits !== null && (
          <span className={fits ? 'jp-AquaExt-fits' : 'jp-AquaExt-doesNotFit'}>
            {fits ? trans.__('✓ Fits') : trans.__('✗ Does not fit')}
          </span>
        )}
        <span>{props.text}</span>
      </div>
      <div className="jp-AquaExt-formField-hint">{props.hint}</div>
      {props.arithmetic.length > 0 && (
        <pre
          className="jp-AquaExt-FitReport-arithmetic jp-AquaExt-FitSummary-arithmetic"
          aria-label={props.arithmeticLabel}
        >
          {props.arithmetic.join('\n')}
        </pre>
      )}
      {props.children}
    </div>
  );
}

/** The sentences of a fit verdict, translated by the caller (each one a literal there). */
export interface IFitWords {
  /** No target chosen and the need is unknown. */
  unknown: () => string;
  /** No target chosen: about how much it needs. */
  about: (needs: string) => string;
  /** A target, but the need is unknown. */
  unknownNeed: (target: string, memory: string) => string;
  /** Needs more than the target has. */
  short: (needs: string, memory: string, target: string, missing: string) => string;
  /** Fits, with room to spare. */
  headroom: (needs: string, memory: string, target: string, spare: string) => string;
}

/** What the numbers say about a target (or about the need alone when none is chosen). */
export function fitText(
  target: FitTarget | null,
  needs: number | null,
  targetName: (name: string) => string,
  words: IFitWords
): string {
  if (!target) {
    return needs === null ? words.unknown() : words.about(formatGb(needs));
  }
  const name = targetName(target.name);
  const memory = formatGb(target.memory_gb);
  if (needs === null) {
    return words.unknownNeed(name, memory);
  }
  return target.headroom_gb < 0
    ? words.short(formatGb(needs), memory, name, formatGb(-target.headroom_gb))
    : words.headroom(formatGb(needs), memory, name, formatGb(target.headroom_gb));
}

/** What a fit estimate assumes, one line each, folded under "Assumptions"; nothing without any. */
export function FitAssumptions(props: { lines: readonly string[]; trans: TranslationBundle }): JSX.Element | null {
  if (props.lines.length === 0) {
    return null;
  }
  return (
    <details className="jp-AquaExt-FitReport-assumptions">
      <summary>{props.trans.__('Assumptions')}</summary>
      <ul>
        {props.lines.map((line, i) => (
          <li key={i}>{line}</li>
        ))}
      </ul>
    </details>
  );
}
