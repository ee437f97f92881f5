import * as React from 'react';

import type { BadgeVariant } from '../shared/variants';

export interface IBadgeProps {
  children: React.ReactNode;
  variant?: BadgeVariant;
  title?: string;
  className?: string;
}

/** A small rounded label: capability, source, format, "Gated"… */
export function Badge(props: IBadgeProps): JSX.Element {
  const classes = ['jp-AquaExt-Badge', `jp-AquaExt-Badge-${props.variant ?? 'default'}`];
  if (props.className) {
    classes.push(props.className);
  }
  return (
    <span className={classes.join(' ')} title={props.title}>
      {props.children}
    </span>
  );
}
