import * as React from 'react';

import { Badge } from './Badge';
import { type BadgeVariant } from '../shared/variants';

/**
 * A state as a colored badge (`jp-AquaExt-StateBadge-<STATE>`, the label in a
 * `data-state` span), with a spinner while it changes by itself. The
 * deployment and fine-tuning badges differ only in their states' words,
 * colors and which of them spin.
 */
export function StateBadge(props: {
  state: string;
  label: string;
  variant: BadgeVariant;
  /** The state changes by itself (a spinner, and `jp-mod-transitional`). */
  changing: boolean;
  /** Added after `jp-AquaExt-StateBadge`. */
  className?: string;
  title?: string;
}): JSX.Element {
  const { state, changing } = props;
  return (
    <Badge
      variant={props.variant}
      className={`jp-AquaExt-StateBadge${props.className ? ` ${props.className}` : ''} jp-AquaExt-StateBadge-${state}${
        changing ? ' jp-mod-transitional' : ''
      }`}
      title={props.title}
    >
      {changing && <span className="jp-AquaExt-spinner jp-AquaExt-StateBadge-spinner" aria-hidden="true" />}
      <span data-state={state}>{props.label}</span>
    </Badge>
  );
}
