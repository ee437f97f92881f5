import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import type { EvaluationState, FineTuneState } from '../api/types';
import { isFinal, stateLabel, stateVariant } from '../shared/jobStates';
import { StateBadge } from './StateBadge';

/** A job's state (fine-tune or evaluation) as a colored badge; a spinner while it runs. */
export function JobStateBadge(props: {
  state: FineTuneState | EvaluationState;
  trans: TranslationBundle;
  title?: string;
}): JSX.Element {
  const { state, trans } = props;
  return (
    <StateBadge
      state={state}
      label={stateLabel(state, trans)}
      variant={stateVariant(state)}
      changing={!isFinal(state)}
      title={props.title}
    />
  );
}
