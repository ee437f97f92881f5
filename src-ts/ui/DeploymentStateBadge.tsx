import * as React from 'react';

import type { DeploymentState } from '../api/types';
import { DEPLOYMENT_STATE_BADGE } from '../shared/deploymentStates';
import { StateBadge, type IStateBadgeProps } from './StateBadge';

/** The state as a colored badge; a spinner while it changes by itself (CREATING, UPDATING, DELETING). */
export function DeploymentStateBadge(props: IStateBadgeProps<DeploymentState>): JSX.Element {
  return <StateBadge {...props} kind={DEPLOYMENT_STATE_BADGE} />;
}
