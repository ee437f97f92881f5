import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import type { IAquaClient } from '../../api/client';
import { ErrorState } from '../../ui/ErrorState';
import { ModalDialog } from '../../ui/ModalDialog';
import { useDialogRequest } from '../../ui/hooks/useDialogRequest';
import type { DownloadText } from '../../shared/download';
import { TextButton } from '../../ui/TextButton';

export interface IExportDialogProps {
  client: IAquaClient;
  trans: TranslationBundle;
  /** The services to export; empty: every one. */
  ids: readonly string[];
  /** What is exported, in words ("every service", a service's name). */
  subject: string;
  download: DownloadText;
  onClose: () => void;
}

/**
 * "Export YAML": the services as an ODA `exportedRestServices` file,
 * downloaded. Secrets stay out unless "include secrets" is ticked (off by
 * default, with a warning once on).
 */
export function ExportDialog(props: IExportDialogProps): JSX.Element {
  const { client, trans } = props;
  const [includeSecrets, setIncludeSecrets] = React.useState(false);
  const { busy, failure, run } = useDialogRequest();

  const download = (): Promise<void> =>
    run(async alive => {
      const answer = await client.exportConnections({ ids: props.ids.join(','), include_secrets: includeSecrets });
      props.download(answer.file_name, answer.yaml);
      if (alive()) {
        props.onClose();
      }
    });

  return (
    <ModalDialog
      title={trans.__('Export YAML')}
      className="jp-AquaExt-FormDialog jp-AquaExt-ConnectionExportDialog"
      trans={trans}
      onClose={() => !busy && props.onClose()}
      closeDisabled={busy}
    >
      <div className="jp-AquaExt-ModalDialog-body">
        <p>{trans.__('Export %1 as an Oracle Digital Assistant “exportedRestServices” file.', props.subject)}</p>
        <label className="jp-AquaExt-checkbox">
          <input
            type="checkbox"
            checked={includeSecrets}
            disabled={busy}
            onChange={event => setIncludeSecrets(event.target.checked)}
          />
          {trans.__('Include secrets')}
        </label>
        {includeSecrets && (
          <div className="jp-AquaExt-warning" role="alert">
            {trans.__(
              'The file will hold the API keys and tokens in plain text: anyone who gets it can use them. Keep it out of notebooks, repositories and shared folders.'
            )}
          </div>
        )}
        {failure !== null && <ErrorState error={failure} trans={trans} title={trans.__('Nothing was exported.')} />}
      </div>
      <div className="jp-AquaExt-ModalDialog-footer">
        <TextButton kind="reject" label={trans.__('Cancel')} disabled={busy} onClick={props.onClose} />
        <TextButton
          kind="accept"
          className="jp-AquaExt-exportButton"
          label={trans.__('Download')}
          busy={busy}
          busyLabel={trans.__('Exporting…')}
          disabled={busy}
          onClick={() => void download()}
        />
      </div>
    </ModalDialog>
  );
}
