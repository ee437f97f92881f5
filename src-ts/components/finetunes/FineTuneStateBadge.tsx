import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import type { FineTuneState } from '../../api/types';
import { isFinal, stateLabel, stateVariant } from '../../finetunes/states';
import { Badge } from '../Badge';

/** The job's state as a colored badge; a spinner while it runs (ACCEPTED, IN_PROGRESS, CANCELING). */
export function FineTuneStateBadge(props: { state: FineTuneState; trans: TranslationBundle; title?: string }): JSX.Element {
  const { state, trans } = props;
  const running = !isFinal(state);
  return (
    <Badge
      variant={stateVariant(state)}
      className={`jp-AquaExt-StateBadge jp-AquaExt-FineTuneStateBadge jp-AquaExt-StateBadge-${state}${running ? ' jp-mod-transitional' : ''}`}
      title={props.title}
    >
      {running && <span className="jp-AquaExt-spinner jp-AquaExt-StateBadge-spinner" aria-hidden="true" />}
      <span data-state={state}>{stateLabel(state, trans)}</span>
    </Badge>
  );
}
