import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import type { IAquaClient } from '../../api/client';
import { ErrorState } from '../../ui/ErrorState';
import { useDialogRequest } from '../../ui/hooks/useDialogRequest';
import type { DownloadText } from '../../shared/download';
import { RequestDialog } from './RequestDialog';

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
    <RequestDialog
      trans={trans}
      title={trans.__('Export YAML')}
      className="jp-AquaExt-ConnectionExportDialog"
      busy={busy}
      onClose={props.onClose}
      send={{
        className: 'jp-AquaExt-exportButton',
        label: trans.__('Download'),
        busyLabel: trans.__('Exporting…'),
        onClick: () => void download()
      }}
    >
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
    </RequestDialog>
  );
}
