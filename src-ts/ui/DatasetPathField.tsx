/**
 * The dataset input of the fine-tune and evaluation forms: a path inside the
 * Jupyter root, "Browse…" (JupyterLab's file dialog, `app/datasetPicker`)
 * and "Upload…" (a file of this computer saved into `datasets/`,
 * `app/datasetFiles`), with the upload's progress in the hint and its
 * failure under the input. Both forms use this one component.
 */
import * as React from 'react';

import { Button, fileUploadIcon, folderIcon } from '@jupyterlab/ui-components';
import type { TranslationBundle } from '@jupyterlab/translation';

import type { Notify } from '../shared/callbacks';
import { describeError } from '../shared/errors';
import { FormField } from './FormField';
import { useMountedRef } from './hooks/useMountedRef';
import { useNotifyError } from './setupLinks';

/** Where a dataset can come from besides a typed path (the app gives them to the dataset forms). */
export interface IDatasetSources {
  /** "Browse…": a JSONL file of the Jupyter root, null when dismissed. The button shows when given. */
  pickDataset?: () => Promise<string | null>;
  /** "Upload…": save a file of this computer into the Jupyter root and answer its path. */
  uploadDataset?: (file: File, onProgress: (fraction: number) => void) => Promise<string>;
}

export interface IDatasetPathFieldProps extends IDatasetSources {
  /** The input's id. */
  id: string;
  trans: TranslationBundle;
  label: string;
  /** Shown under the input unless an upload is running (its progress shows then). */
  hint?: React.ReactNode;
  error?: string;
  value: string;
  maxLength: number;
  placeholder?: string;
  /** The form is being submitted. */
  disabled: boolean;
  notify: Notify;
  /** A path typed, browsed to or uploaded. */
  onChange: (path: string) => void;
  /** The upload failed: the form shows this under the input (as its error). */
  onUploadError: (message: string) => void;
  /** An upload starts (true) or ends (false): the form waits for it before submitting. */
  onUploadingChange?: (uploading: boolean) => void;
}

export function DatasetPathField(props: IDatasetPathFieldProps): JSX.Element {
  const { trans } = props;
  const [upload, setUpload] = React.useState<{ name: string; fraction: number } | null>(null);
  const [browsing, setBrowsing] = React.useState(false);
  const fileInput = React.useRef<HTMLInputElement | null>(null);
  const mounted = useMountedRef();
  const uploadingChange = React.useRef(props.onUploadingChange);
  uploadingChange.current = props.onUploadingChange;
  const notifyError = useNotifyError(props.notify, trans);

  const browse = async (): Promise<void> => {
    if (!props.pickDataset) {
      return;
    }
    setBrowsing(true);
    try {
      const path = await props.pickDataset();
      if (path && mounted.current) {
        props.onChange(path);
      }
    } catch (reason) {
      notifyError(reason);
    } finally {
      if (mounted.current) {
        setBrowsing(false);
      }
    }
  };

  const uploadFile = async (file: File): Promise<void> => {
    if (!props.uploadDataset) {
      return;
    }
    setUpload({ name: file.name, fraction: 0 });
    uploadingChange.current?.(true);
    try {
      const path = await props.uploadDataset(
        file,
        fraction => mounted.current && setUpload({ name: file.name, fraction })
      );
      if (mounted.current) {
        props.onChange(path);
        props.notify(trans.__('Uploaded “%1” to %2.', file.name, path), 'success');
      }
    } catch (reason) {
      if (mounted.current) {
        props.onUploadError(trans.__('The upload failed: %1', describeError(reason, trans)));
      }
    } finally {
      if (mounted.current) {
        setUpload(null);
        uploadingChange.current?.(false);
      }
    }
  };

  const disabled = props.disabled || upload !== null;
  return (
    <FormField
      id={props.id}
      field="dataset_path"
      label={props.label}
      error={props.error}
      hint={upload ? trans.__('Uploading “%1”… %2%', upload.name, Math.round(upload.fraction * 100)) : props.hint}
    >
      {input => (
        <div className="jp-AquaExt-DatasetField-row jp-AquaExt-DatasetField">
          <input
            {...input}
            type="text"
            className="jp-mod-styled jp-AquaExt-input jp-AquaExt-DatasetField-input"
            placeholder={props.placeholder}
            value={props.value}
            maxLength={props.maxLength}
            disabled={disabled}
            autoComplete="off"
            spellCheck={false}
            onChange={event => props.onChange(event.target.value)}
          />
          {props.pickDataset && (
            <Button
              className="jp-mod-styled jp-AquaExt-button jp-AquaExt-browseDatasetButton"
              type="button"
              disabled={disabled || browsing}
              title={trans.__('Choose a JSONL file in the Jupyter root')}
              onClick={() => void browse()}
            >
              <folderIcon.react tag="span" className="jp-AquaExt-buttonIcon" />
              {trans.__('Browse…')}
            </Button>
          )}
          {props.uploadDataset && (
            <>
              <Button
                className="jp-mod-styled jp-AquaExt-button jp-AquaExt-uploadDatasetButton"
                type="button"
                disabled={disabled}
                title={trans.__('Upload a JSONL file from this computer into the Jupyter root’s datasets folder')}
                onClick={() => fileInput.current?.click()}
              >
                <fileUploadIcon.react tag="span" className="jp-AquaExt-buttonIcon" />
                {upload ? trans.__('Uploading…') : trans.__('Upload…')}
              </Button>
              <input
                ref={fileInput}
                type="file"
                accept=".jsonl,.ndjson,application/jsonl,application/x-ndjson"
                className="jp-AquaExt-DatasetField-file"
                aria-label={trans.__('Dataset file to upload')}
                tabIndex={-1}
                hidden
                onChange={event => {
                  const file = event.target.files?.[0];
                  event.target.value = '';
                  if (file) {
                    void uploadFile(file);
                  }
                }}
              />
            </>
          )}
        </div>
      )}
    </FormField>
  );
}
