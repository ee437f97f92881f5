import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import { Badge } from './Badge';
import type { IStateBadgeKind } from '../shared/variants';

/** What a badge of one kind of state (DeploymentStateBadge, JobStateBadge) takes. */
export interface IStateBadgeProps<S extends string> {
  state: S;
  trans: TranslationBundle;
  title?: string;
}

/**
 * A state as a colored badge (`jp-AquaExt-StateBadge-<STATE>`, the label in a
 * `data-state` span), with a spinner while it changes by itself. The
 * deployment and job badges differ only in their states' words, colors and
 * which of them spin: their `kind`.
 */
export function StateBadge<S extends string>(props: IStateBadgeProps<S> & { kind: IStateBadgeKind<S> }): JSX.Element {
  const { state, kind } = props;
  const changing = kind.changing(state);
  return (
    <Badge
      variant={kind.variant(state)}
      className={`jp-AquaExt-StateBadge jp-AquaExt-StateBadge-${state}${changing ? ' jp-mod-transitional' : ''}`}
      title={props.title}
    >
      {changing && <span className="jp-AquaExt-spinner jp-AquaExt-StateBadge-spinner" aria-hidden="true" />}
      <span data-state={state}>{kind.label(state, props.trans)}</span>
    </Badge>
  );
}
