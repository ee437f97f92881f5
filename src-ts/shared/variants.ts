/** The colour of a badge (ui/Badge), named by what it says, and how a kind of state shows as one. */
import type { TranslationBundle } from '@jupyterlab/translation';

export type BadgeVariant = 'default' | 'accent' | 'warn' | 'error' | 'success' | 'muted';

/** How one kind of state (a deployment's, a job's) shows as a badge. */
export interface IStateBadgeKind<S extends string> {
  label: (state: S, trans: TranslationBundle) => string;
  variant: (state: S) => BadgeVariant;
  /** The state changes by itself (the badge spins). */
  changing: (state: S) => boolean;
}
