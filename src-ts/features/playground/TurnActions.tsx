/**
 * What one can do with a turn of the conversation: edit a question and send it again (what
 * followed it is dropped), copy an answer, regenerate the last answer.
 */
import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import type { CopyToClipboard } from '../../shared/callbacks';
import { TurnImages } from './ImageAttach';
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

/** A quiet link-styled button (Edit, Copy, Regenerate, Export…). */
export function ActionLink(props: {
  label: string;
  title: string;
  onClick: () => void;
  disabled?: boolean;
}): JSX.Element {
  return (
    <button
      type="button"
      className="jp-AquaExt-linkButton jp-AquaExt-Turn-action"
      disabled={props.disabled}
      onClick={props.onClick}
      title={props.title}
    >
      {props.label}
    </button>
  );
}

/**
 * A one-off text box with its submit and Cancel buttons (edit a question, name a preset): Enter
 * submits (not while an IME composes, not with Shift), Escape cancels.
 */
export function InlineEdit(props: {
  trans: TranslationBundle;
  className: string;
  label: string;
  value: string;
  /** A text area of this many rows; absent: a one-line input. */
  rows?: number;
  submitLabel: string;
  canSubmit: boolean;
  onChange: (value: string) => void;
  onSubmit: () => void;
  onCancel: () => void;
}): JSX.Element {
  const field = {
    className: 'jp-mod-styled jp-AquaExt-input' + (props.rows ? ' jp-AquaExt-textarea' : ''),
    'aria-label': props.label,
    autoFocus: true,
    value: props.value,
    onChange: (event: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => props.onChange(event.target.value),
    onKeyDown: (event: React.KeyboardEvent) => {
      if (event.key === 'Escape') {
        props.onCancel();
      } else if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
        event.preventDefault();
        if (props.canSubmit) {
          props.onSubmit();
        }
      }
    }
  };
  return (
    <div className={props.className}>
      {props.rows ? <textarea rows={props.rows} {...field} /> : <input maxLength={100} {...field} />}
      <button
        type="button"
        className="jp-mod-styled jp-mod-accept jp-AquaExt-button"
        disabled={!props.canSubmit}
        onClick={props.onSubmit}
      >
        {props.submitLabel}
      </button>
      <button type="button" className="jp-mod-styled jp-AquaExt-button" onClick={props.onCancel}>
        {props.trans.__('Cancel')}
      </button>
    </div>
  );
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
          <ActionLink
            label={trans.__('Edit')}
            title={trans.__('Change this message and send it again; the answers after it are dropped')}
            disabled={props.busy}
            onClick={() => setEditing(turn.content)}
          />
        )}
      </div>
      {editing === null ? (
        <>
          <div className="jp-AquaExt-Turn-text">{turn.content}</div>
          <TurnImages images={turn.images} trans={trans} />
        </>
      ) : (
        <InlineEdit
          trans={trans}
          className="jp-AquaExt-Turn-edit"
          label={trans.__('Edited message')}
          rows={3}
          value={editing}
          submitLabel={trans.__('Send')}
          canSubmit={!props.busy && editing.trim().length > 0}
          onChange={setEditing}
          onSubmit={submit}
          onCancel={() => setEditing(null)}
        />
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
        <ActionLink
          label={trans.__('Copy')}
          title={trans.__('Copy the answer (as markdown) to the clipboard')}
          onClick={() => props.copyToClipboard(turn.content)}
        />
      )}
      {props.onRegenerate && (
        <ActionLink
          label={trans.__('Regenerate')}
          title={trans.__('Ask the last question again for a new answer')}
          disabled={props.busy}
          onClick={props.onRegenerate}
        />
      )}
    </span>
  );
}
