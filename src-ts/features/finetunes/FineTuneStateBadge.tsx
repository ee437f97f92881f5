import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import type { FineTuneState } from '../../api/types';
import { isFinal, stateLabel, stateVariant } from '../../shared/jobStates';
import { StateBadge } from '../../ui/StateBadge';

/** The job's state as a colored badge; a spinner while it runs (ACCEPTED, IN_PROGRESS, CANCELING). */
export function FineTuneStateBadge(props: {
  state: FineTuneState;
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
      className="jp-AquaExt-FineTuneStateBadge"
      title={props.title}
    />
  );
}
