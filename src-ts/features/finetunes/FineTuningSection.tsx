import * as React from 'react';

import type { IFineTuneChange } from './states';
import { useFineTuneList } from './useFineTuneList';
import { type IResourceSectionProps, notifyJobEnded } from '../../ui/ResourceSection';
import { useRefreshOnRequest } from '../../ui/hooks/usePolledList';
import { FineTuneDetail } from './FineTuneDetail';
import { FineTuneList } from './FineTuneList';

export interface IFineTuningSectionProps extends IResourceSectionProps {
  onNewFineTune: () => void;
  /** Deploy a fine-tuned model. */
  onDeploy?: (modelId: string) => void;
  /** Evaluate on a succeeded job's training data (its detail's button shows when given). */
  onEvaluate?: (finetuneId: string) => void;
  /** Open a model in Models. */
  onViewModel?: (modelId: string) => void;
  /** A finished job produced a model: the model list is worth reloading. */
  onModelsChanged?: () => void;
  /** Poll delays (tests shorten them). */
  fastPollMs?: number;
  slowPollMs?: number;
  metricsIntervalMs?: number;
  logIntervalMs?: number;
}

/** The Fine-tuning section: the polled job list, or one job's detail. */
export function FineTuningSection(props: IFineTuningSectionProps): JSX.Element {
  const { client, trans, selectedId } = props;
  const notify = React.useRef(props.notify);
  notify.current = props.notify;
  const modelsChanged = React.useRef(props.onModelsChanged);
  modelsChanged.current = props.onModelsChanged;

  const onFinished = React.useCallback(
    (changes: IFineTuneChange[]) => {
      for (const { job, to } of changes) {
        if (to === 'SUCCEEDED') {
          notify.current(trans.__('“%1” finished: the fine-tuned model is in Models.', job.name), 'success');
          modelsChanged.current?.();
        } else {
          notifyJobEnded(notify.current, job, to, trans);
        }
      }
    },
    [trans]
  );

  const list = useFineTuneList(client, {
    active: props.active,
    onFinished,
    fastMs: props.fastPollMs,
    slowMs: props.slowPollMs
  });
  const { refresh } = list;

  useRefreshOnRequest(props.reloadRequest, refresh);

  const summary = selectedId ? (list.items?.find(item => item.id === selectedId) ?? null) : null;

  if (selectedId) {
    return (
      <FineTuneDetail
        key={selectedId}
        client={client}
        trans={trans}
        finetuneId={selectedId}
        summary={summary}
        active={props.active}
        confirm={props.confirm}
        notify={props.notify}
        copyToClipboard={props.copyToClipboard}
        onBack={() => props.onSelect(null)}
        onChanged={refresh}
        onDeleted={() => {
          props.onSelect(null);
          refresh();
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
  return (
    <FineTuneList
      items={list.items}
      problems={list.problems}
      error={list.error}
      trans={trans}
      onOpen={props.onSelect}
      onNew={props.onNewFineTune}
      onRefresh={refresh}
      onBrowseModels={props.onBrowseModels}
    />
  );
}
