import * as React from 'react';

import { Button } from '@jupyterlab/ui-components';
import type { TranslationBundle } from '@jupyterlab/translation';

import { isTerminal, pollOperation } from '../../api/operations';
import type {
  DeploymentDetail as DeploymentDetailData,
  DeploymentSummary,
  Operation,
  SetAdaptersResponse
} from '../../api/types';
import { engineLabel, modeLabel, shapeLabel } from '../../shared/labels';
import { allows } from '../../shared/actions';
import { isTransitional } from '../../shared/deploymentStates';
import { useDeployment } from '../../ui/hooks/useDeployment';
import { formatInteger } from '../../shared/format';
import { OperationFailure, OperationProgress } from '../../ui/OperationProgress';
import { DetailFrame, type IDetailPageProps } from '../../ui/DetailFrame';
import { BusyButton, CopyableCode, FailureNotice, LoggingFact } from '../../ui/ResourceDetail';
import { useBusyAction } from '../../ui/hooks/useBusyAction';
import { useLatest } from '../../ui/hooks/useLatest';
import { useMountedRef } from '../../ui/hooks/useMountedRef';
import { CodeSnippets } from './CodeSnippets';
import { DeploymentAdapters } from './DeploymentAdapters';
import { DeploymentLogsView } from './DeploymentLogsView';
import { ServingPanel } from './ServingPanel';
import { DeploymentStateBadge } from '../../ui/DeploymentStateBadge';
import { TextButton } from '../../ui/TextButton';

export interface IDeploymentDetailProps extends IDetailPageProps<DeploymentSummary> {
  deploymentId: string;
  /** The operation that created or activated it, when this page started it. */
  initialOperation?: Operation | null;
  pollIntervalMs: number;
  onOpenPlayground?: (deploymentId: string) => void;
  /** Evaluate this deployment on a dataset (shown while it is ACTIVE). */
  onEvaluate?: (deploymentId: string) => void;
}

type Busy = 'activate' | 'deactivate' | 'delete';

/** Everything about one deployment: state, endpoint, parameters, code snippets, log and actions. */
export function DeploymentDetail(props: IDeploymentDetailProps): JSX.Element {
  const { client, trans, deploymentId, summary } = props;
  const [attempt, setAttempt] = React.useState(0);
  const [operation, setOperation] = React.useState<Operation | null>(props.initialOperation ?? null);
  const mounted = useMountedRef();
  const onChanged = React.useRef(props.onChanged);
  onChanged.current = props.onChanged;
  const { busy, actionError, run, runConfirmed } = useBusyAction<Busy>(props.notify, trans, () => onChanged.current());

  // Reload when the list shows a change (state or updated_at), on retry, and after an operation ends.
  const changeKey = summary ? `${summary.state}|${summary.updated_at}` : '';
  const {
    deployment: detail,
    error,
    setDeployment: setDetail
  } = useDeployment(client, deploymentId, `${changeKey}|${attempt}`);

  // Follow the create/activate operation while the deployment is transitional.
  const operationId = operation?.id ?? (detail && isTransitional(detail.state) ? (detail.operation_id ?? null) : null);
  // `operation` only seeds the first poll; re-running on each update would restart it.
  const seed = useLatest(operation);
  React.useEffect(() => {
    if (!operationId) {
      return;
    }
    const controller = new AbortController();
    const known = seed.current;
    const start: Operation | Promise<Operation> =
      known && known.id === operationId ? known : client.getOperation(operationId);
    Promise.resolve(start)
      .then(initial => {
        if (controller.signal.aborted) {
          return initial;
        }
        setOperation(initial);
        return pollOperation(client, initial, {
          intervalMs: props.pollIntervalMs,
          signal: controller.signal,
          onUpdate: update => mounted.current && setOperation(update)
        });
      })
      .then(last => {
        if (!controller.signal.aborted && mounted.current) {
          setOperation(last);
          if (isTerminal(last)) {
            setAttempt(n => n + 1);
            onChanged.current();
          }
        }
      })
      .catch(() => {
        // The operation is gone (server restart): the deployment's own state still shows.
        if (!controller.signal.aborted && mounted.current) {
          setOperation(null);
        }
      });
    return () => controller.abort();
  }, [client, operationId, props.pollIntervalMs, mounted, seed]);

  const onActivate = (): Promise<void> =>
    run('activate', async () => {
      const response = await client.activateDeployment(deploymentId);
      if (mounted.current) {
        setDetail(response.deployment);
        setOperation(response.operation);
      }
    });

  const onDeactivate = (): Promise<void> =>
    run('deactivate', async () => {
      const updated = await client.deactivateDeployment(deploymentId);
      if (mounted.current) {
        setDetail(updated);
        setOperation(null);
      }
      props.notify(trans.__('Deactivated “%1”.', updated.name), 'info');
    });

  // A restart's operation is followed like an activation's (its progress shows at the top of the page).
  const onAdaptersApplied = (response: SetAdaptersResponse): void => {
    if (mounted.current) {
      setDetail(response.deployment);
      if (response.operation) {
        setOperation(response.operation);
      }
    }
    onChanged.current();
  };

  const onDelete = (): Promise<void> => {
    const name = detail?.name ?? summary?.name ?? deploymentId;
    return runConfirmed('delete', props.confirm, {
      message: trans.__(
        'Delete the deployment “%1”? Its engine is stopped and its endpoint stops answering. The model stays.',
        name
      ),
      options: { title: trans.__('Delete deployment'), acceptLabel: trans.__('Delete'), danger: true },
      action: async () => {
        await client.deleteDeployment(deploymentId);
        props.notify(trans.__('Deleted the deployment “%1”.', name), 'success');
        props.onDeleted(deploymentId);
      }
    });
  };

  const current = detail ?? summary;
  const state = current?.state ?? null;
  const running = operation !== null && !isTerminal(operation) && state !== null && isTransitional(state);
  const endpoint = detail ? client.serverUrl(detail.openai_base_path) : '';

  return (
    <DetailFrame
      trans={trans}
      className="jp-AquaExt-DeploymentDetail"
      backLabel={trans.__('← All deployments')}
      onBack={props.onBack}
      actions={
        <>
          {props.onOpenPlayground && detail && (
            <Button
              className="jp-mod-styled jp-mod-accept jp-AquaExt-button jp-AquaExt-openPlaygroundButton"
              onClick={() => props.onOpenPlayground?.(deploymentId)}
              title={
                allows(current, 'chat')
                  ? trans.__('Chat with the deployment in its own tab')
                  : trans.__('Open the playground (the deployment must be active to answer)')
              }
            >
              {trans.__('Open playground')}
            </Button>
          )}
          {props.onEvaluate && detail && allows(current, 'evaluate') && (
            <TextButton
              className="jp-AquaExt-evaluateButton"
              label={trans.__('Evaluate')}
              title={trans.__('Score this deployment’s answers on a dataset')}
              onClick={() => props.onEvaluate?.(deploymentId)}
            />
          )}
          {allows(current, 'activate') && (
            <BusyButton
              className="jp-mod-styled jp-AquaExt-button"
              onClick={() => void onActivate()}
              running={busy}
              action="activate"
              label={trans.__('Activate')}
              busyLabel={trans.__('Activating…')}
            />
          )}
          {allows(current, 'deactivate') && (
            <BusyButton
              className="jp-mod-styled jp-AquaExt-button"
              onClick={() => void onDeactivate()}
              running={busy}
              action="deactivate"
              label={trans.__('Deactivate')}
              busyLabel={trans.__('Deactivating…')}
            />
          )}
        </>
      }
      onDelete={allows(current, 'delete') ? () => void onDelete() : null}
      busy={busy}
      actionError={actionError}
      detail={detail}
      error={error}
      loading={trans.__('Loading deployment…')}
      errorTitle={trans.__('The deployment could not be loaded.')}
      onRetry={() => setAttempt(n => n + 1)}
      badge={detail => <DeploymentStateBadge state={detail.state} trans={trans} />}
    >
      {detail => (
        <>
          {running && operation && (
            <div className="jp-AquaExt-ResourceDetail-progress">
              <OperationProgress operation={operation} trans={trans} label={trans.__('Deployment progress')} />
            </div>
          )}
          <StateMessage detail={detail} trans={trans} hideWhileProgress={running} />
          {operation && (
            <OperationFailure
              operation={operation}
              trans={trans}
              // A FAILED deployment tells why above: only the way to the OCI setup check is added.
              linkOnly={detail.state === 'FAILED' || detail.state === 'NEEDS_ATTENTION'}
            />
          )}
          <dl className="jp-AquaExt-ResourceDetail-facts jp-AquaExt-DeploymentDetail-facts">
            <dt>{trans.__('Endpoint')}</dt>
            <dd>
              <CopyableCode
                trans={trans}
                value={endpoint}
                label={trans.__('endpoint')}
                title={trans.__('Copy the OpenAI-compatible base URL')}
                codeClassName="jp-AquaExt-DeploymentDetail-endpoint"
                copyToClipboard={props.copyToClipboard}
                confirm
              />
              <div className="jp-AquaExt-formField-hint">
                {trans.__('OpenAI-compatible, through this Jupyter server (authenticated with its token).')}
              </div>
            </dd>
            <dt>{trans.__('Model')}</dt>
            <dd>
              {detail.model_name} <code className="jp-AquaExt-muted">{detail.model_id}</code>
            </dd>
            <dt>{trans.__('Engine')}</dt>
            <dd>{engineLabel(detail.engine)}</dd>
            <dt>{trans.__('Inference mode')}</dt>
            <dd>{modeLabel(detail.mode, trans)}</dd>
            <dt>{trans.__('Shape')}</dt>
            <dd>
              {shapeLabel(detail.shape, trans)}
              {detail.replicas > 1 ? ` × ${trans._n('%1 replica', '%1 replicas', detail.replicas)}` : ''}
            </dd>
            <dt>{trans.__('Max model length')}</dt>
            <dd>
              {detail.max_model_len
                ? trans.__('%1 tokens', formatInteger(detail.max_model_len))
                : trans.__('The model’s own')}
            </dd>
            <dt>{trans.__('Data type')}</dt>
            <dd>{detail.dtype ?? trans.__('Engine default')}</dd>
            {/* The weights' choice the deployment was created with (local ones and OCI ones made here keep it). */}
            {detail.quantization && (
              <>
                <dt>{trans.__('Weights')}</dt>
                <dd className="jp-AquaExt-DeploymentDetail-quantization">{detail.quantization}</dd>
              </>
            )}
            <dt>{trans.__('Engine parameters')}</dt>
            <dd>
              {detail.params.length > 0 ? (
                <code className="jp-AquaExt-DeploymentDetail-params">{detail.params.join(' ')}</code>
              ) : (
                trans.__('Engine defaults')
              )}
            </dd>
            <LoggingFact label={trans.__('Logging')} logGroupId={detail.log_group_id} logId={detail.log_id} />
            <dt>{trans.__('Created')}</dt>
            <dd>{new Date(detail.created_at).toLocaleString()}</dd>
            <dt>{trans.__('Updated')}</dt>
            <dd>{new Date(detail.updated_at).toLocaleString()}</dd>
            <dt>{trans.__('Deployment id')}</dt>
            <dd>
              <code>{detail.id}</code>
            </dd>
          </dl>
          <ServingPanel client={client} trans={trans} detail={detail} active={props.active} onUpdated={setDetail} />
          <DeploymentAdapters client={client} trans={trans} detail={detail} onApplied={onAdaptersApplied} />
          <h3 className="jp-AquaExt-sectionTitle">{trans.__('Use it from code')}</h3>
          <CodeSnippets
            target={{ id: detail.id, baseUrl: endpoint, model: detail.model_name, mode: detail.mode }}
            trans={trans}
            copyToClipboard={props.copyToClipboard}
          />
          <DeploymentLogsView
            key={detail.id}
            client={client}
            trans={trans}
            deploymentId={detail.id}
            initialFollow={isTransitional(detail.state)}
            active={props.active}
          />
        </>
      )}
    </DetailFrame>
  );
}

/** Why the deployment is in its state; for FAILED, the reason and the log lines that show it. */
function StateMessage(props: {
  detail: DeploymentDetailData;
  trans: TranslationBundle;
  hideWhileProgress: boolean;
}): JSX.Element | null {
  const { detail, trans } = props;
  if (detail.state === 'FAILED' || detail.state === 'NEEDS_ATTENTION') {
    return (
      <FailureNotice
        trans={trans}
        title={
          detail.state === 'FAILED' ? trans.__('The deployment failed') : trans.__('The deployment needs attention')
        }
        message={detail.state_message}
        failureLog={detail.failure_log}
      />
    );
  }
  if (!detail.state_message || props.hideWhileProgress) {
    return null;
  }
  return <p className="jp-AquaExt-ResourceDetail-stateMessage">{detail.state_message}</p>;
}
