import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import type { DeploymentState } from '../../api/types';
import { isTransitional, stateLabel, stateVariant } from '../../deployments/states';
import { Badge } from '../Badge';

/** The state as a colored badge; a spinner while it changes by itself (CREATING, UPDATING, DELETING). */
export function DeploymentStateBadge(props: {
  state: DeploymentState;
  trans: TranslationBundle;
  title?: string;
}): JSX.Element {
  const { state, trans } = props;
  const transitional = isTransitional(state);
  return (
    <Badge
      variant={stateVariant(state)}
      className={`jp-AquaExt-StateBadge jp-AquaExt-StateBadge-${state}${transitional ? ' jp-mod-transitional' : ''}`}
      title={props.title}
    >
      {transitional && <span className="jp-AquaExt-spinner jp-AquaExt-StateBadge-spinner" aria-hidden="true" />}
      <span data-state={state}>{stateLabel(state, trans)}</span>
    </Badge>
  );
}
