/** The deploy form's memory-fit parts: shape option labels, service-limit hints and the fit summary. */
import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import type { Dtype, FitReport, FitTarget } from '../../api/types';
import { formatGb, formatInteger } from '../../shared/format';
import { FitSummary, fitText } from '../../ui/FitSummary';
import { availabilityText } from '../../ui/MemoryFit';

export function shapeOptionLabel(shape: FitTarget, fit: FitReport | null, trans: TranslationBundle): string {
  const devices = shape.gpu_count > 0 ? trans._n('%1 GPU', '%1 GPUs', shape.gpu_count) : trans.__('CPU');
  const verdict = shape.fits ? trans.__('fits') : trans.__('does not fit');
  const recommended = shape.recommended || shape.name === fit?.recommended_shape ? ` · ${trans.__('recommended')}` : '';
  const available = availabilityText(shape, trans);
  return `${shape.name} — ${devices}, ${formatGb(shape.memory_gb)} — ${verdict}${recommended}${available ? ` — ${available}` : ''}`;
}

/**
 * What the service limits say about the chosen shape when they rule it out: no instance left,
 * or fewer than the replicas asked for. Null when the shape has room (or nobody knows).
 */
export function limitHint(target: FitTarget | null, replicasText: string, trans: TranslationBundle): string | null {
  const available = target?.available ?? null;
  if (target === null || available === null) {
    return null;
  }
  if (available <= 0) {
    return trans.__(
      '%1 has reached its service limit in this region: request a limit increase or choose another shape.',
      target.name
    );
  }
  const replicas = Number(replicasText);
  if (Number.isInteger(replicas) && replicas > available) {
    return trans._n(
      'The service limits allow %1 more %2 instance: lower the replicas, request a limit increase or choose another shape.',
      'The service limits allow %1 more %2 instances: lower the replicas, request a limit increase or choose another shape.',
      available,
      target.name
    );
  }
  return null;
}

/**
 * How fast the chosen target would answer, as the server estimates it from memory bandwidth, and
 * whether the server says it is too slow to be of use (the rule is the server's; this only words it).
 */
export function decodeSpeed(
  target: FitTarget | null,
  fit: FitReport | null,
  trans: TranslationBundle
): { text: string; tooSlow: boolean } | null {
  const speed = target?.tokens_per_s ?? null;
  if (target === null || speed === null) {
    return null;
  }
  if (target.too_slow) {
    return {
      tooSlow: true,
      text: trans.__(
        'Fits, but would answer at about %1 tokens/s (under %2): too slow to be of use, so not recommended. Choose a GPU, a smaller quantization or a smaller model.',
        speed,
        fit?.too_slow_below_tokens_per_s ?? ''
      )
    };
  }
  return {
    tooSlow: false,
    text: trans.__(
      'Decode speed: at most about %1 tokens/s (%2 GB/s of memory bandwidth).',
      speed,
      target.bandwidth_gb_s ?? ''
    )
  };
}

/** Will the model fit the chosen shape: the verdict, the numbers and the arithmetic behind them. */
export function DeployFitSummary(props: {
  target: FitTarget | null;
  fit: FitReport | null;
  loading: boolean;
  hasModel: boolean;
  dtype: Dtype;
  /** The chosen weights' label (a quantization), shown instead of the dtype. */
  weights?: string | null;
  contextLength: number;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { target, fit, trans } = props;
  if (!props.hasModel) {
    return null;
  }
  const speed = decodeSpeed(target, fit, trans);
  const text = fitText(target, fit?.total_gb ?? null, name => name, {
    unknown: () => trans.__('The model’s memory need is unknown.'),
    about: needs => trans.__('Needs about %1 (the server picks the shape).', needs),
    unknownNeed: (name, memory) => trans.__('%1 has %2; the model’s size is unknown.', name, memory),
    short: (needs, memory, name, missing) => trans.__('needs %1 of %2 on %3 (%4 short)', needs, memory, name, missing),
    headroom: (needs, memory, name, spare) => trans.__('needs %1 of %2 on %3 (%4 headroom)', needs, memory, name, spare)
  });
  return (
    <FitSummary
      label={trans.__('Memory fit of the chosen shape')}
      pending={
        fit ? null : props.loading ? trans.__('Estimating memory…') : trans.__('No memory estimate for this model.')
      }
      fits={target ? target.fits : null}
      text={text}
      hint={trans._n(
        'For %2 weights and a %3-token context, one request at a time.',
        'For %2 weights and a %3-token context, %1 requests at once, each with the whole context.',
        fit?.concurrency ?? 1,
        props.weights ?? props.dtype,
        formatInteger(props.contextLength)
      )}
      arithmetic={[...(fit?.arithmetic ?? []), ...(fit?.decode ?? [])]}
      stale={props.loading}
      trans={trans}
    >
      {speed && (
        <div
          className={speed.tooSlow ? 'jp-AquaExt-FitSummary-tooSlow' : 'jp-AquaExt-formField-hint'}
          role={speed.tooSlow ? 'alert' : undefined}
        >
          {speed.text}
        </div>
      )}
    </FitSummary>
  );
}
