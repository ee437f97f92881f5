import * as React from 'react';

import { Button, HTMLSelect } from '@jupyterlab/ui-components';
import type { TranslationBundle } from '@jupyterlab/translation';

import type { IAquaClient } from '../../api/client';
import type {
  ConnectionSummary,
  DeploymentSummary,
  InferenceMode,
  OnDemandModel,
  ToolDefinition
} from '../../api/types';
import { engineLabel, modeLabel, shapeLabel } from '../../shared/labels';
import { allows } from '../../shared/actions';
import { FAST_POLL_MS, isTransitional, stateLabel } from '../../shared/deploymentStates';
import { deploymentSubjects, parseTargetKey, subjectName, targetKey, type ChatTarget } from '../../shared/chatTarget';
import { loadOnDemandModels } from '../../shared/onDemand';
import { OnDemandOptions } from '../../ui/OnDemandOptions';
import { contextBudget, defaultMaxTokens, promptTokens } from './contextBudget';
import { connectionMode, subjectCanChat, usePlaygroundSubject } from './usePlaygroundSubject';
import { DEFAULT_SAMPLING, parseSampling, type ISamplingForm } from '../../shared/sampling';
import { loadPlayground, savePlayground, type IPlaygroundState } from './storage';
import { useChatSession } from './useChatSession';
import type { CopyToClipboard, RenderMarkdown } from '../../shared/callbacks';
import { ErrorState } from '../../ui/ErrorState';
import { Loading } from '../../ui/Loading';
import { DeploymentStateBadge } from '../../ui/DeploymentStateBadge';
import { EmbeddingsPanel } from './EmbeddingsPanel';
import { SamplingPanel } from '../../ui/SamplingPanel';
import { TranscriptView } from './TranscriptView';
import { downloadText, type DownloadText } from '../../shared/download';
import { ExportButtons } from './ExportButtons';
import { PresetPicker } from './PresetPicker';
import { presetSampling, type IPresetStore } from './presets';
import { lastUserTurn } from './transcript';
import { ChatToolsPanel, DisclosureButton, engineNote } from './ChatToolsPanel';
import { parseResponseFormat, parseTools } from './jsonSchemas';
import { KernelToolsContext, type IKernelTools } from './KernelToolAnswer';
import { toolRoundsBefore, type KernelToolSettings, type RunKernelTool } from './kernelTools';
import type { TurnSettings } from './useChatSession';
import { SaveTurnDialog, savedMessage } from './SaveTurnDialog';
import { turnDraft, type ITurnDraft } from './datasetRow';
import type { Turn } from './transcript';
import { ImageAttach } from './ImageAttach';
import { imageFilesOf, takesImages, useImageAttachments } from './imageAttachments';

export interface IPlaygroundProps {
  client: IAquaClient;
  trans: TranslationBundle;
  /** The deployment's id, or a connection's key (`connection:<id>`, see `targetKey`). */
  deploymentId: string;
  renderMarkdown: RenderMarkdown;
  copyToClipboard: CopyToClipboard;
  /** Where the conversation is kept between reloads (localStorage; null keeps nothing). */
  storage: Storage | null;
  /** The deployment's name is known: the tab's title can say it. */
  onTitle?: (name: string) => void;
  /** Save throttle (tests use 0). */
  saveDelayMs?: number;
  /** Presets kept in the Settings Editor (null: none, no picker). */
  presets?: IPresetStore | null;
  /** How an exported conversation is saved (the browser's download by default). */
  download?: DownloadText;
  /** Runs a tool call with a function of the active notebook's kernel (null: no notebooks, not offered). */
  runKernelTool?: RunKernelTool | null;
}

function emptyState(): IPlaygroundState {
  return {
    system: '',
    sampling: { ...DEFAULT_SAMPLING, stop: [] },
    turns: [],
    model: null,
    compareWith: null,
    compareModel: null,
    compareTurns: [],
    draft: '',
    embedInputs: [],
    schemaText: '',
    toolsText: ''
  };
}

/**
 * Talk to one deployment: a multi-turn chat with a system prompt (or a
 * prompt box for completion deployments, or the Embeddings view), sampling
 * settings, streamed answers with Stop, per-answer timing and usage, and
 * Compare mode that sends each prompt to a second deployment too.
 */
export function Playground(props: IPlaygroundProps): JSX.Element {
  const { client, trans, deploymentId, storage } = props;
  const stored = React.useMemo(() => loadPlayground(storage, deploymentId) ?? emptyState(), [storage, deploymentId]);
  const [reloadCount, setReloadCount] = React.useState(0);
  const [others, setOthers] = React.useState<DeploymentSummary[]>([]);
  const [connections, setConnections] = React.useState<ConnectionSummary[]>([]);
  const [onDemand, setOnDemand] = React.useState<OnDemandModel[]>([]);
  const [system, setSystem] = React.useState(stored.system);
  const [sampling, setSampling] = React.useState<ISamplingForm>(stored.sampling);
  const [draft, setDraft] = React.useState(stored.draft);
  const attachments = useImageAttachments(trans);
  const [compareWith, setCompareWith] = React.useState<string | null>(stored.compareWith);
  // A connection's model, or the deployment's adapter (null: its base model); a tab's key may name the adapter.
  const [model, setModel] = React.useState<string | null>(stored.model ?? parseTargetKey(deploymentId).adapter);
  const [compareModel, setCompareModel] = React.useState<string | null>(stored.compareModel);
  const [embedInputs, setEmbedInputs] = React.useState<string[]>(stored.embedInputs);
  const [showSystem, setShowSystem] = React.useState(stored.system.length > 0);
  const [schemaText, setSchemaText] = React.useState(stored.schemaText);
  const [toolsText, setToolsText] = React.useState(stored.toolsText);
  const [kernelSettings, setKernelSettings] = React.useState<KernelToolSettings>({});
  const onTitle = React.useRef(props.onTitle);
  onTitle.current = props.onTitle;

  // The deployment (its mode, state, name) or the connection; reloaded after an error and when the tab regains focus.
  const subject = usePlaygroundSubject(client, deploymentId, reloadCount, name => onTitle.current?.(name));
  const { deployment, connection, error: loadError } = subject;

  // While it is being created or (de)activated, look again every couple of seconds so the banner
  // goes away by itself once it is ACTIVE.
  const transitional = deployment !== null && isTransitional(deployment.state);
  React.useEffect(() => {
    if (!transitional) {
      return;
    }
    const timer = setTimeout(() => setReloadCount(n => n + 1), FAST_POLL_MS);
    return () => clearTimeout(timer);
  }, [transitional, deployment]);

  React.useEffect(() => {
    const onFocus = (): void => setReloadCount(n => n + 1);
    window.addEventListener('focus', onFocus);
    return () => window.removeEventListener('focus', onFocus);
  }, []);

  // Deployments, connections and on-demand models to compare with: loaded once (and when the compare picker opens).
  const loadOthers = React.useCallback(() => {
    void loadOnDemandModels(client).then(models =>
      setOnDemand(models.filter(item => item.id !== deploymentId && item.mode !== 'embedding'))
    );
    client
      .listDeployments()
      .then(list => setOthers(list.items.filter(item => item.id !== deploymentId && item.mode !== 'embedding')))
      .catch(() => setOthers([]));
    client
      .listConnections()
      .then(list =>
        setConnections(
          list.connections.filter(
            item => targetKey({ kind: 'connection', id: item.id }) !== deploymentId && allows(item, 'chat')
          )
        )
      )
      .catch(() => setConnections([]));
  }, [client, deploymentId]);
  React.useEffect(loadOthers, [loadOthers]);

  const mode: InferenceMode = connection ? connectionMode(connection) : (deployment?.mode ?? 'chat');
  const compareRef = compareWith ? parseTargetKey(compareWith) : null;
  const partner = compareRef?.kind === 'deployment' ? (others.find(item => item.id === compareRef.id) ?? null) : null;
  // An on-demand model is a deployment by its OCID, listed apart (OCI serves it: no state to show).
  const partnerOnDemand =
    compareRef?.kind === 'deployment' ? (onDemand.find(item => item.id === compareRef.id) ?? null) : null;
  const partnerConnection =
    compareRef?.kind === 'connection' ? (connections.find(item => item.id === compareRef.id) ?? null) : null;
  const secondaryMode: InferenceMode = partnerConnection
    ? connectionMode(partnerConnection)
    : (partner?.mode ?? partnerOnDemand?.mode ?? 'chat');
  const reload = React.useCallback(() => setReloadCount(n => n + 1), []);

  const primaryTarget = React.useMemo<ChatTarget>(
    () =>
      subject.kind === 'connection'
        ? { kind: 'connection', id: subject.id, model }
        : { kind: 'deployment', id: subject.id, adapter: model },
    [subject.kind, subject.id, model]
  );
  const secondaryTarget = React.useMemo<ChatTarget | null>(() => {
    if (!compareWith) {
      return null;
    }
    const ref = parseTargetKey(compareWith);
    return ref.kind === 'connection'
      ? { kind: 'connection', id: ref.id, model: compareModel }
      : { kind: 'deployment', id: ref.id, adapter: ref.adapter };
  }, [compareWith, compareModel]);

  // The model's context as the deployment runs it; unknown for connections and when the engine chose it.
  const contextLength = deployment?.max_model_len ?? null;
  // Max tokens left at the playground's default follows the model's context (see defaultMaxTokens).
  React.useEffect(() => {
    if (contextLength !== null) {
      setSampling(previous =>
        previous.maxTokens === DEFAULT_SAMPLING.maxTokens
          ? { ...previous, maxTokens: String(defaultMaxTokens(contextLength)) }
          : previous
      );
    }
  }, [contextLength]);

  // "Save to dataset": the turn being saved (with its column's mode), and what the last save said.
  const [saving, setSaving] = React.useState<{ draft: ITurnDraft; mode: InferenceMode } | null>(null);
  const [savedNote, setSavedNote] = React.useState<string | null>(null);
  const saveTurn = (turns: Turn[], columnMode: InferenceMode, answerId: string): void => {
    const draft = turnDraft(turns, answerId, columnMode === 'chat' ? system : '');
    if (draft) {
      setSavedNote(null);
      setSaving({ draft, mode: columnMode });
    }
  };

  const primary = useChatSession({
    client,
    trans,
    target: primaryTarget,
    mode,
    contextLength,
    initialTurns: stored.turns,
    onError: reload
  });
  const secondary = useChatSession({
    client,
    trans,
    target: secondaryTarget,
    mode: secondaryMode,
    initialTurns: stored.compareTurns,
    onError: loadOthers
  });

  // Keep the conversation across reloads: save at most every half second, even while streaming.
  const latest = React.useRef<IPlaygroundState>(stored);
  latest.current = {
    system,
    sampling,
    turns: primary.turns,
    model,
    compareWith,
    compareModel,
    compareTurns: secondary.turns,
    draft,
    embedInputs,
    schemaText,
    toolsText
  };
  const saveTimer = React.useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  React.useEffect(() => {
    if (saveTimer.current !== undefined) {
      return;
    }
    saveTimer.current = setTimeout(() => {
      saveTimer.current = undefined;
      savePlayground(storage, deploymentId, latest.current);
    }, props.saveDelayMs ?? 500);
  }, [
    storage,
    deploymentId,
    system,
    sampling,
    draft,
    compareWith,
    model,
    compareModel,
    embedInputs,
    schemaText,
    toolsText,
    primary.turns,
    secondary.turns,
    props.saveDelayMs
  ]);
  React.useEffect(
    () => () => {
      if (saveTimer.current !== undefined) {
        clearTimeout(saveTimer.current);
        savePlayground(storage, deploymentId, latest.current);
      }
    },
    [storage, deploymentId]
  );

  const parsed = parseSampling(sampling, trans);
  const responseFormat = parseResponseFormat(schemaText, trans);
  const tools = parseTools(toolsText, trans);
  const extrasError = responseFormat.error ?? tools.error;
  // What a chat turn is sent with; a completion deployment gets the sampling only (see turnRequest).
  const settings: TurnSettings | null =
    parsed.value && !extrasError
      ? {
          ...parsed.value,
          ...(responseFormat.value ? { response_format: responseFormat.value } : {}),
          ...(tools.value ? { tools: tools.value } : {})
        }
      : null;
  const streaming = primary.streaming || secondary.streaming;
  const budget =
    draft.trim() && parsed.value
      ? contextBudget(promptTokens(mode, system, primary.turns, draft), parsed.value.max_tokens ?? 0, contextLength)
      : null;

  // Images only where the server says the turn may hold them (each side of Compare).
  const imagesOffered = mode === 'chat' && takesImages(deployment) && (!compareWith || takesImages(partner));
  const images = imagesOffered ? attachments.images.map(image => image.url) : [];
  const send = (): void => {
    const text = draft.trim();
    if ((!text && !images.length) || streaming || !settings) {
      return;
    }
    primary.send(text, system, settings, undefined, images);
    if (compareWith) {
      secondary.send(text, system, settings, undefined, images);
    }
    setDraft('');
    attachments.clear();
  };
  // Edit and resend, regenerate: in the column where it is asked, with the settings of now.
  const resend =
    (session: typeof primary) =>
    (userTurnId: string, text: string): void => {
      if (!streaming && settings) {
        session.send(text, system, settings, userTurnId);
      }
    };
  const regenerate = (session: typeof primary) => (): void => {
    const last = lastUserTurn(session.turns);
    if (last) {
      resend(session)(last.id, last.content);
    }
  };
  const answerTools =
    (session: typeof primary) =>
    (answerId: string, results: string[]): void => {
      if (!streaming && settings) {
        session.answerTools(answerId, results, system, settings);
      }
    };
  const stop = (): void => {
    primary.stop();
    secondary.stop();
  };
  const clear = (): void => {
    primary.clear();
    secondary.clear();
  };

  // Tool calls answered by a kernel function; the turns are read when a round would auto-answer.
  const runKernelTool = props.runKernelTool ?? null;
  const kernelTools = React.useMemo<IKernelTools | null>(
    () =>
      runKernelTool && {
        run: runKernelTool,
        settings: kernelSettings,
        roundsBefore: answerId =>
          Math.max(toolRoundsBefore(primary.turns, answerId), toolRoundsBefore(secondary.turns, answerId))
      },
    [runKernelTool, kernelSettings, primary.turns, secondary.turns]
  );

  // What a column takes from its session (the primary or the compared one) and that session's mode:
  // the turns and their actions (edit and resend, regenerate, answer tools, save to dataset), and the tools.
  const columnProps = (session: typeof primary, sessionMode: InferenceMode): ISessionColumnProps => ({
    turns: session.turns,
    mode: sessionMode,
    props,
    onEdit: resend(session),
    onRegenerate: regenerate(session),
    tools: tools.value,
    onAnswerTools: answerTools(session),
    kernelTools,
    onSaveTurn: answerId => saveTurn(session.turns, sessionMode, answerId)
  });

  const isConnection = subject.kind === 'connection';
  if (loadError !== null && deployment === null && connection === null) {
    return (
      <div className="jp-AquaExt-Playground">
        <ErrorState
          error={loadError}
          trans={trans}
          title={
            isConnection
              ? trans.__('The connection could not be loaded.')
              : trans.__('The deployment could not be loaded.')
          }
          onRetry={reload}
        />
      </div>
    );
  }
  if (deployment === null && connection === null) {
    return (
      <div className="jp-AquaExt-Playground">
        <Loading>{isConnection ? trans.__('Loading connection…') : trans.__('Loading deployment…')}</Loading>
      </div>
    );
  }

  const inactive = !subjectCanChat(subject);
  const isEmbedding = mode === 'embedding';
  const name = (deployment && subjectName(deployment.name, model)) ?? connection?.name ?? '';
  const partnerName =
    (partner && subjectName(partner.name, compareRef?.adapter)) ??
    partnerOnDemand?.name ??
    partnerConnection?.name ??
    null;

  return (
    <div className={`jp-AquaExt-Playground jp-mod-${mode}${compareWith ? ' jp-mod-compare' : ''}`}>
      <header className="jp-AquaExt-Playground-header">
        <div className="jp-AquaExt-Playground-title">
          <h2 className="jp-AquaExt-Playground-name">{name}</h2>
          {deployment && (
            <>
              <DeploymentStateBadge state={deployment.state} trans={trans} />
              <span className="jp-AquaExt-Playground-meta">
                {modeLabel(mode, trans)} · {engineLabel(deployment.engine)} · {shapeLabel(deployment.shape, trans)} ·{' '}
                {deployment.model_name}
              </span>
              {deployment.adapters.length > 0 && (
                <AdapterSelect
                  trans={trans}
                  adapters={deployment.adapters.map(adapter => adapter.name)}
                  value={model}
                  disabled={streaming}
                  onChange={value => {
                    primary.clear();
                    setModel(value);
                  }}
                />
              )}
            </>
          )}
          {connection && (
            <>
              <span className="jp-AquaExt-Playground-meta">
                {trans.__('Connection')} · {connection.endpoint}
              </span>
              <ConnectionModelSelect
                trans={trans}
                connection={connection}
                value={model}
                disabled={streaming}
                label={trans.__('Model')}
                onChange={value => {
                  primary.clear();
                  setModel(value);
                }}
              />
            </>
          )}
        </div>
        {!isEmbedding && (
          <div className="jp-AquaExt-Playground-actions">
            <label className="jp-AquaExt-Playground-compare">
              <span>{trans.__('Compare with')}</span>
              <HTMLSelect
                aria-label={trans.__('Compare with')}
                value={compareWith ?? ''}
                disabled={streaming}
                onFocus={loadOthers}
                onChange={event => {
                  secondary.clear();
                  setCompareWith(event.target.value || null);
                  setCompareModel(null);
                }}
                options={[
                  { value: '', label: trans.__('Nothing (single)') },
                  // Each deployment's base, then its adapters ("deployment · adapter").
                  ...others.flatMap(item =>
                    deploymentSubjects(item).map(entry => ({
                      value: entry.key,
                      label: allows(item, 'chat') ? entry.label : `${entry.label} (${stateLabel(item.state, trans)})`
                    }))
                  ),
                  ...connections.map(item => ({
                    value: targetKey({ kind: 'connection', id: item.id }),
                    label: allows(item, 'chat')
                      ? trans.__('%1 (connection)', item.name)
                      : trans.__('%1 (connection, cannot chat now)', item.name)
                  }))
                ]}
              >
                <OnDemandOptions models={onDemand} trans={trans} />
              </HTMLSelect>
            </label>
            {partnerConnection && (
              <ConnectionModelSelect
                trans={trans}
                connection={partnerConnection}
                value={compareModel}
                disabled={streaming}
                label={trans.__('Model of %1', partnerConnection.name)}
                onChange={value => {
                  secondary.clear();
                  setCompareModel(value);
                }}
              />
            )}
            <Button
              className="jp-mod-styled jp-AquaExt-button"
              onClick={clear}
              disabled={primary.turns.length === 0 && secondary.turns.length === 0}
              title={trans.__('Start a new conversation')}
            >
              {trans.__('Clear')}
            </Button>
            <ExportButtons
              trans={trans}
              name={name}
              system={mode === 'chat' ? system : ''}
              turns={primary.turns}
              download={props.download ?? downloadText}
            />
          </div>
        )}
      </header>
      {inactive && deployment && (
        <div className="jp-AquaExt-Playground-banner" role="status">
          {trans.__(
            'This deployment is %1: it answers only when active. Activate it in AI Quick Actions → Deployments.',
            stateLabel(deployment.state, trans)
          )}
          {deployment.state_message && <span className="jp-AquaExt-muted"> {deployment.state_message}</span>}
        </div>
      )}
      {inactive && connection && (
        <div className="jp-AquaExt-Playground-banner" role="status">
          {trans.__('This connection cannot be chatted with now. See AI Quick Actions → Connections.')}
        </div>
      )}
      {[connection, partnerConnection].map(
        item =>
          item &&
          !item.streaming && (
            <div key={item.id} className="jp-AquaExt-Playground-notice" role="note">
              {trans.__('“%1”: this service answers whole (no streaming).', item.name)}
            </div>
          )
      )}
      {isEmbedding ? (
        <div className="jp-AquaExt-Playground-body jp-mod-single">
          <EmbeddingsPanel
            client={client}
            trans={trans}
            deploymentId={deploymentId}
            inputs={embedInputs}
            onInputsChange={setEmbedInputs}
          />
        </div>
      ) : (
        <div className="jp-AquaExt-Playground-body">
          <div className="jp-AquaExt-Playground-main">
            {mode === 'chat' && (
              <div className="jp-AquaExt-Playground-system">
                <DisclosureButton
                  open={showSystem}
                  label={trans.__('System prompt')}
                  summary={system.trim().slice(0, 60)}
                  onToggle={() => setShowSystem(value => !value)}
                />
                {showSystem && (
                  <textarea
                    className="jp-mod-styled jp-AquaExt-input jp-AquaExt-textarea"
                    aria-label={trans.__('System prompt')}
                    placeholder={trans.__('You are a helpful assistant.')}
                    rows={2}
                    value={system}
                    onChange={event => setSystem(event.target.value)}
                  />
                )}
              </div>
            )}
            <div className="jp-AquaExt-Playground-columns">
              <Column title={compareWith ? name : null} {...columnProps(primary, mode)} />
              {compareWith && (
                <Column
                  title={partnerName ?? trans.__('(not found)')}
                  state={partner?.state}
                  {...columnProps(secondary, secondaryMode)}
                  notice={
                    // A completion deployment takes a prompt only (the server refuses a system message):
                    // each prompt goes to it alone, so say what it does not get.
                    mode === 'chat' && secondaryMode === 'completion' && system.trim()
                      ? trans.__(
                          'System prompt not sent: completion deployment (it takes the prompt only, without the conversation).'
                        )
                      : null
                  }
                />
              )}
            </div>
            {savedNote && (
              <div className="jp-AquaExt-Playground-savedNote" role="status">
                {savedNote}
              </div>
            )}
            {saving && (
              <SaveTurnDialog
                client={client}
                trans={trans}
                draft={saving.draft}
                mode={saving.mode}
                onClose={() => setSaving(null)}
                onSaved={result => {
                  setSaving(null);
                  setSavedNote(savedMessage(result, trans));
                }}
              />
            )}
            {budget?.over && (
              <div className="jp-AquaExt-Playground-contextWarning" role="status">
                {trans.__(
                  "This prompt is about %1 tokens (%2) and Max tokens is %3: %4 in all, more than this model's context of %5 tokens. The engine will refuse it: shorten the prompt, lower Max tokens or clear the conversation.",
                  budget.tokens,
                  budget.source === 'engine'
                    ? trans.__('the engine’s count plus an estimate')
                    : trans.__('an estimate'),
                  budget.maxTokens,
                  budget.tokens + budget.maxTokens,
                  budget.contextLength
                )}
              </div>
            )}
            {imagesOffered && <ImageAttach attachments={attachments} trans={trans} disabled={streaming} />}
            <div className="jp-AquaExt-Composer">
              <textarea
                className="jp-mod-styled jp-AquaExt-input jp-AquaExt-Composer-input"
                aria-label={mode === 'completion' ? trans.__('Prompt') : trans.__('Message')}
                placeholder={
                  mode === 'completion'
                    ? trans.__('Write a prompt for the model to continue… (Ctrl+Enter to generate)')
                    : trans.__('Send a message… (Enter to send, Shift+Enter for a new line)')
                }
                rows={mode === 'completion' ? 5 : 2}
                value={draft}
                onChange={event => setDraft(event.target.value)}
                onPaste={event => {
                  const pasted = imagesOffered ? imageFilesOf(event.clipboardData) : [];
                  if (pasted.length) {
                    event.preventDefault();
                    void attachments.add(pasted);
                  }
                }}
                onKeyDown={event => {
                  const submit =
                    event.key === 'Enter' && (mode === 'completion' ? event.ctrlKey || event.metaKey : !event.shiftKey);
                  if (submit && !event.nativeEvent.isComposing) {
                    event.preventDefault();
                    send();
                  }
                }}
              />
              {streaming ? (
                <Button className="jp-mod-styled jp-mod-warn jp-AquaExt-button jp-AquaExt-stopButton" onClick={stop}>
                  {trans.__('Stop')}
                </Button>
              ) : (
                <Button
                  className="jp-mod-styled jp-mod-accept jp-AquaExt-button jp-AquaExt-sendButton"
                  onClick={send}
                  disabled={(!draft.trim() && !images.length) || !settings}
                  title={settings ? undefined : trans.__('Fix the settings first')}
                >
                  {mode === 'completion' ? trans.__('Generate') : trans.__('Send')}
                </Button>
              )}
            </div>
          </div>
          <aside className="jp-AquaExt-Playground-side">
            {props.presets && (
              <PresetPicker
                store={props.presets}
                trans={trans}
                system={system}
                sampling={parsed.value}
                onApply={preset => {
                  setSystem(preset.system);
                  setShowSystem(preset.system.length > 0);
                  setSampling(previous => presetSampling(preset, previous));
                }}
              />
            )}
            <SamplingPanel value={sampling} errors={parsed.errors} trans={trans} onChange={setSampling} />
            {mode === 'chat' && (
              <ChatToolsPanel
                trans={trans}
                schemaText={schemaText}
                toolsText={toolsText}
                schemaError={responseFormat.error}
                toolsError={tools.error}
                onSchemaText={setSchemaText}
                onToolsText={setToolsText}
                engineNote={engineNote(deployment?.engine, trans)}
                kernelTools={
                  kernelTools && tools.value
                    ? {
                        tools: tools.value,
                        settings: kernelSettings,
                        onChange: (toolName, setting) =>
                          setKernelSettings(previous => ({ ...previous, [toolName]: setting }))
                      }
                    : null
                }
              />
            )}
          </aside>
        </div>
      )}
    </div>
  );
}

/** What a column takes from its chat session and the playground (see the playground's `columnProps`). */
interface ISessionColumnProps {
  turns: IPlaygroundState['turns'];
  mode: InferenceMode;
  props: IPlaygroundProps;
  onEdit?: (userTurnId: string, text: string) => void;
  onRegenerate?: () => void;
  tools?: ToolDefinition[] | null;
  onAnswerTools?: (answerId: string, results: string[]) => void;
  onSaveTurn?: (answerId: string) => void;
  kernelTools?: IKernelTools | null;
}

function Column(
  props: ISessionColumnProps & {
    title: string | null;
    state?: DeploymentSummary['state'];
    /** What this column's deployment is not sent, shown above its answers. */
    notice?: string | null;
  }
): JSX.Element {
  const { trans } = props.props;
  return (
    <div className="jp-AquaExt-Playground-column">
      {props.title !== null && (
        <div className="jp-AquaExt-Playground-columnTitle">
          <span>{props.title}</span>
          {props.state && <DeploymentStateBadge state={props.state} trans={trans} />}
        </div>
      )}
      {props.notice && (
        <div className="jp-AquaExt-Playground-notice" role="note">
          {props.notice}
        </div>
      )}
      <KernelToolsContext.Provider value={props.kernelTools ?? null}>
        <TranscriptView
          turns={props.turns}
          mode={props.mode}
          trans={trans}
          renderMarkdown={props.props.renderMarkdown}
          copyToClipboard={props.props.copyToClipboard}
          label={props.title ?? trans.__('Conversation')}
          onEdit={props.onEdit}
          onRegenerate={props.onRegenerate}
          tools={props.tools}
          onAnswerTools={props.onAnswerTools}
          onSaveTurn={props.onSaveTurn}
          emptyText={
            props.mode === 'completion'
              ? trans.__('Write a prompt below: the model continues it.')
              : trans.__('Send a message to start the conversation.')
          }
        />
      </KernelToolsContext.Provider>
    </div>
  );
}

/** Which of the deployment's LoRA adapters answers: its base model first (null), then each adapter. */
function AdapterSelect(props: {
  trans: TranslationBundle;
  adapters: string[];
  value: string | null;
  disabled: boolean;
  onChange: (value: string | null) => void;
}): JSX.Element {
  const { trans, value } = props;
  const adapters = [...new Set([...props.adapters, ...(value ? [value] : [])])];
  return (
    <label className="jp-AquaExt-Playground-compare">
      <span>{trans.__('Adapter')}</span>
      <HTMLSelect
        aria-label={trans.__('Adapter')}
        value={value ?? ''}
        disabled={props.disabled}
        onChange={event => props.onChange(event.target.value || null)}
        options={[
          { value: '', label: trans.__('Base model') },
          ...adapters.map(item => ({ value: item, label: item }))
        ]}
      />
    </label>
  );
}

/** The model a connection answers with: its models, the default first ("default" sends none). */
function ConnectionModelSelect(props: {
  trans: TranslationBundle;
  connection: Pick<ConnectionSummary, 'models' | 'default_model'>;
  value: string | null;
  label: string;
  disabled: boolean;
  onChange: (value: string | null) => void;
}): JSX.Element {
  const { trans, connection, value } = props;
  const models = [...new Set([...connection.models, ...(value ? [value] : [])])];
  return (
    <label className="jp-AquaExt-Playground-compare">
      <span>{props.label}</span>
      <HTMLSelect
        aria-label={props.label}
        value={value ?? ''}
        disabled={props.disabled}
        onChange={event => props.onChange(event.target.value || null)}
        options={[
          {
            value: '',
            label: connection.default_model
              ? trans.__('Default (%1)', connection.default_model)
              : trans.__('The service’s default')
          },
          ...models.map(item => ({ value: item, label: item }))
        ]}
      />
    </label>
  );
}
