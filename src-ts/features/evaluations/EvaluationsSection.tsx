import * as React from 'react';

import type { EvaluationSummary } from '../../api/types';
import { type IJobSectionProps, useJobEndNotices, useJobSection } from '../../ui/ResourceSection';
import { CompareView } from './CompareView';
import { EvaluationDetail, headlineText } from './EvaluationDetail';
import { EvaluationList } from './EvaluationList';

export interface IEvaluationsSectionProps extends IJobSectionProps {
  onNewEvaluation: () => void;
  /** Open a deployment's detail (from an evaluation's detail). */
  onOpenDeployment?: (deploymentId: string) => void;
}

/** The Evaluations section: the polled list, one evaluation's detail, or a comparison. */
export function EvaluationsSection(props: IEvaluationsSectionProps): JSX.Element {
  const { client, trans, selectedId } = props;
  const [selected, setSelected] = React.useState<string[]>([]);
  const [compared, setCompared] = React.useState<string[] | null>(null);
  const onFinished = useJobEndNotices<EvaluationSummary>(props.notify, trans, evaluation => {
    const scores = headlineText(evaluation.scores, trans);
    return scores
      ? trans.__('“%1” finished: %2.', evaluation.name, scores)
      : trans.__('“%1” finished.', evaluation.name);
  });
  const fetch = React.useCallback(() => client.listEvaluations(), [client]);
  const section = useJobSection(props, fetch, onFinished);

  // Forget the ticks of evaluations that are gone.
  const items = section.list.items;
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
    return (
      <EvaluationDetail
        key={selectedId}
        {...section.detail}
        evaluationId={selectedId}
        onDeleted={section.closeDeleted}
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
      {...section.list}
      onNew={props.onNewEvaluation}
      selected={selected}
      onToggleSelected={toggle}
      onCompare={() => setCompared([...selected])}
    />
  );
}
