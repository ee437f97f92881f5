/** The deploy form's memory-fit parts: shape option labels, service-limit hints and the fit summary. */
import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import type { Dtype, FitReport, FitTarget } from '../../api/types';
import { formatGb, formatInteger } from '../../shared/format';
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

/** Will the model fit the chosen shape: the verdict, the numbers and the arithmetic behind them. */
export function FitSummary(props: {
  target: FitTarget | null;
  fit: FitReport | null;
  loading: boolean;
  hasModel: boolean;
  dtype: Dtype;
  contextLength: number;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { target, fit, trans } = props;
  if (!props.hasModel) {
    return null;
  }
  if (!fit) {
    return (
      <div className="jp-AquaExt-DeployFit jp-mod-pending" aria-live="polite">
        {props.loading ? trans.__('Estimating memory…') : trans.__('No memory estimate for this model.')}
      </div>
    );
  }
  const needs = fit.total_gb;
  return (
    <div
      className={
        'jp-AquaExt-DeployFit' +
        (target ? (target.fits ? ' jp-mod-fits' : ' jp-mod-doesNotFit') : '') +
        (props.loading ? ' jp-mod-stale' : '')
      }
      aria-live="polite"
      aria-label={trans.__('Memory fit of the chosen shape')}
    >
      <div className="jp-AquaExt-DeployFit-verdict">
        {target ? (
          <>
            <span className={target.fits ? 'jp-AquaExt-fits' : 'jp-AquaExt-doesNotFit'}>
              {target.fits ? trans.__('✓ Fits') : trans.__('✗ Does not fit')}
            </span>
            <span>
              {needs === null
                ? trans.__('%1 has %2; the model’s size is unknown.', target.name, formatGb(target.memory_gb))
                : target.headroom_gb < 0
                  ? trans.__(
                      'needs %1 of %2 on %3 (%4 short)',
                      formatGb(needs),
                      formatGb(target.memory_gb),
                      target.name,
                      formatGb(-target.headroom_gb)
                    )
                  : trans.__(
                      'needs %1 of %2 on %3 (%4 headroom)',
                      formatGb(needs),
                      formatGb(target.memory_gb),
                      target.name,
                      formatGb(target.headroom_gb)
                    )}
            </span>
          </>
        ) : (
          <span>
            {needs === null
              ? trans.__('The model’s memory need is unknown.')
              : trans.__('Needs about %1 (the server picks the shape).', formatGb(needs))}
          </span>
        )}
      </div>
      <div className="jp-AquaExt-formField-hint">
        {trans.__(
          'For %1 weights and a %2-token context, one request at a time.',
          props.dtype,
          formatInteger(props.contextLength)
        )}
      </div>
      {fit.arithmetic.length > 0 && (
        <pre className="jp-AquaExt-FitReport-arithmetic jp-AquaExt-DeployFit-arithmetic">
          {fit.arithmetic.join('\n')}
        </pre>
      )}
    </div>
  );
}
