import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import type { IAquaClient } from '../../api/client';
import type { OnDemandModel } from '../../api/types';
import { modeLabel } from '../../shared/labels';
import { loadOnDemandModels, onDemandGroupLabel } from '../../shared/onDemand';
import { RowActionsCell, RowActionsHeader } from '../../ui/RowActionButton';
import { useFetched } from '../../ui/hooks/useFetched';

export interface IOnDemandModelsProps {
  client: IAquaClient;
  trans: TranslationBundle;
  /** Open a playground tab with the model (its OCID is its deployment id). */
  onOpenPlayground?: (deploymentId: string) => void;
  /** Open the evaluation form with the model chosen. */
  onEvaluate?: (deploymentId: string) => void;
}

/**
 * The region's base models that OCI Generative AI serves on demand (paid per
 * call, no cluster): each opens a playground or an evaluation as a
 * deployment does. Deprecated ones say when they retire; retired ones are
 * not listed (the server's rule).
 */
export function OnDemandModels(props: IOnDemandModelsProps): JSX.Element | null {
  const { client, trans } = props;
  const load = React.useCallback(() => loadOnDemandModels(client), [client]);
  const models = useFetched(load, null).value;
  if (!models || models.length === 0) {
    return null;
  }
  return (
    <section className="jp-AquaExt-OnDemandModels" aria-label={onDemandGroupLabel(trans)}>
      <h3 className="jp-AquaExt-OnDemandModels-title">{onDemandGroupLabel(trans)}</h3>
      <table className="jp-AquaExt-ResourceList-table" aria-label={trans.__('On-demand models')}>
        <thead>
          <tr>
            <th scope="col">{trans.__('Model')}</th>
            <th scope="col">{trans.__('Mode')}</th>
            <RowActionsHeader trans={trans} />
          </tr>
        </thead>
        <tbody>
          {models.map(model => (
            <tr key={model.id} className="jp-AquaExt-ResourceList-row" data-model-id={model.id}>
              <td className="jp-AquaExt-ResourceList-name">
                <span className="jp-AquaExt-ConnectionTable-name">{model.name}</span>
                <span className="jp-AquaExt-ResourceList-model">
                  {[model.vendor, model.version].filter(Boolean).join(' · ')}
                  {model.deprecated && (
                    <span className="jp-AquaExt-OnDemandModels-deprecated">
                      {' · '}
                      {model.retires_at
                        ? trans.__('deprecated, retires %1', model.retires_at.slice(0, 10))
                        : trans.__('deprecated')}
                    </span>
                  )}
                </span>
              </td>
              <td data-column="mode">{modeLabel(model.mode, trans)}</td>
              <RowActionsCell<OnDemandModel['actions'][number]>
                item={model}
                disabled={false}
                actions={[
                  props.onOpenPlayground && {
                    action: 'chat',
                    label: trans.__('Playground'),
                    onClick: () => props.onOpenPlayground?.(model.id)
                  },
                  props.onEvaluate && {
                    action: 'evaluate',
                    label: trans.__('Evaluate'),
                    onClick: () => props.onEvaluate?.(model.id)
                  }
                ]}
              />
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
