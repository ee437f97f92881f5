/**
 * What the server's services answer (aqua_ext/services/*.py): the `actions`
 * of a resource in a state, the best of each score in a comparison. Fixtures
 * and the fake client carry what the server would send; only tests use
 * these rules, the UI itself never derives them.
 */
import type {
  DeploymentState,
  DeploymentSummary,
  EvaluationSummary,
  FineTuneState,
  FineTuneSummary,
  ModelSummary
} from '../api/types';

type DeploymentAction = DeploymentSummary['actions'][number];

const SERVING: DeploymentAction[] = ['chat', 'evaluate', 'deactivate', 'delete'];

const DEPLOYMENT_ACTIONS: Record<string, Record<DeploymentState, DeploymentAction[]>> = {
  local: {
    CREATING: ['delete'],
    ACTIVE: [...SERVING, 'adapters'],
    UPDATING: ['delete'],
    INACTIVE: ['activate', 'delete', 'adapters'],
    FAILED: ['activate', 'deactivate', 'delete', 'adapters'],
    NEEDS_ATTENTION: ['deactivate', 'delete'],
    DELETING: ['delete']
  },
  oci: {
    CREATING: ['delete'],
    ACTIVE: SERVING,
    UPDATING: [],
    INACTIVE: ['activate', 'delete'],
    FAILED: ['delete'],
    NEEDS_ATTENTION: ['deactivate', 'delete'],
    DELETING: []
  }
};

/** services/adapters.py's takes_adapters: the engines whose deployments' adapters change, per target. */
const ADAPTER_ENGINES: Record<string, readonly DeploymentSummary['engine'][]> = { local: ['llama.cpp', 'vllm'] };

export function deploymentActions(
  item: Pick<DeploymentSummary, 'target' | 'state' | 'mode' | 'engine'>
): DeploymentAction[] {
  const actions = (DEPLOYMENT_ACTIONS[item.target] ?? DEPLOYMENT_ACTIONS.local)[item.state];
  const takesAdapters = item.mode !== 'embedding' && (ADAPTER_ENGINES[item.target] ?? []).includes(item.engine);
  return actions.filter(
    action => !(action === 'evaluate' && item.mode === 'embedding') && !(action === 'adapters' && !takesAdapters)
  );
}

function jobActions<A extends string>(state: FineTuneState, succeeded: A[]): (A | 'cancel' | 'delete')[] {
  switch (state) {
    case 'ACCEPTED':
    case 'IN_PROGRESS':
      return ['cancel'];
    case 'CANCELING':
      return [];
    case 'SUCCEEDED':
      return [...succeeded, 'delete'];
    default:
      return ['delete'];
  }
}

export function fineTuneActions(item: Pick<FineTuneSummary, 'state' | 'output_model_id'>): FineTuneSummary['actions'] {
  return jobActions(item.state, item.output_model_id ? (['deploy', 'evaluate'] as const).slice() : []);
}

export function evaluationActions(item: Pick<EvaluationSummary, 'state'>): EvaluationSummary['actions'] {
  return jobActions(item.state, ['compare' as const]);
}

export function modelActions(
  item: Pick<ModelSummary, 'ready_to_deploy' | 'ready_to_finetune' | 'source'>
): ModelSummary['actions'] {
  const actions: ModelSummary['actions'] = [];
  if (item.ready_to_deploy) {
    actions.push('deploy');
  }
  if (item.ready_to_finetune) {
    actions.push('finetune');
  }
  if (item.source === 'registered' || item.source === 'fine-tuned') {
    actions.push('delete');
  }
  return actions;
}

/** The evaluations holding the best value of each score (the lowest latency, else the highest); none when all tie. */
export function bestOf(scores: Readonly<Record<string, Readonly<Record<string, number>>>>): Record<string, string[]> {
  const best: Record<string, string[]> = {};
  for (const [metric, values] of Object.entries(scores)) {
    const finite = Object.entries(values).filter(([, value]) => Number.isFinite(value));
    const top = (metric.startsWith('latency') ? Math.min : Math.max)(...finite.map(([, value]) => value));
    const ids = finite.filter(([, value]) => Math.abs(value - top) <= 1e-9).map(([id]) => id);
    if (finite.length >= 2 && ids.length < finite.length) {
      best[metric] = ids;
    }
  }
  return best;
}
