/**
 * The dataset of the fine-tune and evaluation forms with its check right
 * under it: the path field (Browse…, Upload…) and the preflight's summary
 * with its Recheck. An error the check found for the path shows under the
 * input unless the form has its own.
 */
import * as React from 'react';

import type { Notify } from '../shared/callbacks';
import { DatasetPathField, type IDatasetPathFieldProps, type IDatasetSources } from './DatasetPathField';
import type { IDatasetPreflight } from './hooks/useDatasetPreflight';
import { PreflightSummary } from './PreflightSummary';

export function CheckedDatasetField(
  props: Omit<IDatasetPathFieldProps, keyof IDatasetSources | 'notify'> & {
    /** Browse…, Upload… and where an upload's news goes, as the app gave them to the dialog. */
    sources: IDatasetSources & { notify: Notify };
    preflight: IDatasetPreflight;
  }
): JSX.Element {
  const { preflight, sources, ...field } = props;
  const { request } = preflight;
  return (
    <>
      <DatasetPathField
        {...field}
        pickDataset={sources.pickDataset}
        uploadDataset={sources.uploadDataset}
        notify={sources.notify}
        error={props.error ?? preflight.current?.fields.dataset_path}
      />
      <PreflightSummary
        result={preflight.current}
        checking={preflight.checking}
        trans={props.trans}
        onRecheck={request && !props.disabled ? () => void preflight.run(request) : undefined}
      />
    </>
  );
}
