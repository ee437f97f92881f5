import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import type { FitTarget, TrainingFit } from '../../api/types';
import { shapeLabel } from '../../shared/labels';
import { formatGb, formatGbCompact } from '../../shared/format';
import { FitAssumptions, FitSummary, fitText } from '../../ui/FitSummary';
import { availabilityText } from '../../ui/MemoryFit';

export interface ITrainingFitViewProps {
  fit: TrainingFit | null;
  /** The fit row of the chosen shape (or the one the server would pick). */
  target: FitTarget | null;
  /** A refresh is on its way (the shown fit is dimmed). */
  loading: boolean;
  hasModel: boolean;
  trans: TranslationBundle;
}

/**
 * Will training fit: the verdict on the chosen shape, the total, every line
 * of the arithmetic, and the verdict on every target.
 */
export function TrainingFitView(props: ITrainingFitViewProps): JSX.Element | null {
  const { fit, target, trans } = props;
  if (!props.hasModel) {
    return null;
  }
  const text = fitText(target, fit?.total_gb ?? null, name => shapeLabel(name, trans), {
    unknown: () => trans.__('The memory training needs is unknown.'),
    about: needs => trans.__('Training needs about %1.', needs),
    unknownNeed: (name, memory) => trans.__('%1 has %2; the memory training needs is unknown.', name, memory),
    short: (needs, memory, name, missing) =>
      trans.__('training needs %1 of %2 on %3 (%4 short)', needs, memory, name, missing),
    headroom: (needs, memory, name, spare) =>
      trans.__('training needs %1 of %2 on %3 (%4 headroom)', needs, memory, name, spare)
  });
  if (!fit) {
    return (
      <FitSummary
        label={trans.__('Training memory fit')}
        pending={
          props.loading
            ? trans.__('Estimating the training memory…')
            : trans.__('No training memory estimate for this model.')
        }
        fits={null}
        text=""
        hint={null}
        arithmetic={[]}
        stale={false}
        className="jp-AquaExt-TrainingFit"
        trans={trans}
      />
    );
  }
  return (
    <FitSummary
      label={trans.__('Training memory fit')}
      pending={null}
      fits={target ? target.fits : null}
      text={text}
      hint={trans.__('Weights in %1, with gradients, optimizer state and activations.', fit.dtype)}
      arithmetic={fit.arithmetic}
      arithmeticLabel={trans.__('How the estimate is computed')}
      stale={props.loading}
      busy
      className="jp-AquaExt-TrainingFit"
      trans={trans}
    >
      {fit.targets.length > 0 && (
        <ul className="jp-AquaExt-TrainingFit-targets" aria-label={trans.__('Fit per target')}>
          {fit.targets.map(item => {
            const available = item.kind === 'oci-shape' ? availabilityText(item, trans) : null;
            return (
              <li
                key={`${item.kind}:${item.name}`}
                className={item.name === target?.name ? 'jp-mod-selected' : undefined}
                data-target={item.name}
              >
                <span className={item.fits ? 'jp-AquaExt-fits' : 'jp-AquaExt-doesNotFit'} aria-hidden="true">
                  {item.fits ? '✓' : '✗'}
                </span>
                <span className="jp-AquaExt-srOnly">{item.fits ? trans.__('fits') : trans.__('does not fit')}</span>
                <span className="jp-AquaExt-TrainingFit-name">{shapeLabel(item.name, trans)}</span>
                <span className="jp-AquaExt-TrainingFit-memory" title={formatGb(item.memory_gb)}>
                  {formatGbCompact(item.memory_gb)}
                </span>
                {item.recommended && (
                  <span className="jp-AquaExt-Badge jp-AquaExt-Badge-success">{trans.__('Recommended')}</span>
                )}
                {available && <span className="jp-AquaExt-Badge jp-AquaExt-Badge-muted">{available}</span>}
              </li>
            );
          })}
        </ul>
      )}
      <FitAssumptions lines={fit.assumptions} trans={trans} />
    </FitSummary>
  );
}
