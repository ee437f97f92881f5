import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import type { IAquaClient } from '../api/client';
import { isTerminal, pollOperation } from '../api/operations';
import type { ModelSummary, Operation } from '../api/types';
import type { IAquaSettings } from '../shared/settings';
import { BackendBadge } from './BackendBadge';
import { notifyError, notifyFailure, type OpenSetupCheck, SetupLinkContext } from '../ui/setupLinks';
import { TargetsContext } from '../ui/Targets';
import { browserCopy, type Confirm, type CopyToClipboard, type Notify, type RenderMarkdown } from '../shared/callbacks';
import { DeployDialog } from '../features/deployments/DeployDialog';
import { DeploymentsSection } from '../features/deployments/DeploymentsSection';
import { ConnectionsSection } from '../features/connections/ConnectionsSection';
import { EvaluationDialog } from '../features/evaluations/EvaluationDialog';
import { EvaluationsSection } from '../features/evaluations/EvaluationsSection';
import { FineTuneDialog } from '../features/finetunes/FineTuneDialog';
import { FineTuningSection } from '../features/finetunes/FineTuningSection';
import type { NavigationRequest, Navigator } from './navigator';
import { ModelDetail } from '../features/models/ModelDetail';
import { ModelExplorer } from '../features/models/ModelExplorer';
import { OperationProgress } from '../ui/OperationProgress';
import type { IResourceSectionProps } from '../ui/ResourceSection';
import { useFetched } from '../ui/hooks/useFetched';
import { RegisterDialog } from '../features/models/RegisterDialog';
import { SetupView } from '../features/setup/SetupView';
import { ClustersSection } from '../features/genai/ClustersSection';
import { OnDemandModels } from '../features/genai/OnDemandModels';
import { GenAiDialogs, type GenAiCreated, type GenAiDialogRequest } from '../features/genai/GenAiDialogs';
import { formKind } from '../shared/labels';
import { isGenAiTarget } from '../shared/targets';

export type SectionId = 'models' | 'deployments' | 'connections' | 'finetuning' | 'evaluations' | 'genai';
/** The sections every server has; Generative AI (its clusters and forms) follows when a genai target is enabled. */
export const SECTIONS: readonly SectionId[] = ['models', 'deployments', 'connections', 'finetuning', 'evaluations'];
const WITH_GENAI: readonly SectionId[] = [...SECTIONS, 'genai'];

export interface IAquaAppProps {
  client: IAquaClient;
  trans: TranslationBundle;
  settings: IAquaSettings;
  renderMarkdown: RenderMarkdown;
  confirm: Confirm;
  notify: Notify;
  copyToClipboard?: CopyToClipboard;
  /** Where commands send the panel (`aqua-ext:open-models`, `aqua-ext:new-finetune`…). */
  navigator?: Navigator;
  /** "Browse…" in the fine-tune form: a JSONL file of the Jupyter root (its path). */
  pickDataset?: () => Promise<string | null>;
  /** "Upload…" in the fine-tune form: save a local file into the Jupyter root (its path). */
  uploadDataset?: (file: File, onProgress: (fraction: number) => void) => Promise<string>;
  /** False while the panel is hidden: the deployments list stops polling. */
  visible?: boolean;
  /** Open a deployment's playground tab. */
  onOpenPlayground?: (deploymentId: string) => void;
  /** Open a playground tab with a connection (a hosted service). */
  onOpenConnectionPlayground?: (connectionId: string) => void;
  /** A deployment was deleted from this panel. */
  onDeploymentDeleted?: (deploymentId: string) => void;
  /** Debounce of the memory-fit inputs (tests use 0). */
  fitDebounceMs?: number;
}

/** What the app keeps for one resource section (deployments, fine-tuning jobs, evaluations). */
interface IResourceSectionState {
  /** The item whose detail shows instead of the list. */
  selectedId: string | null;
  onSelect: (id: string | null) => void;
  /** Bumped to reload the section's list now. */
  reloadRequest: number;
  /** Show this item's detail (or the list, for null) with the list reloaded now. */
  show: (id: string | null) => void;
}

function useResourceSectionState(): IResourceSectionState {
  const [selectedId, setSelectedId] = React.useState<string | null>(null);
  const [reloadRequest, setReloadRequest] = React.useState(0);
  const show = React.useCallback((id: string | null) => {
    setSelectedId(id);
    setReloadRequest(n => n + 1);
  }, []);
  return { selectedId, onSelect: setSelectedId, reloadRequest, show };
}

/**
 * The "AI Quick Actions" panel: header with the backend, section tabs, the
 * model explorer and detail, and the register dialog.
 */
export function AquaApp(props: IAquaAppProps): JSX.Element {
  const { client, trans, settings } = props;
  const copyToClipboard = props.copyToClipboard ?? browserCopy;
  const [section, setSection] = React.useState<SectionId>('models');
  const [selectedModelId, setSelectedModelId] = React.useState<string | null>(null);
  const [registerOpen, setRegisterOpen] = React.useState(false);
  const [reloadCount, setReloadCount] = React.useState(0);
  const [refreshCount, setRefreshCount] = React.useState(0);
  const [background, setBackground] = React.useState<Operation[]>([]);
  const deployments = useResourceSectionState();
  /** The deploy dialog: closed (null), for one model, or with a model picker (model null). */
  const [deployDialog, setDeployDialog] = React.useState<{ model: ModelSummary | null } | null>(null);
  const [pendingDeployment, setPendingDeployment] = React.useState<{
    deploymentId: string;
    operation: Operation;
  } | null>(null);
  const finetunes = useResourceSectionState();
  /** The fine-tune form: closed (null), or open with a base model and a dataset to start from. */
  const [finetuneDialog, setFineTuneDialog] = React.useState<{
    model: ModelSummary | null;
    datasetPath: string | null;
  } | null>(null);
  const evaluations = useResourceSectionState();
  /** The evaluation form: closed (null), or open with a deployment, a connection or a fine-tune to start from. */
  const [evaluationDialog, setEvaluationDialog] = React.useState<{
    deploymentId: string | null;
    connectionId?: string | null;
    finetuneId: string | null;
  } | null>(null);
  /** The Generative AI form open over the panel (import, cluster, endpoint, fine-tune), if any. */
  const [genaiDialog, setGenAiDialog] = React.useState<GenAiDialogRequest | null>(null);
  const [genaiReload, setGenAiReload] = React.useState(0);
  const tabIds = React.useId().replace(/:/g, '');
  const mounted = React.useRef(true);
  const abort = React.useRef(new AbortController());
  const watched = React.useRef(new Set<string>());
  const notifyRef = React.useRef(props.notify);
  notifyRef.current = props.notify;
  // How a notification of an OCI refusal opens its setup check (set below, once `go` exists).
  const openSetupRef = React.useRef<OpenSetupCheck | null>(null);
  const tabRefs = React.useRef<Partial<Record<SectionId, HTMLButtonElement | null>>>({});

  React.useEffect(() => {
    mounted.current = true;
    const controller = abort.current;
    return () => {
      mounted.current = false;
      controller.abort();
    };
  }, []);

  const getInfo = React.useCallback(() => client.getInfo(), [client]);
  const { value: info, error: infoError } = useFetched(getInfo, null);
  // The OCI setup view (policies and their checks) replaces the sections while open; offered with an OCI target.
  const [setupOpen, setSetupOpen] = React.useState(false);
  // The check the setup view opens at (an authorization error's link), or null.
  const [setupCheck, setSetupCheck] = React.useState<string | null>(null);
  const hasOci = info?.targets.some(target => target.kind === 'oci') ?? false;
  const hasGenAi = info?.targets.some(target => target.kind === 'genai') ?? false;
  const sections = hasGenAi ? WITH_GENAI : SECTIONS;

  /** Follow a download that runs outside the dialog; tell the user when it ends. */
  const watchInBackground = React.useCallback(
    (operation: Operation) => {
      if (watched.current.has(operation.id) || isTerminal(operation)) {
        return;
      }
      watched.current.add(operation.id);
      const replace = (op: Operation): void =>
        setBackground(items => {
          const others = items.filter(item => item.id !== op.id);
          return isTerminal(op) ? others : [...others, op];
        });
      replace(operation);
      pollOperation(client, operation, {
        intervalMs: settings.pollIntervalMs,
        signal: abort.current.signal,
        onUpdate: op => mounted.current && replace(op)
      })
        .then(last => {
          if (!mounted.current || abort.current.signal.aborted) {
            return;
          }
          replace(last);
          const notify = notifyRef.current;
          if (last.state === 'SUCCEEDED') {
            notify(trans.__('%1: done.', last.title), 'success');
            setReloadCount(n => n + 1);
          } else if (last.state === 'FAILED') {
            const message = trans.__('%1 failed: %2', last.title, last.error || last.message);
            notifyFailure(notify, message, last, trans, openSetupRef.current);
          } else if (last.state === 'CANCELED') {
            notify(trans.__('%1 was canceled.', last.title), 'info');
          }
        })
        .catch(reason => {
          if (mounted.current) {
            setBackground(items => items.filter(item => item.id !== operation.id));
            notifyError(notifyRef.current, reason, trans, openSetupRef.current);
          }
        })
        .finally(() => watched.current.delete(operation.id));
    },
    [client, settings.pollIntervalMs, trans]
  );

  // Downloads started before a reload keep running on the server: show them (the explorer
  // reports an unreachable server).
  const listOperations = React.useCallback(() => client.listOperations(), [client]);
  useFetched(listOperations, null, list => list.items.filter(op => !isTerminal(op)).forEach(watchInBackground));

  /** A model's deploy form: a Generative AI model's endpoint form, any other's deploy dialog. */
  const openDeploy = React.useCallback(
    (model: ModelSummary | null) =>
      model && isGenAiTarget(info, model.target)
        ? setGenAiDialog({ kind: 'endpoint', modelId: model.id })
        : setDeployDialog({ model }),
    [info]
  );
  /** A model's fine-tune form: a Generative AI base model's own form, any other's fine-tune dialog. */
  const openFineTune = React.useCallback(
    (model: ModelSummary | null, datasetPath: string | null) =>
      model && isGenAiTarget(info, model.target)
        ? setGenAiDialog({ kind: 'finetune', baseModelId: model.id })
        : setFineTuneDialog({ model, datasetPath }),
    [info]
  );

  /** The fine-tune form for a model given by id (looked up first), or without one. */
  const openFineTuneForm = React.useCallback(
    (modelId: string | null, datasetPath: string | null) => {
      if (!modelId) {
        setFineTuneDialog({ model: null, datasetPath });
        return;
      }
      client
        .getModel(modelId)
        .then(model => mounted.current && openFineTune(model, datasetPath))
        .catch(reason => {
          if (mounted.current) {
            notifyError(notifyRef.current, reason, trans, openSetupRef.current);
            setFineTuneDialog({ model: null, datasetPath });
          }
        });
    },
    [client, trans, openFineTune]
  );

  const { show: showDeployment } = deployments;
  const { show: showFineTune } = finetunes;
  const { show: showEvaluation } = evaluations;

  /** Go where a command (or a link inside the panel) asks. */
  const go = React.useCallback(
    (request: NavigationRequest): void => {
      switch (request.to) {
        case 'models':
          setSection('models');
          setSelectedModelId(null);
          break;
        case 'register':
          setSection('models');
          setRegisterOpen(true);
          break;
        case 'refresh-models':
          setRefreshCount(n => n + 1);
          break;
        case 'deployments':
          setSection('deployments');
          // Asked for by a command: show what is there now, not what the last slow poll saw.
          showDeployment(request.deploymentId ?? null);
          break;
        case 'finetunes':
          setSection('finetuning');
          showFineTune(request.finetuneId ?? null);
          if (request.newJob) {
            openFineTuneForm(request.modelId ?? null, request.datasetPath ?? null);
          }
          break;
        case 'evaluations':
          setSection('evaluations');
          showEvaluation(request.evaluationId ?? null);
          if (request.newEvaluation) {
            setEvaluationDialog({
              deploymentId: request.deploymentId ?? null,
              connectionId: request.connectionId ?? null,
              finetuneId: request.finetuneId ?? null
            });
          }
          break;
        case 'setup':
          // A refused form's link: the dialog gives way, or it would hide the setup view (nothing was created).
          setRegisterOpen(false);
          setDeployDialog(null);
          setFineTuneDialog(null);
          setEvaluationDialog(null);
          setGenAiDialog(null);
          setSetupOpen(true);
          setSetupCheck(request.check ?? null);
          break;
      }
    },
    [openFineTuneForm, showDeployment, showFineTune, showEvaluation]
  );

  const navigator = props.navigator;
  React.useEffect(() => navigator?.connect(go), [navigator, go]);
  // An authorization error anywhere in the panel links to the setup check that covers it.
  const openSetupCheck = React.useCallback((check: string) => go({ to: 'setup', check }), [go]);
  openSetupRef.current = openSetupCheck;

  /** Deploy a model known by id (a fine-tuned one): its summary first, then the deploy form. */
  const deployModelById = React.useCallback(
    (modelId: string) => {
      client
        .getModel(modelId)
        .then(model => mounted.current && openDeploy(model))
        .catch(reason => mounted.current && notifyError(notifyRef.current, reason, trans, openSetupRef.current));
    },
    [client, trans, openDeploy]
  );

  const viewModel = React.useCallback((modelId: string) => {
    setSection('models');
    setSelectedModelId(modelId);
    // A fine-tuned model is new to the grid.
    setReloadCount(n => n + 1);
  }, []);

  const labels: Record<SectionId, string> = {
    models: trans.__('Models'),
    deployments: trans.__('Deployments'),
    connections: trans.__('Connections'),
    finetuning: trans.__('Fine-tuning'),
    evaluations: trans.__('Evaluations'),
    genai: trans.__('Generative AI')
  };

  const onTabKeyDown = (event: React.KeyboardEvent): void => {
    const index = sections.indexOf(section);
    let next: SectionId | undefined;
    if (event.key === 'ArrowRight') {
      next = sections[(index + 1) % sections.length];
    } else if (event.key === 'ArrowLeft') {
      next = sections[(index - 1 + sections.length) % sections.length];
    } else if (event.key === 'Home') {
      next = sections[0];
    } else if (event.key === 'End') {
      next = sections[sections.length - 1];
    }
    if (next) {
      event.preventDefault();
      setSection(next);
      tabRefs.current[next]?.focus();
    }
  };

  const openModel = React.useCallback((modelId: string) => setSelectedModelId(modelId), []);
  const openRegister = React.useCallback(() => setRegisterOpen(true), []);

  const cancelBackground = (operation: Operation): void => {
    client
      .cancelOperation(operation.id)
      .then(updated =>
        setBackground(items => items.map(item => (item.id === updated.id && !isTerminal(updated) ? updated : item)))
      )
      .catch(reason => notifyError(props.notify, reason, trans, openSetupCheck));
  };

  /** The props every resource section takes from the app. */
  const sectionProps = (id: SectionId, state: IResourceSectionState): IResourceSectionProps => ({
    client,
    trans,
    active: section === id && props.visible !== false,
    selectedId: state.selectedId,
    onSelect: state.onSelect,
    reloadRequest: state.reloadRequest,
    confirm: props.confirm,
    notify: props.notify,
    copyToClipboard,
    onBrowseModels: () => setSection('models')
  });
  /** The props every dialog that creates something takes from the app. */
  const dialogProps = {
    client,
    trans,
    backendKind: formKind(info?.backend.kind ?? 'local'),
    info,
    notify: props.notify
  } as const;
  /** What the job forms (fine-tune, evaluation) take besides: the dataset pickers, the debounce of their checks. */
  const jobFormProps = {
    pickDataset: props.pickDataset,
    uploadDataset: props.uploadDataset,
    debounceMs: props.fitDebounceMs
  };
  /** Show what a dialog just created: its section, its detail, its list reloaded. */
  const showCreated = (id: SectionId, state: IResourceSectionState, itemId: string): void => {
    setSection(id);
    state.show(itemId);
  };
  /**
   * A form's "Generative AI" button, offered only while a Generative AI target is enabled: this form
   * closes (`close`) and the Generative AI form of the same kind opens (`request`).
   */
  const handOverToGenAi = <A extends unknown[]>(
    close: () => void,
    request: (...args: A) => GenAiDialogRequest
  ): ((...args: A) => void) | undefined =>
    hasGenAi
      ? (...args) => {
          close();
          setGenAiDialog(request(...args));
        }
      : undefined;
  /** The model a form hands over to its Generative AI form: the one picked, when it is a Generative AI model. */
  const genAiModelId = (model: ModelSummary | null): string | null =>
    model && isGenAiTarget(info, model.target) ? model.id : null;
  /** Where a Generative AI form's creation shows: an endpoint with the deployments, a fine-tune with the jobs. */
  const genaiCreated = (created: GenAiCreated): void => {
    setGenAiDialog(null);
    switch (created.kind) {
      case 'import':
        // The import runs in the background (its progress in the header); the models list reloads when it ends.
        watchInBackground(created.response.operation);
        break;
      case 'cluster':
        setSection('genai');
        setGenAiReload(n => n + 1);
        break;
      case 'endpoint':
        setPendingDeployment({ deploymentId: created.response.endpoint.id, operation: created.response.operation });
        showCreated('deployments', deployments, created.response.endpoint.id);
        break;
      case 'finetune':
        showCreated('finetuning', finetunes, created.response.finetune.id);
        break;
    }
  };

  // Every list and form below knows the enabled targets (a row's target badge, a form's target picker).
  const app = (
    <div className="jp-AquaExt-App">
      <div className="jp-AquaExt-App-header">
        <div className="jp-AquaExt-App-titleRow">
          <h1 className="jp-AquaExt-App-title">{trans.__('AI Quick Actions')}</h1>
          <BackendBadge info={info} error={infoError} trans={trans} />
          {hasOci && (
            <button
              type="button"
              className="jp-mod-styled jp-AquaExt-button jp-AquaExt-App-setupButton"
              aria-pressed={setupOpen}
              onClick={() => {
                setSetupCheck(null);
                setSetupOpen(open => !open);
              }}
            >
              {trans.__('OCI setup')}
            </button>
          )}
        </div>
        <div className="jp-AquaExt-App-tabs" role="tablist" aria-label={trans.__('AI Quick Actions sections')}>
          {sections.map(id => (
            <button
              key={id}
              ref={element => {
                tabRefs.current[id] = element;
              }}
              type="button"
              role="tab"
              id={`${tabIds}-tab-${id}`}
              aria-selected={section === id && !setupOpen}
              aria-controls={`${tabIds}-panel-${id}`}
              tabIndex={section === id ? 0 : -1}
              className={section === id && !setupOpen ? 'jp-AquaExt-tab jp-mod-active' : 'jp-AquaExt-tab'}
              onClick={() => {
                // The setup view hides every section: a tab asked for brings its section back.
                setSetupOpen(false);
                setSection(id);
              }}
              onKeyDown={onTabKeyDown}
            >
              {labels[id]}
            </button>
          ))}
        </div>
        {background.length > 0 && (
          <div className="jp-AquaExt-App-operations" aria-label={trans.__('Running operations')}>
            {background.map(op => (
              <div key={op.id} className="jp-AquaExt-App-operation">
                <span className="jp-AquaExt-App-operationTitle">{op.title}</span>
                <OperationProgress
                  operation={op}
                  trans={trans}
                  compact
                  canceling={op.state === 'CANCELING'}
                  onCancel={() => cancelBackground(op)}
                />
              </div>
            ))}
          </div>
        )}
      </div>
      {setupOpen && (
        <SetupView
          client={client}
          trans={trans}
          copyToClipboard={copyToClipboard}
          onClose={() => setSetupOpen(false)}
          focusCheck={setupCheck}
        />
      )}
      {sections.map(id => (
        <div
          key={id}
          role="tabpanel"
          id={`${tabIds}-panel-${id}`}
          aria-labelledby={`${tabIds}-tab-${id}`}
          className={`jp-AquaExt-App-section jp-AquaExt-App-section-${id}`}
          hidden={section !== id || setupOpen}
        >
          {id === 'models' ? (
            <>
              <div className="jp-AquaExt-App-explorer" hidden={selectedModelId !== null}>
                <ModelExplorer
                  client={client}
                  trans={trans}
                  onOpenModel={openModel}
                  onRegister={openRegister}
                  reloadRequest={reloadCount}
                  refreshRequest={refreshCount}
                />
              </div>
              {selectedModelId !== null && (
                <ModelDetail
                  key={selectedModelId}
                  client={client}
                  trans={trans}
                  modelId={selectedModelId}
                  renderMarkdown={props.renderMarkdown}
                  confirm={props.confirm}
                  notify={props.notify}
                  copyToClipboard={props.copyToClipboard}
                  onBack={() => setSelectedModelId(null)}
                  onDeploy={openDeploy}
                  onFineTune={model => openFineTune(model, null)}
                  onDeleted={() => {
                    setSelectedModelId(null);
                    setReloadCount(n => n + 1);
                  }}
                  fitDefaults={{
                    dtype: settings.defaultDtype,
                    contextLength: settings.defaultContextLength,
                    concurrency: settings.defaultConcurrency
                  }}
                  fitDebounceMs={props.fitDebounceMs}
                />
              )}
            </>
          ) : id === 'deployments' ? (
            <DeploymentsSection
              {...sectionProps('deployments', deployments)}
              pendingOperation={pendingDeployment}
              pollIntervalMs={settings.pollIntervalMs}
              onNewDeployment={() => setDeployDialog({ model: null })}
              onOpenPlayground={props.onOpenPlayground}
              onDeleted={props.onDeploymentDeleted}
              onEvaluate={deploymentId => setEvaluationDialog({ deploymentId, finetuneId: null })}
            />
          ) : id === 'connections' ? (
            <ConnectionsSection
              client={client}
              trans={trans}
              active={section === id && props.visible !== false}
              confirm={props.confirm}
              notify={props.notify}
              onOpenPlayground={props.onOpenConnectionPlayground}
              onEvaluate={connectionId => setEvaluationDialog({ deploymentId: null, connectionId, finetuneId: null })}
            />
          ) : id === 'finetuning' ? (
            <FineTuningSection
              {...sectionProps('finetuning', finetunes)}
              onNewFineTune={() => setFineTuneDialog({ model: null, datasetPath: null })}
              onDeploy={deployModelById}
              onViewModel={viewModel}
              onModelsChanged={() => setReloadCount(n => n + 1)}
              onEvaluate={finetuneId => setEvaluationDialog({ deploymentId: null, finetuneId })}
            />
          ) : id === 'genai' ? (
            <>
              <ClustersSection
                client={client}
                trans={trans}
                active={section === id && props.visible !== false}
                reloadRequest={genaiReload}
                confirm={props.confirm}
                notify={props.notify}
                onOpen={setGenAiDialog}
              />
              <OnDemandModels
                client={client}
                trans={trans}
                onOpenPlayground={props.onOpenPlayground}
                onEvaluate={deploymentId => setEvaluationDialog({ deploymentId, finetuneId: null })}
              />
            </>
          ) : (
            <EvaluationsSection
              {...sectionProps('evaluations', evaluations)}
              onNewEvaluation={() => setEvaluationDialog({ deploymentId: null, finetuneId: null })}
              onOpenDeployment={deploymentId => go({ to: 'deployments', deploymentId })}
            />
          )}
        </div>
      ))}
      {deployDialog && (
        <DeployDialog
          {...dialogProps}
          model={deployDialog.model}
          defaultContextLength={settings.defaultContextLength}
          fitDebounceMs={props.fitDebounceMs}
          copyToClipboard={copyToClipboard}
          onGenAi={handOverToGenAi(
            () => setDeployDialog(null),
            (model: ModelSummary | null) => ({ kind: 'endpoint', modelId: genAiModelId(model) })
          )}
          onClose={() => setDeployDialog(null)}
          onCreated={response => {
            setDeployDialog(null);
            setPendingDeployment({ deploymentId: response.deployment.id, operation: response.operation });
            showCreated('deployments', deployments, response.deployment.id);
          }}
        />
      )}
      {finetuneDialog && (
        <FineTuneDialog
          {...dialogProps}
          model={finetuneDialog.model}
          datasetPath={finetuneDialog.datasetPath}
          {...jobFormProps}
          copyToClipboard={copyToClipboard}
          onGenAi={handOverToGenAi(
            () => setFineTuneDialog(null),
            (model: ModelSummary | null) => ({ kind: 'finetune', baseModelId: genAiModelId(model) })
          )}
          onClose={() => setFineTuneDialog(null)}
          onCreated={response => {
            setFineTuneDialog(null);
            showCreated('finetuning', finetunes, response.finetune.id);
          }}
        />
      )}
      {evaluationDialog && (
        <EvaluationDialog
          {...dialogProps}
          deploymentId={evaluationDialog.deploymentId}
          connectionId={evaluationDialog.connectionId ?? null}
          finetuneId={evaluationDialog.finetuneId}
          {...jobFormProps}
          onClose={() => setEvaluationDialog(null)}
          onCreated={response => {
            setEvaluationDialog(null);
            showCreated('evaluations', evaluations, response.evaluation.id);
          }}
        />
      )}
      {registerOpen && (
        <RegisterDialog
          {...dialogProps}
          pollIntervalMs={settings.pollIntervalMs}
          onGenAi={handOverToGenAi(
            () => setRegisterOpen(false),
            () => ({ kind: 'import' })
          )}
          onClose={() => setRegisterOpen(false)}
          onRegistered={modelId => {
            setReloadCount(n => n + 1);
            if (modelId) {
              setSection('models');
              setSelectedModelId(modelId);
            }
          }}
          onBackground={watchInBackground}
        />
      )}
      {genaiDialog && (
        <GenAiDialogs
          client={client}
          trans={trans}
          notify={props.notify}
          copyToClipboard={copyToClipboard}
          request={genaiDialog}
          debounceMs={props.fitDebounceMs}
          onClose={() => setGenAiDialog(null)}
          onCreated={genaiCreated}
        />
      )}
    </div>
  );
  return (
    <TargetsContext.Provider value={info?.targets ?? []}>
      <SetupLinkContext.Provider value={openSetupCheck}>{app}</SetupLinkContext.Provider>
    </TargetsContext.Provider>
  );
}
