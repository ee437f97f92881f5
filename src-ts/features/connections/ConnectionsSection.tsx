import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import type { IAquaClient } from '../../api/client';
import type { ConnectionAction, ConnectionDetail, ConnectionSummary } from '../../api/types';
import type { Confirm, Notify } from '../../shared/callbacks';
import { formatDateTime } from '../../shared/format';
import { ListFrame } from '../../ui/ResourceList';
import { RowActionsCell, RowActionsHeader, type IRowAction } from '../../ui/RowActionButton';
import { TextButton } from '../../ui/TextButton';
import { useBusyAction } from '../../ui/hooks/useBusyAction';
import { useFetched } from '../../ui/hooks/useFetched';
import { useMountedRef } from '../../ui/hooks/useMountedRef';
import { ConnectionDialog } from './ConnectionDialog';
import { downloadText, type DownloadText } from '../../shared/download';
import { ExportDialog } from './ExportDialog';
import { lastTestText, modelsText } from './format';
import { ImportDialog } from './ImportDialog';
import { kindLabel } from './labels';
import { TestDialog } from './TestDialog';

export interface IConnectionsSectionProps {
  client: IAquaClient;
  trans: TranslationBundle;
  /** The section and its panel are shown: the list reloads when it becomes so. */
  active: boolean;
  confirm: Confirm;
  notify: Notify;
  /** Open a playground tab with the connection (its Chat button shows when given and allowed). */
  onOpenPlayground?: (connectionId: string) => void;
  /** Open the evaluation form with the connection chosen (its Evaluate button shows when given and allowed). */
  onEvaluate?: (connectionId: string) => void;
  /** Save an exported file (the browser's download unless given). */
  download?: DownloadText;
}

/** The dialog open over the list, if any. */
type OpenDialog =
  | { kind: 'create' }
  | { kind: 'edit'; connection: ConnectionDetail }
  | { kind: 'test'; connection: ConnectionSummary }
  | { kind: 'import' }
  | { kind: 'export'; ids: string[]; subject: string };

/**
 * The Connections section: the hosted services (OpenAI, Azure OpenAI, Cohere,
 * OCI Generative AI, any REST service) with their kind, endpoint, models,
 * whether a key is set, whether they stream, and their last test; New, Import
 * and Export YAML; and per service the buttons its `actions` allow.
 */
export function ConnectionsSection(props: IConnectionsSectionProps): JSX.Element {
  const { client, trans, active } = props;
  const mounted = useMountedRef();
  const [reloadCount, setReloadCount] = React.useState(0);
  const [dialog, setDialog] = React.useState<OpenDialog | null>(null);
  const reload = React.useCallback(() => setReloadCount(n => n + 1), []);
  // The row whose edit or delete is on its way; an OCI refusal (a signed connection's) links to its setup check.
  const { busy, run, runConfirmed } = useBusyAction<string>(props.notify, trans);
  const load = React.useCallback(() => client.listConnections(), [client]);
  // Nothing changes a connection but this page (no state to poll): load on show and after each change.
  const { value, error } = useFetched(active ? load : null, reloadCount);
  const items = React.useMemo(
    () => (value ? [...value.connections].sort((a, b) => a.name.localeCompare(b.name)) : null),
    [value]
  );

  const edit = (connection: ConnectionSummary): Promise<void> =>
    run(connection.id, async () => {
      const detail = await client.getConnection(connection.id);
      if (mounted.current) {
        setDialog({ kind: 'edit', connection: detail });
      }
    });

  const remove = (connection: ConnectionSummary): Promise<void> =>
    runConfirmed(connection.id, props.confirm, {
      message: trans.__(
        'Delete the connection “%1” and the key kept for it? Evaluations and notebooks that use it stop working.',
        connection.name
      ),
      options: { title: trans.__('Delete connection'), acceptLabel: trans.__('Delete'), danger: true },
      action: async () => {
        await client.deleteConnection(connection.id);
        props.notify(trans.__('“%1” was deleted.', connection.name), 'success');
        reload();
      }
    });

  /** The buttons of one row, in a fixed order (each shows only when the server lists its action). */
  const rowActions = (connection: ConnectionSummary): (IRowAction<ConnectionAction> | undefined)[] => {
    const { onOpenPlayground: open, onEvaluate: evaluate } = props;
    return [
      { action: 'test', label: trans.__('Test'), onClick: () => setDialog({ kind: 'test', connection }) },
      open && { action: 'chat', label: trans.__('Chat'), onClick: () => open(connection.id) },
      evaluate && { action: 'evaluate', label: trans.__('Evaluate'), onClick: () => evaluate(connection.id) },
      { action: 'edit', label: trans.__('Edit'), onClick: () => void edit(connection) },
      {
        action: 'export',
        label: trans.__('Export'),
        onClick: () => setDialog({ kind: 'export', ids: [connection.id], subject: trans.__('“%1”', connection.name) })
      },
      { action: 'delete', label: trans.__('Delete'), onClick: () => void remove(connection), warn: true }
    ];
  };

  const closeDialog = (): void => setDialog(null);

  return (
    <ListFrame
      className="jp-AquaExt-ResourceList jp-AquaExt-ConnectionList"
      text={{
        count: n => trans._n('%1 connection', '%1 connections', n),
        reloadTitle: trans.__('Reload the connections'),
        newLabel: trans.__('New connection'),
        loadError: trans.__('The connections could not be loaded.'),
        loading: trans.__('Loading connections…'),
        emptyTitle: trans.__('No connections yet'),
        emptyBody: trans.__(
          'Add a hosted LLM service (OpenAI, Azure OpenAI, Cohere, OCI Generative AI or any REST service) to chat with it beside your deployments, or import your Digital Assistant services from YAML.'
        )
      }}
      count={items === null ? null : items.length}
      error={error}
      trans={trans}
      newButtonClassName="jp-AquaExt-newConnectionButton"
      onNew={() => setDialog({ kind: 'create' })}
      onRefresh={reload}
      dialogs={
        <>
          {(dialog?.kind === 'create' || dialog?.kind === 'edit') && (
            <ConnectionDialog
              client={client}
              trans={trans}
              connection={dialog.kind === 'edit' ? dialog.connection : null}
              onClose={closeDialog}
              onSaved={saved => {
                props.notify(
                  dialog.kind === 'edit'
                    ? trans.__('“%1” was saved.', saved.name)
                    : trans.__('“%1” was created.', saved.name),
                  'success'
                );
                closeDialog();
                reload();
              }}
            />
          )}
          {dialog?.kind === 'test' && (
            <TestDialog
              client={client}
              trans={trans}
              connection={dialog.connection}
              onClose={closeDialog}
              onTested={reload}
            />
          )}
          {dialog?.kind === 'import' && (
            <ImportDialog client={client} trans={trans} onClose={closeDialog} onImported={reload} />
          )}
          {dialog?.kind === 'export' && (
            <ExportDialog
              client={client}
              trans={trans}
              ids={dialog.ids}
              subject={dialog.subject}
              download={props.download ?? downloadText}
              onClose={closeDialog}
            />
          )}
        </>
      }
      tools={
        <>
          <TextButton label={trans.__('Import YAML')} onClick={() => setDialog({ kind: 'import' })} />
          <TextButton
            label={trans.__('Export YAML')}
            disabled={!items || items.length === 0}
            onClick={() => setDialog({ kind: 'export', ids: [], subject: trans.__('every service') })}
          />
        </>
      }
    >
      <table className="jp-AquaExt-ResourceList-table jp-AquaExt-ConnectionTable" aria-label={trans.__('Connections')}>
        <thead>
          <tr>
            <th scope="col">{trans.__('Name')}</th>
            <th scope="col">{trans.__('Kind')}</th>
            <th scope="col">{trans.__('Models')}</th>
            <th scope="col">{trans.__('Last test')}</th>
            <RowActionsHeader trans={trans} />
          </tr>
        </thead>
        <tbody>
          {(items ?? []).map(connection => (
            <tr key={connection.id} className="jp-AquaExt-ResourceList-row" data-connection-id={connection.id}>
              {/* The endpoint, key and streaming sit under the name and the kind (as a deployment's
                  model does under its name): as columns of their own, with five buttons, the
                  table was wider than the panel beside the file browser. */}
              <td className="jp-AquaExt-ResourceList-name">
                <span className="jp-AquaExt-ConnectionTable-name">{connection.name}</span>
                <span className="jp-AquaExt-ConnectionTable-endpoint" title={connection.endpoint}>
                  {connection.endpoint}
                </span>
              </td>
              <td className="jp-AquaExt-ConnectionTable-kind">
                {kindLabel(connection.kind, trans)}
                <span className="jp-AquaExt-ResourceList-model">
                  <span data-column="key">{connection.secret_set ? trans.__('key set') : trans.__('no key')}</span>
                  {' · '}
                  <span data-column="streaming">
                    {connection.streaming ? trans.__('streaming') : trans.__('whole (no streaming)')}
                  </span>
                </span>
              </td>
              <td className="jp-AquaExt-ConnectionTable-models">{modelsText(connection)}</td>
              <td
                data-column="last-test"
                className={connection.last_test ? (connection.last_test.ok ? 'jp-mod-ok' : 'jp-mod-failed') : undefined}
                title={connection.last_test?.message}
              >
                {lastTestText(connection, trans)}
                {connection.last_test && (
                  <span className="jp-AquaExt-ResourceList-model">
                    {formatDateTime(connection.last_test.tested_at)}
                  </span>
                )}
              </td>
              <RowActionsCell item={connection} disabled={busy === connection.id} actions={rowActions(connection)} />
            </tr>
          ))}
        </tbody>
      </table>
    </ListFrame>
  );
}
