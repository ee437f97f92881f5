/**
 * What one can do with a turn of the conversation: edit a question and send it again (what
 * followed it is dropped), copy an answer, regenerate the last answer.
 */
import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import type { CopyToClipboard } from '../../shared/callbacks';
import type { IAssistantTurn, IUserTurn } from './transcript';

export interface ITurnActionsProps {
  trans: TranslationBundle;
  /** An answer is being written: nothing is resent meanwhile. */
  busy: boolean;
  /** Replace a question by `text` and send it; the turns after it are dropped. */
  onEdit?: (userTurnId: string, text: string) => void;
  /** Ask the last question again (given on the last answer only). */
  onRegenerate?: () => void;
}

/** A question as typed, with Edit: the text in a box, sent again with Enter or the Send button. */
export function UserTurnView(props: ITurnActionsProps & { turn: IUserTurn; roleLabel: string }): JSX.Element {
  const { turn, trans, onEdit } = props;
  const [editing, setEditing] = React.useState<string | null>(null);
  const submit = (): void => {
    if (editing !== null && editing.trim() && !props.busy) {
      onEdit?.(turn.id, editing.trim());
      setEditing(null);
    }
  };
  return (
    <div className="jp-AquaExt-Turn jp-mod-user">
      <div className="jp-AquaExt-Turn-role">
        {props.roleLabel}
        {onEdit && editing === null && (
          <button
            type="button"
            className="jp-AquaExt-linkButton jp-AquaExt-Turn-action"
            disabled={props.busy}
            onClick={() => setEditing(turn.content)}
            title={trans.__('Change this message and send it again; the answers after it are dropped')}
          >
            {trans.__('Edit')}
          </button>
        )}
      </div>
      {editing === null ? (
        <div className="jp-AquaExt-Turn-text">{turn.content}</div>
      ) : (
        <div className="jp-AquaExt-Turn-edit">
          <textarea
            className="jp-mod-styled jp-AquaExt-input jp-AquaExt-textarea"
            aria-label={trans.__('Edited message')}
            autoFocus
            rows={3}
            value={editing}
            onChange={event => setEditing(event.target.value)}
            onKeyDown={event => {
              if (event.key === 'Escape') {
                setEditing(null);
              } else if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
                event.preventDefault();
                submit();
              }
            }}
          />
          <button
            type="button"
            className="jp-mod-styled jp-mod-accept jp-AquaExt-button"
            disabled={props.busy || !editing.trim()}
            onClick={submit}
          >
            {trans.__('Send')}
          </button>
          <button type="button" className="jp-mod-styled jp-AquaExt-button" onClick={() => setEditing(null)}>
            {trans.__('Cancel')}
          </button>
        </div>
      )}
    </div>
  );
}

/** Copy (a finished answer with text) and Regenerate (the last answer), beside the answer's role. */
export function AnswerActions(
  props: ITurnActionsProps & { turn: IAssistantTurn; copyToClipboard: CopyToClipboard }
): JSX.Element | null {
  const { turn, trans } = props;
  if (turn.status === 'streaming') {
    return null;
  }
  return (
    <span className="jp-AquaExt-Turn-actions">
      {turn.content.trim() && (
        <button
          type="button"
          className="jp-AquaExt-linkButton jp-AquaExt-Turn-action"
          onClick={() => props.copyToClipboard(turn.content)}
          title={trans.__('Copy the answer (as markdown) to the clipboard')}
        >
          {trans.__('Copy')}
        </button>
      )}
      {props.onRegenerate && (
        <button
          type="button"
          className="jp-AquaExt-linkButton jp-AquaExt-Turn-action"
          disabled={props.busy}
          onClick={props.onRegenerate}
          title={trans.__('Ask the last question again for a new answer')}
        >
          {trans.__('Regenerate')}
        </button>
      )}
    </span>
  );
}
