/**
 * The dataset of the fine-tune and evaluation forms with its check right
 * under it: the path field (Browse…, Upload…) and the preflight's summary
 * with its Recheck. An error the check found for the path shows under the
 * input unless the form has its own. The dialog holds the dataset's state
 * (`useDialogDataset`): its check, an upload running, and whether the form
 * may be sent.
 */
import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import type { Notify } from '../shared/callbacks';
import { blocksSubmit } from '../shared/datasetPreflight';
import { DatasetPathField, type IDatasetSources } from './DatasetPathField';
import type { IDatasetPreflight } from './hooks/useDatasetPreflight';
import { PreflightSummary } from './PreflightSummary';

/** The dataset of a dialog's form: where it may come from, its check, and an upload running. */
export interface IDialogDataset {
  /** Browse…, Upload…, where an upload's news goes, as the app gave them to the dialog. */
  sources: IDatasetSources & { notify: Notify; trans: TranslationBundle };
  preflight: IDatasetPreflight;
  /** The job runs on OCI: the path may be in Object Storage too. */
  onOci: boolean;
  uploading: boolean;
  setUploading: (uploading: boolean) => void;
  /** The upload failed: shown under the input as its error. */
  onUploadError: (message: string) => void;
  /** The check found errors: nothing is sent (the footer says so). */
  blocked: boolean;
  /** Not to be sent now: an upload runs or the check found errors. */
  holds: boolean;
  /** Before sending: the check's answer (asked now when there is none yet) lets it go, and the dialog is still open. */
  ready: (alive: () => boolean) => Promise<boolean>;
}

/** The dataset state of a dialog whose form takes one (fine-tune, evaluation). */
export function useDialogDataset(
  sources: IDialogDataset['sources'],
  preflight: IDatasetPreflight,
  onOci: boolean,
  addError: (field: 'dataset_path', message: string) => void
): IDialogDataset {
  const [uploading, setUploading] = React.useState(false);
  const blocked = blocksSubmit(preflight.current);
  return {
    sources,
    preflight,
    onOci,
    uploading,
    setUploading,
    onUploadError: message => addError('dataset_path', message),
    blocked,
    holds: uploading || blocked,
    ready: async alive => {
      const checked = await preflight.checked();
      return alive() && !blocksSubmit(checked);
    }
  };
}

/** The dataset's input (`dataset_path`) and its check; `rows` says what its rows hold. */
export function CheckedDatasetField(props: {
  id: string;
  error?: string;
  value: string;
  disabled: boolean;
  onChange: (path: string) => void;
  dataset: IDialogDataset;
  maxLength: number;
  placeholder: string;
  rows?: string;
}): JSX.Element {
  const { dataset, rows, ...input } = props;
  const { preflight, sources } = dataset;
  const { trans } = sources;
  const { request } = preflight;
  const where = dataset.onOci
    ? trans.__('A file inside the Jupyter root, or oci://bucket@namespace/path.')
    : trans.__('A file inside the Jupyter root.');
  return (
    <>
      <DatasetPathField
        {...input}
        trans={trans}
        label={trans.__('Dataset (JSONL)')}
        hint={rows ? `${where} ${rows}` : where}
        error={input.error ?? preflight.current?.fields.dataset_path}
        pickDataset={sources.pickDataset}
        uploadDataset={sources.uploadDataset}
        notify={sources.notify}
        onUploadError={dataset.onUploadError}
        onUploadingChange={dataset.setUploading}
      />
      <PreflightSummary
        result={preflight.current}
        checking={preflight.checking}
        trans={trans}
        onRecheck={request && !props.disabled ? () => void preflight.run(request) : undefined}
      />
    </>
  );
}

/** Under the footer's buttons while the dataset check found errors: nothing is sent. */
export function DatasetBlockedNotice(props: { dataset: IDialogDataset }): JSX.Element | null {
  return props.dataset.blocked ? (
    <span className="jp-AquaExt-DatasetBlockedNotice" role="status">
      {props.dataset.sources.trans.__('Fix the dataset first.')}
    </span>
  ) : null;
}
