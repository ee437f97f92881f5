import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import type { IAquaClient } from '../../api/client';
import type { GenAiCluster, GenAiClusterAction } from '../../api/types';
import type { Confirm, Notify } from '../../shared/callbacks';
import { formatDateTime } from '../../shared/format';
import { stateChanges } from '../../shared/polling';
import { ListFrame } from '../../ui/ResourceList';
import { RowActionsCell, RowActionsHeader } from '../../ui/RowActionButton';
import { TextButton } from '../../ui/TextButton';
import { StateBadge } from '../../ui/StateBadge';
import { useBusyAction } from '../../ui/hooks/useBusyAction';
import { usePolledList, useRefreshOnRequest } from '../../ui/hooks/usePolledList';
import { clusterTypeLabel, costSoFarText, formatAiUnits, GENAI_STATE_BADGE, hourlyText } from './format';
import type { GenAiDialogRequest } from './GenAiDialogs';

export interface IClustersSectionProps {
  client: IAquaClient;
  trans: TranslationBundle;
  /** The section and its panel are shown: poll; otherwise stay quiet. */
  active: boolean;
  /** Bump to poll at once (after a cluster was created). */
  reloadRequest?: number;
  confirm: Confirm;
  notify: Notify;
  /** Open one of the Generative AI forms (the app holds them: models and deployments open them too). */
  onOpen: (request: GenAiDialogRequest) => void;
}

/**
 * The Generative AI section: the dedicated AI clusters with their state,
 * type, unit shape and units, AI units, cost per hour and cost so far; per
 * cluster the buttons its `actions` allow (an endpoint on a hosting cluster,
 * a fine-tune on a fine-tuning one, delete); and the forms that start it all:
 * import a model, new cluster, new endpoint, new fine-tune.
 */
export function ClustersSection(props: IClustersSectionProps): JSX.Element {
  const { client, trans, onOpen } = props;
  // The row whose delete is on its way; a refusal is notified.
  const { busy, runConfirmed } = useBusyAction<string>(props.notify, trans);
  const fetch = React.useCallback(() => client.listGenAiClusters(), [client]);
  const list = usePolledList(fetch, {
    active: props.active,
    changes: (previous: GenAiCluster[], next: GenAiCluster[]) =>
      stateChanges(previous, next, (from, to) => GENAI_STATE_BADGE.changing(from) && !GENAI_STATE_BADGE.changing(to)),
    onChanges: changes =>
      changes.forEach(({ item }) => {
        if (item.state === 'ACTIVE') {
          props.notify(trans.__('The cluster “%1” is active.', item.name), 'success');
        } else if (item.state === 'DELETED') {
          props.notify(trans.__('The cluster “%1” was deleted.', item.name), 'info');
        } else {
          const state = GENAI_STATE_BADGE.label(item.state, trans);
          props.notify(trans.__('The cluster “%1”: %2. %3', item.name, state, item.state_message), 'error');
        }
      }),
    fastWhile: items => items.some(item => GENAI_STATE_BADGE.changing(item.state))
  });
  const { items, error, refresh } = list;
  useRefreshOnRequest(props.reloadRequest, refresh);
  const sorted = React.useMemo(
    () => (items ? [...items].sort((a, b) => (b.created_at ?? '').localeCompare(a.created_at ?? '')) : null),
    [items]
  );

  const remove = (cluster: GenAiCluster): Promise<void> =>
    runConfirmed(cluster.id, props.confirm, {
      message: trans.__('Delete the dedicated AI cluster “%1”? Its billing stops once it is deleted.', cluster.name),
      options: { title: trans.__('Delete cluster'), acceptLabel: trans.__('Delete'), danger: true },
      action: async () => {
        await client.deleteGenAiCluster(cluster.id);
        props.notify(trans.__('Deleting “%1”…', cluster.name), 'info');
        refresh();
      }
    });

  /** The buttons of one row, in a fixed order (each shows only when the server lists its action). */
  const rowActions = (cluster: GenAiCluster): JSX.Element => (
    <RowActionsCell<GenAiClusterAction>
      item={cluster}
      disabled={busy === cluster.id}
      actions={[
        {
          action: 'create_endpoint',
          label: trans.__('New endpoint'),
          onClick: () => onOpen({ kind: 'endpoint', clusterId: cluster.id })
        },
        {
          action: 'finetune',
          label: trans.__('Fine-tune'),
          onClick: () => onOpen({ kind: 'finetune', clusterId: cluster.id })
        },
        { action: 'delete', label: trans.__('Delete'), onClick: () => void remove(cluster), warn: true }
      ]}
    />
  );

  return (
    <ListFrame
      className="jp-AquaExt-ResourceList jp-AquaExt-ClusterList"
      text={{
        count: n => trans._n('%1 dedicated AI cluster', '%1 dedicated AI clusters', n),
        reloadTitle: trans.__('Reload the clusters'),
        newLabel: trans.__('New cluster'),
        loadError: trans.__('The dedicated AI clusters could not be loaded.'),
        loading: trans.__('Loading dedicated AI clusters…'),
        emptyTitle: trans.__('No dedicated AI clusters yet'),
        emptyBody: trans.__(
          'Import an open model into OCI Generative AI, host it on a cluster of the recommended unit shape, and create an endpoint to chat with it beside your deployments.'
        )
      }}
      count={sorted === null ? null : sorted.length}
      error={error}
      trans={trans}
      newButtonClassName="jp-AquaExt-newClusterButton"
      onNew={() => onOpen({ kind: 'cluster' })}
      onRefresh={refresh}
      tools={
        <>
          <TextButton label={trans.__('Import model')} onClick={() => onOpen({ kind: 'import' })} />
          <TextButton label={trans.__('New endpoint')} onClick={() => onOpen({ kind: 'endpoint' })} />
          <TextButton label={trans.__('New fine-tune')} onClick={() => onOpen({ kind: 'finetune' })} />
        </>
      }
    >
      <table className="jp-AquaExt-ResourceList-table jp-AquaExt-ClusterTable" aria-label={trans.__('Clusters')}>
        <thead>
          <tr>
            <th scope="col">{trans.__('Name')}</th>
            <th scope="col">{trans.__('State')}</th>
            <th scope="col">{trans.__('Unit shape')}</th>
            <th scope="col">{trans.__('AI units')}</th>
            <th scope="col">{trans.__('Cost')}</th>
            <RowActionsHeader trans={trans} />
          </tr>
        </thead>
        <tbody>
          {(sorted ?? []).map(cluster => (
            <ClusterRow key={cluster.id} cluster={cluster} trans={trans} actions={rowActions(cluster)} />
          ))}
        </tbody>
      </table>
    </ListFrame>
  );
}

function ClusterRow(props: { cluster: GenAiCluster; trans: TranslationBundle; actions: JSX.Element }): JSX.Element {
  const { cluster, trans } = props;
  const soFar = costSoFarText(cluster, trans);
  const endpoints =
    cluster.type === 'HOSTING' && cluster.endpoints_used !== null && cluster.endpoints_total !== null
      ? trans.__('%1 of %2 endpoints', cluster.endpoints_used, cluster.endpoints_total)
      : null;
  return (
    <tr className="jp-AquaExt-ResourceList-row" data-cluster-id={cluster.id}>
      <td className="jp-AquaExt-ResourceList-name">
        <span className="jp-AquaExt-ConnectionTable-name">{cluster.name}</span>
        <span className="jp-AquaExt-ResourceList-model">
          {clusterTypeLabel(cluster.type, trans)}
          {endpoints && ` · ${endpoints}`}
          {cluster.created_at && ` · ${formatDateTime(cluster.created_at)}`}
        </span>
      </td>
      <td data-column="state">
        <StateBadge
          state={cluster.state}
          kind={GENAI_STATE_BADGE}
          trans={trans}
          title={cluster.state_message || undefined}
        />
        {cluster.state_message && cluster.state !== 'ACTIVE' && (
          <span className="jp-AquaExt-ResourceList-message" title={cluster.state_message}>
            {cluster.state_message}
          </span>
        )}
      </td>
      <td data-column="shape">
        {cluster.unit_shape} × {cluster.unit_count}
        {cluster.limit_name && <span className="jp-AquaExt-ResourceList-model">{cluster.limit_name}</span>}
      </td>
      <td data-column="ai-units">{cluster.cost ? formatAiUnits(cluster.cost.ai_unit_hours_per_hour) : '—'}</td>
      <td data-column="cost" title={[...(cluster.cost?.arithmetic ?? []), cluster.cost_so_far?.line ?? ''].join('\n')}>
        {hourlyText(cluster.cost, trans)}
        {soFar && (
          <span className="jp-AquaExt-ResourceList-model" data-column="cost-so-far">
            {trans.__('%1 so far', soFar)}
          </span>
        )}
      </td>
      {props.actions}
    </tr>
  );
}
