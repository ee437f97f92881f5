/**
 * The dataset of the fine-tune and evaluation forms with its check right
 * under it: the path field (Browse…, Upload…) and the preflight's summary
 * with its Recheck. An error the check found for the path shows under the
 * input unless the form has its own.
 */
import * as React from 'react';

import { DatasetPathField, type IDatasetPathFieldProps } from './DatasetPathField';
import type { IDatasetPreflight } from './hooks/useDatasetPreflight';
import { PreflightSummary } from './PreflightSummary';

export function CheckedDatasetField(props: IDatasetPathFieldProps & { preflight: IDatasetPreflight }): JSX.Element {
  const { preflight, ...field } = props;
  const { request } = preflight;
  return (
    <>
      <DatasetPathField {...field} error={props.error ?? preflight.current?.fields.dataset_path} />
      <PreflightSummary
        result={preflight.current}
        checking={preflight.checking}
        trans={props.trans}
        onRecheck={request && !props.disabled ? () => void preflight.run(request) : undefined}
      />
    </>
  );
}
