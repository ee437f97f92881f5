/**
 * The dedicated AI cluster form: name, hosting or fine-tuning, the model it
 * is for (the memory fit picks the recommended unit shape), the unit shape
 * and the unit count. Bounds are the contract's; whether a shape holds the
 * model or has room in its service limit is the server's plan.
 */
import type { TranslationBundle } from '@jupyterlab/translation';

import { CONTRACT_LIMITS } from '../../api/limits';
import type { ClusterPlan, ClusterType, CreateClusterRequest, UnitShapeOption } from '../../api/types';
import { displayNameErrors, typedDescription } from '../../shared/nameDescription';
import { shapeHasRoom } from './format';

const CONTRACT = CONTRACT_LIMITS.CreateClusterRequest;

export const CLUSTER_LIMITS = {
  name: CONTRACT.display_name.maxLength,
  description: CONTRACT.description.maxLength,
  unitCountMin: CONTRACT.unit_count.minimum,
  unitCountMax: CONTRACT.unit_count.maximum
} as const;

/** The request fields a refusal may name. */
export const CLUSTER_FIELDS = [
  'display_name',
  'description',
  'type',
  'unit_shape',
  'unit_count',
  'model_id',
  'context_length',
  'dtype'
] as const;
export type ClusterField = (typeof CLUSTER_FIELDS)[number];

export const CLUSTER_TYPES: readonly ClusterType[] = ['HOSTING', 'FINE_TUNING'];

export interface IClusterForm {
  name: string;
  description: string;
  type: ClusterType;
  /** The model it is for (its memory fit); '' for none. */
  modelId: string;
  /** '' lets the server take the fit's recommended shape. */
  unitShape: string;
  unitCount: string;
}

export function initialClusterForm(type: ClusterType, modelId: string | null): IClusterForm {
  return { name: '', description: '', type, modelId: modelId ?? '', unitShape: '', unitCount: '1' };
}

/** The unit count as a whole number within the contract's bounds, else null. */
export function parseUnitCount(text: string): number | null {
  const value = /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
  return value >= CLUSTER_LIMITS.unitCountMin && value <= CLUSTER_LIMITS.unitCountMax ? value : null;
}

/** The shape the cluster will have: the chosen one, else the plan's recommendation (null: neither). */
export function effectiveShape(form: IClusterForm, plan: ClusterPlan | null): UnitShapeOption | null {
  const name = form.unitShape || plan?.recommended_unit_shape || '';
  return plan?.shapes.find(option => option.unit_shape === name) ?? null;
}

export function validateClusterForm(
  form: IClusterForm,
  plan: ClusterPlan | null,
  trans: TranslationBundle
): Partial<Record<ClusterField, string>> {
  const errors: Partial<Record<ClusterField, string>> = displayNameErrors(
    form,
    CLUSTER_LIMITS,
    trans.__('Enter a name for the cluster.'),
    trans
  );
  if (parseUnitCount(form.unitCount) === null) {
    errors.unit_count = trans.__(
      'A whole number from %1 to %2.',
      CLUSTER_LIMITS.unitCountMin,
      CLUSTER_LIMITS.unitCountMax
    );
  }
  if (!form.unitShape && !form.modelId) {
    errors.unit_shape = trans.__('Choose a unit shape, or a model whose memory fit picks one.');
  }
  const shape = effectiveShape(form, plan);
  if (shape && !shapeHasRoom(shape)) {
    errors.unit_shape = trans.__(
      'The service limit %1 has no room for %2 more units: request a limit increase or choose another shape.',
      shape.limit_name,
      shape.units_needed
    );
  }
  return errors;
}

export function buildClusterRequest(form: IClusterForm): CreateClusterRequest {
  const body: CreateClusterRequest = {
    display_name: form.name.trim(),
    type: form.type,
    unit_count: parseUnitCount(form.unitCount) ?? CLUSTER_LIMITS.unitCountMin,
    ...typedDescription(form)
  };
  if (form.unitShape) {
    body.unit_shape = form.unitShape;
  }
  if (form.modelId) {
    body.model_id = form.modelId;
  }
  return body;
}
