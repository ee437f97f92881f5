import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import type { IAquaClient } from '../../api/client';
import { AquaApiError } from '../../api/errors';
import type { ConnectionSummary } from '../../api/types';
import { ErrorState } from '../../ui/ErrorState';
import { FormErrors } from '../../ui/FormErrors';
import { FormField, TextAreaField } from '../../ui/FormField';
import { useFieldIds } from '../../ui/hooks/useFieldIds';
import { useDialogRequest } from '../../ui/hooks/useDialogRequest';
import { kindLabel } from './labels';
import { RequestDialog } from './RequestDialog';

export interface IImportDialogProps {
  client: IAquaClient;
  trans: TranslationBundle;
  onClose: () => void;
  /** Services were created (the list reloads). */
  onImported: (created: ConnectionSummary[]) => void;
}

/**
 * "Import YAML": an ODA `exportedRestServices` document, from a file or
 * pasted; all of it is imported or none. Shows the services created, or the
 * server's refusal naming the entry and the key (a 400's fields).
 */
export function ImportDialog(props: IImportDialogProps): JSX.Element {
  const { client, trans } = props;
  const id = useFieldIds('ConnectionImport');
  const [yaml, setYaml] = React.useState('');
  const [fileName, setFileName] = React.useState<string | null>(null);
  const [created, setCreated] = React.useState<ConnectionSummary[] | null>(null);
  const { busy, failure, setFailure, run } = useDialogRequest();
  const fields = failure instanceof AquaApiError ? (failure.fields ?? []) : [];

  const readFile = (file: File): Promise<void> =>
    run(async alive => {
      const content = await file.text();
      if (alive()) {
        setYaml(content);
        setFileName(file.name);
      }
    });

  const submit = (): Promise<void> =>
    run(async alive => {
      const answer = await client.importConnections({ yaml });
      if (alive()) {
        setCreated(answer.created);
      }
      props.onImported(answer.created);
    });

  return (
    <RequestDialog
      trans={trans}
      title={trans.__('Import services (YAML)')}
      className="jp-AquaExt-ConnectionImportDialog"
      busy={busy}
      onClose={props.onClose}
      send={{
        className: 'jp-AquaExt-importButton',
        label: trans.__('Import'),
        busyLabel: trans.__('Importing…'),
        disabled: !yaml.trim(),
        onClick: () => void submit()
      }}
      done={created !== null}
    >
      {created ? (
        <div role="status" className="jp-AquaExt-ImportResult">
          <p>{trans._n('%1 service was created:', '%1 services were created:', created.length)}</p>
          <ul aria-label={trans.__('Created services')}>
            {created.map(item => (
              <li key={item.id}>
                {item.name} <span className="jp-AquaExt-muted">({kindLabel(item.kind, trans)})</span>
              </li>
            ))}
          </ul>
        </div>
      ) : (
        <>
          <p className="jp-AquaExt-muted">
            {trans.__(
              'An Oracle Digital Assistant “exportedRestServices” file: every service in it is created, or none. Keys are not in such files: set them by editing each service.'
            )}
          </p>
          <FormField id={id('file')} field="file" label={trans.__('File')} hint={fileName ?? undefined}>
            {input => (
              <input
                {...input}
                type="file"
                accept=".yaml,.yml,text/yaml,application/x-yaml"
                disabled={busy}
                onChange={event => {
                  const file = event.target.files?.[0];
                  if (file) {
                    void readFile(file);
                  }
                }}
              />
            )}
          </FormField>
          <TextAreaField
            id={id('yaml')}
            field="yaml"
            label={trans.__('YAML (or paste it here)')}
            code
            rows={10}
            value={yaml}
            disabled={busy}
            spellCheck={false}
            placeholder={'exportedRestServices:\n- name: …\n  endpoint: https://…\n  authType: …'}
            onChange={value => {
              setYaml(value);
              setFailure(null);
            }}
          />
          {fields.length > 0 ? (
            <FormErrors fields={fields} message={(failure as AquaApiError).message} />
          ) : (
            failure !== null && <ErrorState error={failure} trans={trans} title={trans.__('Nothing was imported.')} />
          )}
        </>
      )}
    </RequestDialog>
  );
}
