import * as React from 'react';

import type { FineTuneSummary } from '../../api/types';
import { trainingTypeLabel } from './format';
import {
  jobStateColumn,
  progressColumn,
  ResourceList,
  shapeColumn,
  type IResourceListSectionProps
} from '../../ui/ResourceList';
import { FineTuneProgress } from './FineTuneProgress';

export type IFineTuneListProps = IResourceListSectionProps<FineTuneSummary>;

/** Every fine-tuning job with its state and progress, newest first; a row opens its detail. */
export function FineTuneList(props: IFineTuneListProps): JSX.Element {
  const { trans } = props;
  return (
    <ResourceList<FineTuneSummary>
      {...props}
      text={{
        count: n => trans._n('%1 fine-tuning job', '%1 fine-tuning jobs', n),
        reloadTitle: trans.__('Reload the fine-tuning jobs'),
        newLabel: trans.__('New fine-tune'),
        loadError: trans.__('The fine-tuning jobs could not be loaded.'),
        loading: trans.__('Loading fine-tuning jobs…'),
        emptyTitle: trans.__('No fine-tuning jobs yet'),
        emptyBody: trans.__(
          'Fine-tune a model on a JSONL dataset of your own (LoRA or its last layers), follow its loss curves here, then deploy the result like any other model.'
        ),
        tableLabel: trans.__('Fine-tuning jobs')
      }}
      classNames={{
        root: 'jp-AquaExt-FineTuneList',
        newButton: 'jp-AquaExt-newFineTuneButton',
        table: 'jp-AquaExt-FineTuneTable',
        row: 'jp-AquaExt-FineTuneRow'
      }}
      rowIdAttribute="data-finetune-id"
      model={item => ({ name: item.base_model_name, title: item.base_model_id })}
      columns={[
        jobStateColumn(trans),
        progressColumn<FineTuneSummary>(trans, (item, label) => (
          <FineTuneProgress job={item} trans={trans} compact label={label} />
        )),
        { key: 'training', header: trans.__('Training'), cell: item => trainingTypeLabel(item.training_type, trans) },
        shapeColumn(trans)
      ]}
    />
  );
}
