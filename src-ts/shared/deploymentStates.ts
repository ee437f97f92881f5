/**
 * What a deployment's state means for the UI: its badge and how often the
 * list is worth polling (what may be done is the server's `actions`).
 */
import type { TranslationBundle } from '@jupyterlab/translation';

import type { DeploymentState, DeploymentSummary } from '../api/types';
import type { BadgeVariant, IStateBadgeKind } from './variants';
import { labelOf } from './labels';
import { FAST_POLL_MS, SLOW_POLL_MS, stateChanges } from './polling';

// The delays are the polled lists' own (the fine-tuning jobs poll alike); re-exported for callers here.
export { FAST_POLL_MS, SLOW_POLL_MS };

/** States that change by themselves; the list is polled fast while one shows. */
export const TRANSITIONAL_STATES: ReadonlySet<DeploymentState> = new Set<DeploymentState>([
  'CREATING',
  'UPDATING',
  'DELETING'
]);

export function isTransitional(state: DeploymentState): boolean {
  return TRANSITIONAL_STATES.has(state);
}

/** Whether the list is worth polling fast: a deployment is changing by itself. */
export function anyTransitional(items: readonly Pick<DeploymentSummary, 'state'>[]): boolean {
  return items.some(item => isTransitional(item.state));
}

/** 2 s while any deployment is transitional, 10 s otherwise (another tab may deploy meanwhile). */
export function nextPollDelay(items: readonly Pick<DeploymentSummary, 'state'>[]): number {
  return anyTransitional(items) ? FAST_POLL_MS : SLOW_POLL_MS;
}

/** The badge's colour of the states that are not "changing" (accent). */
const VARIANTS: Partial<Record<DeploymentState, BadgeVariant>> = {
  ACTIVE: 'success',
  FAILED: 'error',
  NEEDS_ATTENTION: 'warn',
  INACTIVE: 'muted'
};

export function stateVariant(state: DeploymentState): BadgeVariant {
  return VARIANTS[state] ?? 'accent';
}

export function stateLabel(state: DeploymentState, trans: TranslationBundle): string {
  return labelOf(
    {
      CREATING: trans.__('Creating'),
      ACTIVE: trans.__('Active'),
      UPDATING: trans.__('Updating'),
      INACTIVE: trans.__('Inactive'),
      DELETING: trans.__('Deleting'),
      FAILED: trans.__('Failed'),
      NEEDS_ATTENTION: trans.__('Needs attention')
    },
    state
  );
}

/** A deployment's state as a badge: it spins while transitional. */
export const DEPLOYMENT_STATE_BADGE: IStateBadgeKind<DeploymentState> = {
  label: stateLabel,
  variant: stateVariant,
  changing: isTransitional
};

export interface IStateChange {
  deployment: DeploymentSummary;
  from: DeploymentState;
  to: DeploymentState;
}

/**
 * Deployments that left a transitional state between two polls (to tell the
 * user "is active" or "failed"); new and vanished deployments are not changes.
 */
export function settledChanges(
  previous: readonly DeploymentSummary[],
  next: readonly DeploymentSummary[]
): IStateChange[] {
  return stateChanges(previous, next, (from, to) => isTransitional(from) && !isTransitional(to)).map(
    ({ item, from, to }) => ({ deployment: item, from, to })
  );
}
