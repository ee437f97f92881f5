import * as React from 'react';

import type { IEvaluationChange } from './states';
import { useEvaluationList } from './useEvaluationList';
import { type IResourceSectionProps, notifyJobEnded } from '../../ui/ResourceSection';
import { useRefreshOnRequest } from '../../ui/hooks/usePolledList';
import { CompareView } from './CompareView';
import { EvaluationDetail, headlineText } from './EvaluationDetail';
import { EvaluationList } from './EvaluationList';

export interface IEvaluationsSectionProps extends IResourceSectionProps {
  onNewEvaluation: () => void;
  /** Open a deployment's detail (from an evaluation's detail). */
  onOpenDeployment?: (deploymentId: string) => void;
  fastPollMs?: number;
  slowPollMs?: number;
  logIntervalMs?: number;
}

/** The Evaluations section: the polled list, one evaluation's detail, or a comparison. */
export function EvaluationsSection(props: IEvaluationsSectionProps): JSX.Element {
  const { client, trans, selectedId } = props;
  const [selected, setSelected] = React.useState<string[]>([]);
  const [compared, setCompared] = React.useState<string[] | null>(null);
  const notify = React.useRef(props.notify);
  notify.current = props.notify;

  const onFinished = React.useCallback(
    (changes: IEvaluationChange[]) => {
      for (const { evaluation, to } of changes) {
        if (to === 'SUCCEEDED') {
          const scores = headlineText(evaluation.scores, trans);
          notify.current(
            scores
              ? trans.__('“%1” finished: %2.', evaluation.name, scores)
              : trans.__('“%1” finished.', evaluation.name),
            'success'
          );
        } else {
          notifyJobEnded(notify.current, evaluation, to, trans);
        }
      }
    },
    [trans]
  );

  const list = useEvaluationList(client, {
    active: props.active,
    onFinished,
    fastMs: props.fastPollMs,
    slowMs: props.slowPollMs
  });
  const { refresh } = list;
  useRefreshOnRequest(props.reloadRequest, refresh);

  // Forget the ticks of evaluations that are gone.
  const items = list.items;
  React.useEffect(() => {
    if (items) {
      setSelected(previous => {
        const next = previous.filter(id => items.some(item => item.id === id));
        return next.length === previous.length ? previous : next;
      });
    }
  }, [items]);

  const toggle = React.useCallback((evaluationId: string) => {
    setSelected(previous =>
      previous.includes(evaluationId) ? previous.filter(id => id !== evaluationId) : [...previous, evaluationId]
    );
  }, []);

  if (selectedId) {
    const summary = list.items?.find(item => item.id === selectedId) ?? null;
    return (
      <EvaluationDetail
        key={selectedId}
        client={client}
        trans={trans}
        evaluationId={selectedId}
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
        }}
        onOpenDeployment={props.onOpenDeployment}
        logIntervalMs={props.logIntervalMs}
      />
    );
  }
  if (compared) {
    return (
      <CompareView
        client={client}
        trans={trans}
        evaluationIds={compared}
        onBack={() => setCompared(null)}
        onOpen={evaluationId => {
          setCompared(null);
          props.onSelect(evaluationId);
        }}
      />
    );
  }
  return (
    <EvaluationList
      items={list.items}
      problems={list.problems}
      error={list.error}
      trans={trans}
      onOpen={props.onSelect}
      onNew={props.onNewEvaluation}
      onRefresh={refresh}
      onBrowseModels={props.onBrowseModels}
      selected={selected}
      onToggleSelected={toggle}
      onCompare={() => setCompared([...selected])}
    />
  );
}
