import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import type { InferenceMode } from '../../api/types';
import { stateLabel } from '../../shared/deploymentStates';
import { answerStatParts } from './stats';
import type { IAssistantTurn, Turn } from './transcript';
import type { CopyToClipboard, RenderMarkdown } from '../../shared/callbacks';
import { MarkdownMessage } from './MarkdownMessage';

export interface ITranscriptViewProps {
  turns: Turn[];
  mode: InferenceMode;
  trans: TranslationBundle;
  renderMarkdown: RenderMarkdown;
  copyToClipboard: CopyToClipboard;
  /** Accessible name of the log of messages (the deployment's name in Compare mode). */
  label: string;
  emptyText: string;
  /** "Save to dataset" on each finished answer (the answer's turn id). */
  onSaveTurn?: (answerId: string) => void;
}

/** The conversation: questions as typed, answers as markdown with their stats or error. */
export function TranscriptView(props: ITranscriptViewProps): JSX.Element {
  const { turns, trans, mode } = props;
  const scroller = React.useRef<HTMLDivElement>(null);
  const stick = React.useRef(true);

  // Follow the answer as it grows, unless the user scrolled up to read.
  React.useLayoutEffect(() => {
    const element = scroller.current;
    if (element && stick.current) {
      element.scrollTop = element.scrollHeight;
    }
  }, [turns]);

  return (
    <div
      ref={scroller}
      className="jp-AquaExt-Transcript"
      role="log"
      aria-label={props.label}
      aria-live="off"
      onScroll={event => {
        const element = event.currentTarget;
        stick.current = element.scrollHeight - element.scrollTop - element.clientHeight < 40;
      }}
    >
      {turns.length === 0 && <div className="jp-AquaExt-Transcript-empty">{props.emptyText}</div>}
      {turns.map(turn =>
        turn.role === 'user' ? (
          <div key={turn.id} className="jp-AquaExt-Turn jp-mod-user">
            <div className="jp-AquaExt-Turn-role">{mode === 'completion' ? trans.__('Prompt') : trans.__('You')}</div>
            <div className="jp-AquaExt-Turn-text">{turn.content}</div>
          </div>
        ) : (
          <AnswerView key={turn.id} turn={turn} {...props} />
        )
      )}
    </div>
  );
}

function AnswerView(props: ITranscriptViewProps & { turn: IAssistantTurn }): JSX.Element {
  const { turn, trans } = props;
  const streaming = turn.status === 'streaming';
  return (
    <div
      className={`jp-AquaExt-Turn jp-mod-assistant jp-mod-${turn.status}`}
      data-status={turn.status}
      data-chars={turn.content.length}
    >
      <div className="jp-AquaExt-Turn-role">
        {props.mode === 'completion' ? trans.__('Completion') : trans.__('Assistant')}
        {streaming && (
          <span className="jp-AquaExt-Turn-streaming" role="status">
            <span className="jp-AquaExt-spinner" aria-hidden="true" />
            {turn.content ? trans.__('Writing…') : trans.__('Waiting for the first token…')}
          </span>
        )}
      </div>
      {turn.content && !turn.content.trim() && (
        // Rendered markdown of whitespace is nothing at all: say what arrived instead of an empty answer.
        <div className="jp-AquaExt-Turn-blank">
          {streaming
            ? trans._n(
                'Only whitespace so far (%1 character)…',
                'Only whitespace so far (%1 characters)…',
                turn.content.length
              )
            : trans._n(
                'The answer is only whitespace (%1 character).',
                'The answer is only whitespace (%1 characters).',
                turn.content.length
              )}
        </div>
      )}
      {turn.content.trim() && (
        <MarkdownMessage
          text={turn.content}
          streaming={streaming}
          renderMarkdown={props.renderMarkdown}
          copyToClipboard={props.copyToClipboard}
          trans={trans}
        />
      )}
      {turn.status === 'error' && (
        <div className="jp-AquaExt-Turn-error" role="alert">
          <span className="jp-AquaExt-Turn-errorText">{turn.error}</span>
          {turn.deploymentState && (
            <span className="jp-AquaExt-Turn-errorState">
              {trans.__('The deployment is now %1.', stateLabel(turn.deploymentState, trans))}
            </span>
          )}
        </div>
      )}
      {turn.status !== 'streaming' && turn.stats && (
        <div className="jp-AquaExt-Turn-stats" aria-label={trans.__('Answer statistics')}>
          {turn.status === 'stopped' && <span className="jp-AquaExt-Turn-stopped">{trans.__('Stopped')}</span>}
          {answerStatParts(turn.stats, trans).map(part => (
            <span key={part.key} className={`jp-AquaExt-Turn-stat jp-AquaExt-Turn-stat-${part.key}`} title={part.title}>
              {part.label}
            </span>
          ))}
        </div>
      )}
      {props.onSaveTurn && (turn.status === 'done' || turn.status === 'stopped') && turn.content.trim() && (
        <button
          type="button"
          className="jp-AquaExt-linkButton jp-AquaExt-Turn-save"
          onClick={() => props.onSaveTurn?.(turn.id)}
          title={trans.__('Save the prompt and this answer, edited as you like, as a row of a JSONL dataset')}
        >
          {trans.__('Save to dataset')}
        </button>
      )}
    </div>
  );
}
