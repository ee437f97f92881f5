import * as React from 'react';

import { Button, HTMLSelect } from '@jupyterlab/ui-components';
import type { TranslationBundle } from '@jupyterlab/translation';

import type { IAquaClient } from '../../api/client';
import type { DeploymentSummary, InferenceMode } from '../../api/types';
import { engineLabel, modeLabel, shapeLabel } from '../../shared/labels';
import { allows } from '../../shared/actions';
import { FAST_POLL_MS, isTransitional, stateLabel } from '../../shared/deploymentStates';
import { useDeployment } from '../../ui/hooks/useDeployment';
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

export interface IPlaygroundProps {
  client: IAquaClient;
  trans: TranslationBundle;
  deploymentId: string;
  renderMarkdown: RenderMarkdown;
  copyToClipboard: CopyToClipboard;
  /** Where the conversation is kept between reloads (localStorage; null keeps nothing). */
  storage: Storage | null;
  /** The deployment's name is known: the tab's title can say it. */
  onTitle?: (name: string) => void;
  /** Save throttle (tests use 0). */
  saveDelayMs?: number;
}

function emptyState(): IPlaygroundState {
  return {
    system: '',
    sampling: { ...DEFAULT_SAMPLING, stop: [] },
    turns: [],
    compareWith: null,
    compareTurns: [],
    draft: '',
    embedInputs: []
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
  const [system, setSystem] = React.useState(stored.system);
  const [sampling, setSampling] = React.useState<ISamplingForm>(stored.sampling);
  const [draft, setDraft] = React.useState(stored.draft);
  const [compareWith, setCompareWith] = React.useState<string | null>(stored.compareWith);
  const [embedInputs, setEmbedInputs] = React.useState<string[]>(stored.embedInputs);
  const [showSystem, setShowSystem] = React.useState(stored.system.length > 0);
  const onTitle = React.useRef(props.onTitle);
  onTitle.current = props.onTitle;

  // The deployment (its mode, state, name); reloaded after an error and when the tab regains focus.
  const { deployment, error: loadError } = useDeployment(client, deploymentId, reloadCount, loaded =>
    onTitle.current?.(loaded.name)
  );

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

  // Deployments to compare with: loaded once (and when the compare picker opens).
  const loadOthers = React.useCallback(() => {
    client
      .listDeployments()
      .then(list => setOthers(list.items.filter(item => item.id !== deploymentId && item.mode !== 'embedding')))
      .catch(() => setOthers([]));
  }, [client, deploymentId]);
  React.useEffect(loadOthers, [loadOthers]);

  const mode: InferenceMode = deployment?.mode ?? 'chat';
  const partner = compareWith ? (others.find(item => item.id === compareWith) ?? null) : null;
  const reload = React.useCallback(() => setReloadCount(n => n + 1), []);

  const primary = useChatSession({
    client,
    trans,
    deploymentId,
    mode,
    initialTurns: stored.turns,
    onError: reload
  });
  const secondary = useChatSession({
    client,
    trans,
    deploymentId: compareWith,
    mode: partner?.mode ?? 'chat',
    initialTurns: stored.compareTurns,
    onError: loadOthers
  });

  // Keep the conversation across reloads: save at most every half second, even while streaming.
  const latest = React.useRef<IPlaygroundState>(stored);
  latest.current = {
    system,
    sampling,
    turns: primary.turns,
    compareWith,
    compareTurns: secondary.turns,
    draft,
    embedInputs
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
    embedInputs,
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
  const streaming = primary.streaming || secondary.streaming;

  const send = (): void => {
    const text = draft.trim();
    if (!text || streaming || !parsed.value) {
      return;
    }
    primary.send(text, system, parsed.value);
    if (compareWith) {
      secondary.send(text, system, parsed.value);
    }
    setDraft('');
  };
  const stop = (): void => {
    primary.stop();
    secondary.stop();
  };
  const clear = (): void => {
    primary.clear();
    secondary.clear();
  };

  if (loadError !== null && deployment === null) {
    return (
      <div className="jp-AquaExt-Playground">
        <ErrorState
          error={loadError}
          trans={trans}
          title={trans.__('The deployment could not be loaded.')}
          onRetry={reload}
        />
      </div>
    );
  }
  if (deployment === null) {
    return (
      <div className="jp-AquaExt-Playground">
        <Loading>{trans.__('Loading deployment…')}</Loading>
      </div>
    );
  }

  const inactive = !allows(deployment, 'chat');
  const isEmbedding = mode === 'embedding';

  return (
    <div className={`jp-AquaExt-Playground jp-mod-${mode}${compareWith ? ' jp-mod-compare' : ''}`}>
      <header className="jp-AquaExt-Playground-header">
        <div className="jp-AquaExt-Playground-title">
          <h2 className="jp-AquaExt-Playground-name">{deployment.name}</h2>
          <DeploymentStateBadge state={deployment.state} trans={trans} />
          <span className="jp-AquaExt-Playground-meta">
            {modeLabel(mode, trans)} · {engineLabel(deployment.engine)} · {shapeLabel(deployment.shape, trans)} ·{' '}
            {deployment.model_name}
          </span>
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
                }}
                options={[
                  { value: '', label: trans.__('Nothing (single)') },
                  ...others.map(item => ({
                    value: item.id,
                    label: allows(item, 'chat') ? item.name : `${item.name} (${stateLabel(item.state, trans)})`
                  }))
                ]}
              />
            </label>
            <Button
              className="jp-mod-styled jp-AquaExt-button"
              onClick={clear}
              disabled={primary.turns.length === 0 && secondary.turns.length === 0}
              title={trans.__('Start a new conversation')}
            >
              {trans.__('Clear')}
            </Button>
          </div>
        )}
      </header>
      {inactive && (
        <div className="jp-AquaExt-Playground-banner" role="status">
          {trans.__(
            'This deployment is %1: it answers only when active. Activate it in AI Quick Actions → Deployments.',
            stateLabel(deployment.state, trans)
          )}
          {deployment.state_message && <span className="jp-AquaExt-muted"> {deployment.state_message}</span>}
        </div>
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
                <button
                  type="button"
                  className="jp-AquaExt-linkButton"
                  aria-expanded={showSystem}
                  onClick={() => setShowSystem(value => !value)}
                >
                  {showSystem ? '▾ ' : '▸ '}
                  {trans.__('System prompt')}
                  {!showSystem && system.trim() ? ` · ${system.trim().slice(0, 60)}` : ''}
                </button>
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
              <Column title={compareWith ? deployment.name : null} turns={primary.turns} mode={mode} props={props} />
              {compareWith && (
                <Column
                  title={partner ? partner.name : trans.__('(deployment not found)')}
                  turns={secondary.turns}
                  mode={partner?.mode ?? 'chat'}
                  props={props}
                  state={partner?.state}
                />
              )}
            </div>
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
                  disabled={!draft.trim() || !parsed.value}
                  title={parsed.value ? undefined : trans.__('Fix the settings first')}
                >
                  {mode === 'completion' ? trans.__('Generate') : trans.__('Send')}
                </Button>
              )}
            </div>
          </div>
          <aside className="jp-AquaExt-Playground-side">
            <SamplingPanel value={sampling} errors={parsed.errors} trans={trans} onChange={setSampling} />
          </aside>
        </div>
      )}
    </div>
  );
}

function Column(props: {
  title: string | null;
  turns: IPlaygroundState['turns'];
  mode: InferenceMode;
  props: IPlaygroundProps;
  state?: DeploymentSummary['state'];
}): JSX.Element {
  const { trans } = props.props;
  return (
    <div className="jp-AquaExt-Playground-column">
      {props.title !== null && (
        <div className="jp-AquaExt-Playground-columnTitle">
          <span>{props.title}</span>
          {props.state && <DeploymentStateBadge state={props.state} trans={trans} />}
        </div>
      )}
      <TranscriptView
        turns={props.turns}
        mode={props.mode}
        trans={trans}
        renderMarkdown={props.props.renderMarkdown}
        copyToClipboard={props.props.copyToClipboard}
        label={props.title ?? trans.__('Conversation')}
        emptyText={
          props.mode === 'completion'
            ? trans.__('Write a prompt below: the model continues it.')
            : trans.__('Send a message to start the conversation.')
        }
      />
    </div>
  );
}
