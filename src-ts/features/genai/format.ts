/**
 * How the Generative AI section words what the server answers: a cluster's
 * state, type and cost, a unit shape option of the cluster form, and the
 * imported models' capabilities. Every figure is the server's (AI units and
 * prices from seed 001's table and the configured price); nothing is
 * computed here but the layout of the text.
 */
import type { TranslationBundle } from '@jupyterlab/translation';

import type {
  ClusterType,
  DeploymentState,
  GenAiCluster,
  ImportCapability,
  ShapeListCost,
  TrainingConfigType,
  UnitShapeCost,
  UnitShapeOption
} from '../../api/types';
import { isTransitional, stateLabel, stateVariant } from '../../shared/deploymentStates';
import { labelOf } from '../../shared/labels';
import type { IStateBadgeKind } from '../../shared/variants';

/** `$12.34` (two decimals, the currency's symbol for USD, its code otherwise). */
export function formatMoney(amount: number, currency: string): string {
  const figure = amount.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return currency === 'USD' ? `$${figure}` : `${figure} ${currency}`;
}

/** "$9.56/h" with a price configured, else "3.54 AI units/h" (the server has no price to multiply by). */
export function hourlyText(cost: UnitShapeCost | ShapeListCost | null | undefined, trans: TranslationBundle): string {
  if (!cost) {
    return '—';
  }
  if (cost.hourly !== null) {
    return trans.__('%1/h', formatMoney(cost.hourly, cost.currency));
  }
  if ('ai_unit_hours_per_hour' in cost) {
    return trans.__('%1 AI units/h', formatAiUnits(cost.ai_unit_hours_per_hour));
  }
  return trans.__('no list price');
}

/** 3.54 → "3.54"; 10.8 → "10.8" (the table's own precision). */
export function formatAiUnits(units: number): string {
  return String(Math.round(units * 100) / 100);
}

/** What a cluster has cost since it started: money with a price, else AI-unit hours; null when unknown. */
export function costSoFarText(cluster: GenAiCluster, trans: TranslationBundle): string | null {
  const so = cluster.cost_so_far;
  if (!so) {
    return null;
  }
  return so.amount !== null
    ? formatMoney(so.amount, so.currency)
    : trans.__('%1 AI-unit hours', formatAiUnits(so.ai_unit_hours));
}

export function clusterTypeLabel(type: ClusterType, trans: TranslationBundle): string {
  return type === 'HOSTING' ? trans.__('Hosting') : trans.__('Fine-tuning');
}

/**
 * One unit shape of the cluster form's picker: its GPUs, AI units, the cost
 * of the count asked, and whether the model fits ("recommended" for the fit's
 * pick, "too small" below it, "limit reached" when its quota has no room).
 */
export function unitShapeOptionLabel(option: UnitShapeOption, trans: TranslationBundle): string {
  const parts = [
    option.unit_shape,
    trans.__('%1 × %2', option.gpu_count, option.gpu),
    trans.__('%1 AI units', formatAiUnits(option.cost.ai_units)),
    hourlyText(option.cost, trans)
  ];
  const marks: string[] = [];
  if (option.recommended) {
    marks.push(trans.__('recommended'));
  }
  if (option.fits === false) {
    marks.push(trans.__('too small for the model'));
  }
  if (!shapeHasRoom(option)) {
    marks.push(trans.__('limit reached'));
  }
  const text = parts.join(' · ');
  return marks.length > 0 ? `${text} (${marks.join(', ')})` : text;
}

/** Whether the shape's service limit has room for the units asked (unknown: assumed so; the server checks). */
export function shapeHasRoom(option: UnitShapeOption): boolean {
  return option.available === null || option.available >= option.units_needed;
}

/**
 * Under the picker for the chosen shape: the limit to raise when its quota
 * has no room (with the units needed and left), else the cost arithmetic.
 */
export function unitShapeHint(option: UnitShapeOption, trans: TranslationBundle): string {
  if (!shapeHasRoom(option)) {
    return trans.__(
      'The service limit %1 has %2 left and this cluster needs %3: request a limit increase of %1 (Generative AI) or choose another shape.',
      option.limit_name,
      option.available ?? 0,
      option.units_needed
    );
  }
  return option.cost.arithmetic.join('; ');
}

/** The capability an imported model has, as the seed's list words it. */
export function capabilityLabel(capability: ImportCapability, trans: TranslationBundle): string {
  return labelOf(
    {
      TEXT_TO_TEXT: trans.__('Text to text (chat)'),
      IMAGE_TEXT_TO_TEXT: trans.__('Image and text to text'),
      EMBEDDING: trans.__('Embedding'),
      RERANK: trans.__('Rerank')
    },
    capability
  );
}

export function trainingTypeLabel(type: TrainingConfigType, trans: TranslationBundle): string {
  return labelOf(
    {
      LORA_TRAINING_CONFIG: trans.__('LoRA'),
      TFEW_TRAINING_CONFIG: trans.__('T-Few'),
      VANILLA_TRAINING_CONFIG: trans.__('Vanilla (last layers)')
    },
    type
  );
}

/**
 * A Generative AI resource's lifecycle state as a badge: the deployments'
 * words and colours (the service's states are theirs, plus DELETED).
 */
export const GENAI_STATE_BADGE: IStateBadgeKind<string> = {
  label: (state, trans) => (state === 'DELETED' ? trans.__('Deleted') : stateLabel(state as DeploymentState, trans)),
  variant: state => (state === 'DELETED' ? 'muted' : stateVariant(state as DeploymentState)),
  changing: state => isTransitional(state as DeploymentState)
};
