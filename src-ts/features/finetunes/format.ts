/**
 * Words and numbers of the fine-tuning screens: time left, steps, losses,
 * learning rates and training types.
 */
import type { TranslationBundle } from '@jupyterlab/translation';

import type { FineTuneSummary } from '../../api/types';

/** "step 40 of 120", or "step 40" while the total is unknown. */
export function stepText(step: number, totalSteps: number | null | undefined, trans: TranslationBundle): string {
  return totalSteps
    ? trans.__('step %1 of %2', step.toLocaleString(), totalSteps.toLocaleString())
    : trans.__('step %1', step.toLocaleString());
}

/** The progress fraction clamped to 0..1 (a finished job reads 100%). */
export function progressFraction(job: Pick<FineTuneSummary, 'progress' | 'state' | 'step' | 'total_steps'>): number {
  if (job.state === 'SUCCEEDED') {
    return 1;
  }
  let value = Number.isFinite(job.progress) ? job.progress : 0;
  if (value <= 0 && job.total_steps) {
    value = job.step / job.total_steps;
  }
  return Math.min(1, Math.max(0, value));
}

/** A loss with four significant digits: 1.23456 → "1.235"; null → "—". */
export function formatLoss(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) {
    return '—';
  }
  return Number(value.toPrecision(4)).toString();
}

/** 0.0002 → "2e-4"; 0.01 → "0.01"; 0.5 → "0.5". */
export function formatLearningRate(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) {
    return '—';
  }
  if (value !== 0 && Math.abs(value) < 1e-3) {
    const [mantissa, exponent] = value.toExponential().split('e');
    return `${Number(Number(mantissa).toPrecision(3))}e${Number(exponent)}`;
  }
  return Number(value.toPrecision(4)).toString();
}

/** 0.1 → "10%". */
export function formatPercent(fraction: number): string {
  return `${Math.round(fraction * 1000) / 10}%`;
}

/** An epoch count: 1 → "1", 1.5 → "1.5", 2.3333 → "2.33". */
export function formatEpoch(epoch: number): string {
  return Number.isFinite(epoch) ? String(Math.round(epoch * 100) / 100) : '—';
}

/** A job's method: the params' own, or T-Few (a Generative AI fine-tune in the merged list). */
export function trainingTypeLabel(type: FineTuneSummary['training_type'], trans: TranslationBundle): string {
  switch (type) {
    case 'last_layers':
      return trans.__('Last N layers');
    case 'tfew':
      return trans.__('T-Few');
    default:
      return trans.__('LoRA');
  }
}
