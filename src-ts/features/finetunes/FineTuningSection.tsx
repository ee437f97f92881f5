import * as React from 'react';

import type { FineTuneSummary } from '../../api/types';
import { type IJobSectionProps, useJobEndNotices, useJobSection } from '../../ui/ResourceSection';
import { FineTuneDetail } from './FineTuneDetail';
import { FineTuneList } from './FineTuneList';

export interface IFineTuningSectionProps extends IJobSectionProps {
  onNewFineTune: () => void;
  /** Deploy a fine-tuned model. */
  onDeploy?: (modelId: string) => void;
  /** Evaluate on a succeeded job's training data (its detail's button shows when given). */
  onEvaluate?: (finetuneId: string) => void;
  /** Open a model in Models. */
  onViewModel?: (modelId: string) => void;
  /** A finished job produced a model: the model list is worth reloading. */
  onModelsChanged?: () => void;
  /** Delay between two metric polls (tests shorten it). */
  metricsIntervalMs?: number;
}

/** The Fine-tuning section: the polled job list, or one job's detail. */
export function FineTuningSection(props: IFineTuningSectionProps): JSX.Element {
  const { client, trans, selectedId } = props;
  const onFinished = useJobEndNotices<FineTuneSummary>(
    props.notify,
    trans,
    job => trans.__('“%1” finished: the fine-tuned model is in Models.', job.name),
    props.onModelsChanged
  );
  const fetch = React.useCallback(() => client.listFineTunes(), [client]);
  const section = useJobSection(props, fetch, onFinished);

  if (selectedId) {
    return (
      <FineTuneDetail
        key={selectedId}
        {...section.detail}
        finetuneId={selectedId}
        onDeleted={() => {
          section.closeDeleted();
          props.onModelsChanged?.();
        }}
        onDeploy={props.onDeploy}
        onEvaluate={props.onEvaluate}
        onViewModel={props.onViewModel}
        metricsIntervalMs={props.metricsIntervalMs}
        logIntervalMs={props.logIntervalMs}
      />
    );
  }
  return <FineTuneList {...section.list} onNew={props.onNewFineTune} />;
}
