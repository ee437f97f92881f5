import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import type { DeploymentState } from '../api/types';
import { isTransitional, stateLabel, stateVariant } from '../shared/deploymentStates';
import { StateBadge } from './StateBadge';

/** The state as a colored badge; a spinner while it changes by itself (CREATING, UPDATING, DELETING). */
export function DeploymentStateBadge(props: {
  state: DeploymentState;
  trans: TranslationBundle;
  title?: string;
}): JSX.Element {
  const { state, trans } = props;
  return (
    <StateBadge
      state={state}
      label={stateLabel(state, trans)}
      variant={stateVariant(state)}
      changing={isTransitional(state)}
      title={props.title}
    />
  );
}
