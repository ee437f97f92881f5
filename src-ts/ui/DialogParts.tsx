/**
 * Form pieces the deploy, fine-tune and evaluation dialogs share word for
 * word: the dialog around the form with its footer, the picker of what it is
 * made from, the optional description and the collapsed "Advanced options".
 */
import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import type { IAquaClient } from '../api/client';
import type { FieldError } from '../api/types';
import type { Notify } from '../shared/callbacks';
import { describeError } from '../shared/errors';
import type { BackendKind } from '../shared/labels';
import type { IDatasetSources } from './DatasetPathField';
import { FormErrors } from './FormErrors';
import { type ISelectFieldProps, SelectField, TextAreaField } from './FormField';
import { useSubmitErrorFocus } from './hooks/useDialogFocus';
import { ModalDialog } from './ModalDialog';
import { TextButton } from './TextButton';

/** What the app gives every create dialog (deploy, fine-tune, evaluate). */
export interface ICreateDialogProps<R> {
  client: IAquaClient;
  trans: TranslationBundle;
  backendKind: BackendKind;
  notify: Notify;
  onClose: () => void;
  /** The server accepted it (202). */
  onCreated: (response: R) => void;
}

/** A create dialog whose form takes a dataset (fine-tune, evaluate). */
export interface IDatasetDialogProps<R> extends ICreateDialogProps<R>, IDatasetSources {
  /** A dataset to start from (opened from the file browser). */
  datasetPath?: string | null;
  /** Debounce of the dataset check (and the fine-tune's memory fit); tests use 0. */
  debounceMs?: number;
}

/**
 * A create dialog: the form's fields (`children`), what the server refused
 * that no field shows, and the footer: why it cannot be sent yet (`notice`),
 * Cancel, and the submit button that says so while sending. It cannot be
 * closed while sending.
 */
export function CreateDialog(props: {
  /** What the app gave the dialog: its translations, and how it closes. */
  dialog: { trans: TranslationBundle; onClose: () => void };
  title: string;
  /** The dialog's accessible name. */
  label: string;
  /** The dialog's own class, after `jp-AquaExt-FormDialog`. */
  className: string;
  /** The form's sending state (`useFormSubmit`): whether it is on its way, the errors no input shows, the message for the whole request. */
  form: { submitting: boolean; otherErrors: FieldError[]; error: string | null; failure?: unknown };
  onSubmit: (event: React.FormEvent) => Promise<void> | void;
  /** Added to the accept button's classes (the tests find it by them). */
  submitClassName: string;
  submitDisabled: boolean;
  submitLabel: string;
  submittingLabel: string;
  /** Beside the footer's buttons: why it cannot be sent yet. */
  notice?: React.ReactNode;
  /** Buttons before Cancel that use the form without sending it (an export as Terraform). */
  actions?: React.ReactNode;
  children: React.ReactNode;
}): JSX.Element {
  const { trans, onClose } = props.dialog;
  const { submitting } = props.form;
  const formRef = React.useRef<HTMLFormElement>(null);
  const submitEnded = useSubmitErrorFocus(formRef);
  const close = (): void => {
    if (!submitting) {
      onClose();
    }
  };
  return (
    <ModalDialog
      title={props.title}
      label={props.label}
      className={`jp-AquaExt-FormDialog ${props.className}`}
      trans={trans}
      onClose={close}
      closeDisabled={submitting}
    >
      <form
        ref={formRef}
        onSubmit={event => void Promise.resolve(props.onSubmit(event)).finally(submitEnded)}
        noValidate
      >
        <div className="jp-AquaExt-ModalDialog-body">
          {props.children}
          <FormErrors
            fields={props.form.otherErrors}
            message={props.form.error}
            failure={props.form.failure}
            trans={trans}
          />
        </div>
        <div className="jp-AquaExt-ModalDialog-footer">
          {props.notice}
          {props.actions}
          <TextButton kind="reject" label={trans.__('Cancel')} disabled={submitting} onClick={close} />
          <TextButton
            kind="accept"
            type="submit"
            className={props.submitClassName}
            label={props.submitLabel}
            busy={submitting}
            busyLabel={props.submittingLabel}
            disabled={props.submitDisabled}
          />
        </div>
      </form>
    </ModalDialog>
  );
}

/**
 * The select of what a form is made from (a model, a deployment, a
 * fine-tuning job): "Loading…" until the list arrives, then "Choose…",
 * then the options (`children`).
 */
export function PickerField(
  props: ISelectFieldProps & {
    /** The list arrived. */
    loaded: boolean;
    loadingLabel: string;
    chooseLabel: string;
  }
): JSX.Element {
  const { loaded, loadingLabel, chooseLabel, children, ...select } = props;
  return (
    <SelectField {...select}>
      <option value="">{loaded ? chooseLabel : loadingLabel}</option>
      {children}
    </SelectField>
  );
}

/**
 * The model a create form is made from (deploy, fine-tune): "Loading
 * models…" until `models` are listed, then "Choose a model…" and each by
 * name; one listed but `unusable` is disabled, with why after its name.
 */
export function ModelPickerField<T extends { id: string; name: string }>(
  props: Omit<ISelectFieldProps, 'children'> & {
    trans: TranslationBundle;
    /** The models to offer; null until listed. */
    models: readonly T[] | null;
    /** Why a model is listed but cannot be chosen (null: it can). */
    unusable?: (model: T) => string | null;
  }
): JSX.Element {
  const { trans, models, unusable, ...select } = props;
  return (
    <PickerField
      {...select}
      loaded={models !== null}
      loadingLabel={trans.__('Loading models…')}
      chooseLabel={trans.__('Choose a model…')}
    >
      {(models ?? []).map(item => {
        const reason = unusable?.(item) ?? null;
        return (
          <option key={item.id} value={item.id} disabled={reason !== null}>
            {item.name}
            {reason ? ` — ${reason}` : ''}
          </option>
        );
      })}
    </PickerField>
  );
}

/**
 * A picker's hint: why its list is missing (the error it failed to load
 * with), else what to do when it is listed empty (`empty`, given only then),
 * else `hint`.
 */
export function pickerHint(
  trans: TranslationBundle,
  loadError: unknown,
  empty: string | false | null | undefined,
  hint?: React.ReactNode
): React.ReactNode {
  return loadError !== null && loadError !== undefined ? describeError(loadError, trans) : empty || hint;
}

/** The optional description (`field="description"`), two rows high. */
export function DescriptionField(props: {
  id: string;
  trans: TranslationBundle;
  value: string;
  maxLength: number;
  disabled: boolean;
  error?: string;
  onChange: (value: string) => void;
}): JSX.Element {
  const { trans, ...field } = props;
  return <TextAreaField {...field} field="description" label={trans.__('Description (optional)')} rows={2} />;
}

/**
 * "Advanced options", collapsed unless `open`: the dialog opens it itself
 * when one of the fields inside has an error, so the state is the dialog's
 * (`useAdvancedOptions`).
 */
export function AdvancedOptions(props: {
  trans: TranslationBundle;
  open: boolean;
  onToggle: (open: boolean) => void;
  children: React.ReactNode;
}): JSX.Element {
  return (
    <details
      className="jp-AquaExt-AdvancedOptions"
      open={props.open}
      onToggle={event => props.onToggle((event.currentTarget as HTMLDetailsElement).open)}
    >
      <summary>{props.trans.__('Advanced options')}</summary>
      <div className="jp-AquaExt-AdvancedOptions-body">{props.children}</div>
    </details>
  );
}
