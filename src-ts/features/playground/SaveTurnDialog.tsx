import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import type { IAquaClient } from '../../api/client';
import type { DatasetRowWarning, InferenceMode, SaveDatasetRowResponse } from '../../api/types';
import { CreateDialog } from '../../ui/DialogParts';
import { SelectField, TextAreaField, TextField } from '../../ui/FormField';
import { useFieldIds } from '../../ui/hooks/useFieldIds';
import { useFormSubmit, type FieldErrors } from '../../ui/hooks/useFormSubmit';
import { defaultFormat, rowRequest, type ITurnDraft, type RowFormat } from './datasetRow';

const FIELDS = ['path', 'format', 'prompt', 'completion', 'messages', 'category'] as const;
type Field = (typeof FIELDS)[number];

// The dataset the last turn went to: the next one most likely goes there too.
let lastPath = 'playground.jsonl';

export interface ISaveTurnDialogProps {
  client: IAquaClient;
  trans: TranslationBundle;
  draft: ITurnDraft;
  /** A completion deployment's turn has no conversation: instruction rows only. */
  mode: InferenceMode;
  onClose: () => void;
  /** Saved: what to tell the user. */
  onSaved: (result: SaveDatasetRowResponse) => void;
}

/**
 * "Save to dataset": the prompt and the answer, edited into the answer one
 * wants, as a row of a JSONL dataset in the Jupyter root (new file or
 * appended). The server's duplicate and leakage checks come back as
 * warnings; "Save anyway" sends it again allowing them.
 */
export function SaveTurnDialog(props: ISaveTurnDialogProps): JSX.Element {
  const { client, trans, draft } = props;
  const id = useFieldIds('SaveTurn');
  const [path, setPath] = React.useState(lastPath);
  const [format, setFormat] = React.useState<RowFormat>(
    props.mode === 'completion' ? 'instruction' : defaultFormat(draft)
  );
  const [prompt, setPrompt] = React.useState(draft.prompt);
  const [answer, setAnswer] = React.useState(draft.answer);
  const [category, setCategory] = React.useState('');
  // The warnings of the last try; they stop the save until the user says "Save anyway".
  const [warnings, setWarnings] = React.useState<DatasetRowWarning[]>([]);
  const submit = useFormSubmit<Field>({ trans, fields: FIELDS });
  const { errors } = submit;
  const edited = (): void => setWarnings([]);

  const onSubmit = (event: React.FormEvent): Promise<void> =>
    submit.submit(event, {
      validate: () => {
        const found: FieldErrors<Field> = {};
        if (!path.trim()) {
          found.path = trans.__('Name a .jsonl file in the Jupyter root.');
        }
        if (!prompt.trim()) {
          found.prompt = trans.__('The prompt is empty.');
        }
        if (!answer.trim()) {
          found.completion = trans.__('The answer is empty.');
        }
        return submit.showErrors(found);
      },
      send: () =>
        client.saveDatasetRow(
          rowRequest(
            draft,
            { path, format, prompt, answer, category },
            {
              duplicate: warnings.some(w => w.kind === 'duplicate'),
              leakage: warnings.some(w => w.kind === 'leakage')
            }
          )
        ),
      done: result => {
        if (result.saved) {
          lastPath = path.trim();
          props.onSaved(result);
        } else {
          setWarnings(result.warnings);
        }
      }
    });

  const history = draft.history.length;
  return (
    <CreateDialog
      dialog={props}
      title={trans.__('Save to dataset')}
      label={trans.__('Save the turn to a dataset')}
      className="jp-AquaExt-SaveTurnDialog"
      form={submit}
      onSubmit={onSubmit}
      submitClassName="jp-AquaExt-saveTurnButton"
      submitDisabled={submit.submitting}
      submitLabel={warnings.length > 0 ? trans.__('Save anyway') : trans.__('Save row')}
      submittingLabel={trans.__('Saving…')}
    >
      {/* Above the fields, where it is seen: why it was not saved yet. */}
      {warnings.length > 0 && (
        <div className="jp-AquaExt-SaveTurnDialog-warnings" role="alert">
          <div>{trans.__('Not saved yet:')}</div>
          <ul>
            {warnings.map(warning => (
              <li key={`${warning.kind}:${warning.path}:${warning.line}`} data-kind={warning.kind}>
                {warning.kind === 'duplicate' ? trans.__('Duplicate: ') : trans.__('Leakage: ')}
                {warning.message}
              </li>
            ))}
          </ul>
          <div>{trans.__('Save anyway to keep the row, or change it.')}</div>
        </div>
      )}
      <TextField
        id={id('path')}
        field="path"
        label={trans.__('Dataset')}
        hint={trans.__(
          'A .jsonl file in the Jupyter root: appended to when it exists, created otherwise (its folder must exist).'
        )}
        value={path}
        error={errors.path}
        disabled={submit.submitting}
        onChange={value => {
          setPath(value);
          edited();
          submit.clearErrors(['path', 'format']);
        }}
      />
      <SelectField
        id={id('format')}
        field="format"
        label={trans.__('Row format')}
        error={errors.format}
        hint={
          format === 'instruction'
            ? trans.__('{"prompt", "completion"}: the prompt and the answer alone.')
            : trans._n(
                '{"messages": [...]}: %1 earlier message, the prompt and the answer.',
                '{"messages": [...]}: %1 earlier messages, the prompt and the answer.',
                history
              )
        }
        value={format}
        disabled={submit.submitting || props.mode === 'completion'}
        onChange={value => {
          setFormat(value as RowFormat);
          edited();
          submit.clearErrors(['format', 'prompt', 'completion', 'messages']);
        }}
      >
        <option value="instruction">{trans.__('Instruction (prompt and completion)')}</option>
        <option value="conversational">{trans.__('Conversational (messages)')}</option>
      </SelectField>
      {(['prompt', 'completion'] as const).map(field => (
        <TextAreaField
          key={field}
          id={id(field)}
          field={field}
          label={field === 'prompt' ? trans.__('Prompt') : trans.__('Answer')}
          hint={field === 'completion' ? trans.__('Edit it into the answer the model should give.') : undefined}
          error={errors[field] ?? errors.messages}
          rows={field === 'prompt' ? 3 : 8}
          value={field === 'prompt' ? prompt : answer}
          disabled={submit.submitting}
          onChange={value => {
            (field === 'prompt' ? setPrompt : setAnswer)(value);
            edited();
            submit.clearErrors([field, 'messages']);
          }}
        />
      ))}
      <TextField
        id={id('category')}
        field="category"
        label={trans.__('Category (optional)')}
        hint={trans.__('Evaluation reports score each category apart.')}
        value={category}
        error={errors.category}
        disabled={submit.submitting}
        onChange={value => {
          setCategory(value);
          submit.clearErrors(['category']);
        }}
      />
    </CreateDialog>
  );
}

/** What the playground says once a row is saved. */
export function savedMessage(result: SaveDatasetRowResponse, trans: TranslationBundle): string {
  const where = result.created
    ? trans.__('Saved as line %1 of %2 (a new file).', result.line ?? 1, result.path)
    : trans.__('Saved as line %1 of %2 (%3 rows).', result.line ?? result.rows, result.path, result.rows);
  return result.checked_all
    ? where
    : `${where} ${trans.__('Some files of the folder were not checked for leakage (unreadable or over the bounds).')}`;
}
