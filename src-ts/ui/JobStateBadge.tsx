import * as React from 'react';

import type { EvaluationState, FineTuneState } from '../api/types';
import { JOB_STATE_BADGE } from '../shared/jobStates';
import { StateBadge, type IStateBadgeProps } from './StateBadge';

/** A job's state (fine-tune or evaluation) as a colored badge; a spinner while it runs. */
export function JobStateBadge(props: IStateBadgeProps<FineTuneState | EvaluationState>): JSX.Element {
  return <StateBadge {...props} kind={JOB_STATE_BADGE} />;
}
