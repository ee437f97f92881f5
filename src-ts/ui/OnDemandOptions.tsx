import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import type { OnDemandModel } from '../api/types';
import { onDemandGroupLabel, onDemandLabel } from '../shared/onDemand';

export interface IOnDemandOptionsProps {
  models: readonly OnDemandModel[];
  trans: TranslationBundle;
}

/**
 * The on-demand models of OCI Generative AI as one `<optgroup>` of a select
 * whose values are deployment ids (nothing when there are none).
 */
export function OnDemandOptions(props: IOnDemandOptionsProps): JSX.Element | null {
  const { models, trans } = props;
  if (models.length === 0) {
    return null;
  }
  return (
    <optgroup label={onDemandGroupLabel(trans)} className="jp-AquaExt-onDemandGroup">
      {models.map(model => (
        <option key={model.id} value={model.id} title={model.note || undefined}>
          {onDemandLabel(model, trans)}
        </option>
      ))}
    </optgroup>
  );
}
