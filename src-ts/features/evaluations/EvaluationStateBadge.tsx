import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import type { EvaluationState } from '../../api/types';
import { isFinal, stateLabel, stateVariant } from './states';
import { StateBadge } from '../../ui/StateBadge';

/** The evaluation's state as a colored badge; a spinner while it runs. */
export function EvaluationStateBadge(props: {
  state: EvaluationState;
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
      className="jp-AquaExt-EvaluationStateBadge"
      title={props.title}
    />
  );
}
