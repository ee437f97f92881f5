/**
 * What the server's services answer as `actions` (aqua_ext/services/*.py),
 * so a fixture built from a state carries the actions the server would send.
 * Only tests use these tables: the UI itself never derives an action.
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
    ACTIVE: SERVING,
    UPDATING: ['delete'],
    INACTIVE: ['activate', 'delete'],
    FAILED: ['activate', 'deactivate', 'delete'],
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

export function deploymentActions(item: Pick<DeploymentSummary, 'target' | 'state' | 'mode'>): DeploymentAction[] {
  const actions = (DEPLOYMENT_ACTIONS[item.target] ?? DEPLOYMENT_ACTIONS.local)[item.state];
  return item.mode === 'embedding' ? actions.filter(action => action !== 'evaluate') : actions;
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
