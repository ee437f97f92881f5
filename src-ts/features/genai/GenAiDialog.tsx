import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import type { GenAiCluster, GenAiModel, TerraformExport } from '../../api/types';
import type { IAquaClient } from '../../api/client';
import { allows } from '../../shared/actions';
import type { CopyToClipboard, Notify } from '../../shared/callbacks';
import type { DownloadText } from '../../shared/download';
import { PickerField, pickerHint } from '../../ui/DialogParts';
import { bindInput, type IFormBinding } from '../../ui/formInputs';
import { useFetched } from '../../ui/hooks/useFetched';
import { useFormSubmit, type IFormSubmit, type IFormSubmitOptions } from '../../ui/hooks/useFormSubmit';
import { TerraformCreateDialog, useTerraformExport, type ITerraformExport } from '../../ui/TerraformDialog';

/** What the app gives every Generative AI create dialog. */
export interface IGenAiDialogProps<R> {
  client: IAquaClient;
  trans: TranslationBundle;
  notify: Notify;
  /** The Terraform export's Copy. */
  copyToClipboard: CopyToClipboard;
  /** The Terraform export's Download (default: the browser's; tests pass a fake). */
  download?: DownloadText;
  onClose: () => void;
  /** The server accepted it (202): the resource is CREATING. */
  onCreated: (response: R) => void;
}

/** A Generative AI form's sending: the create and its Terraform export, from the same checked request. */
export interface IGenAiForm<F extends string> {
  /** What the app gave the dialog. */
  dialog: IGenAiDialogProps<never>;
  submit: IFormSubmit<F>;
  terraform: ITerraformExport;
  onSubmit: (event: React.FormEvent) => Promise<void>;
  onTerraform: () => Promise<void>;
}

/**
 * The submit flow of a Generative AI form: its checks (`validate`), then the
 * request (`body`) sent to `create`, or to `exportTerraform` by the Terraform
 * button (a refusal of either lands under the same inputs); an accepted create
 * is told (`started`) and handed to the app.
 */
export function useGenAiForm<F extends string, B, R>(
  props: IGenAiDialogProps<R>,
  options: {
    fields: readonly F[];
    placeRefusal?: IFormSubmitOptions<F>['placeRefusal'];
    validate: () => Partial<Record<F, string>>;
    body: () => B;
    create: (body: B) => Promise<R>;
    exportTerraform: (body: B) => Promise<TerraformExport>;
    started: (response: R) => string;
  }
): IGenAiForm<F> {
  const submit = useFormSubmit<F>({ trans: props.trans, fields: options.fields, placeRefusal: options.placeRefusal });
  const terraform = useTerraformExport(submit.submit);
  const validate = (): boolean => submit.showErrors(options.validate());
  return {
    dialog: props,
    submit,
    terraform,
    onSubmit: event =>
      submit.submit(event, {
        validate,
        send: () => options.create(options.body()),
        done: response => {
          props.notify(options.started(response), 'info');
          props.onCreated(response);
        }
      }),
    onTerraform: () => terraform.run({ validate, send: () => options.exportTerraform(options.body()) })
  };
}

/**
 * A Generative AI create form: the create dialog with a "Terraform" button
 * beside Cancel (the same request, checked alike, written as Terraform and
 * nothing created), and the export shown over the form.
 */
export function GenAiCreateDialog<F extends string>(props: {
  form: IGenAiForm<F>;
  title: string;
  label: string;
  className: string;
  /** The Terraform button's tooltip: which resource it writes. */
  terraformTitle: string;
  /** What the export is ("dedicated AI cluster"…), for the dialog's opening line. */
  subject: string;
  submitClassName: string;
  submitLabel: string;
  submittingLabel: string;
  children: React.ReactNode;
}): JSX.Element {
  const { form, terraformTitle, subject, ...dialog } = props;
  const { copyToClipboard, download } = form.dialog;
  const busy = form.submit.submitting;
  return (
    <TerraformCreateDialog
      {...dialog}
      dialog={form.dialog}
      form={form.submit}
      onSubmit={form.onSubmit}
      submitDisabled={busy}
      terraform={form.terraform}
      offer={{
        className: 'jp-AquaExt-genaiTerraform',
        title: terraformTitle,
        disabled: busy,
        subject,
        copyToClipboard,
        download,
        onClick: () => void form.onTerraform()
      }}
    />
  );
}

/** The Generative AI models and clusters a form picks from. */
export interface IGenAiChoices {
  /** Those whose server actions allow the form's action, by name (none until listed). */
  models: GenAiModel[];
  clusters: GenAiCluster[];
  /** Both lists arrived. */
  loaded: boolean;
  /** Either list's load error. */
  error: unknown;
}

/** The models and clusters a form picks from: those the server's actions allow `actions` on. */
export function useGenAiChoices(
  client: IAquaClient,
  actions: { model: GenAiModel['actions'][number]; cluster: GenAiCluster['actions'][number] }
): IGenAiChoices {
  const loadModels = React.useCallback(() => client.listGenAiModels().then(list => list.items), [client]);
  const loadClusters = React.useCallback(() => client.listGenAiClusters().then(list => list.items), [client]);
  const models = useFetched(loadModels, null);
  const clusters = useFetched(loadClusters, null);
  return {
    models: allowing(models.value, actions.model),
    clusters: allowing(clusters.value, actions.cluster),
    loaded: models.value !== null && clusters.value !== null,
    error: models.error ?? clusters.error
  };
}

/** The items whose server `actions` allow `action`, by name. */
function allowing<T extends { name: string; actions: readonly string[] }>(
  items: readonly T[] | null,
  action: T['actions'][number]
): T[] {
  return (items ?? []).filter(item => allows(item, action)).sort((a, b) => a.name.localeCompare(b.name));
}

/** One of the two pickers of an endpoint or fine-tune form: the form key it sets and what it holds. */
export interface IGenAiPick<K extends string> {
  key: K;
  label: string;
  /** The first option once the list arrived ("Choose a model…"). */
  choose: string;
  hint?: React.ReactNode;
  /** The hint once the list arrived with nothing in it. */
  empty?: string;
}

/**
 * The model and the cluster an endpoint or a fine-tune is made from, each a
 * picker of what the server's actions allow, with the load error under the first.
 */
export function GenAiPickers<F, Field extends string>(props: {
  trans: TranslationBundle;
  binding: IFormBinding<F, Field>;
  choices: IGenAiChoices;
  model: IGenAiPick<keyof F & string>;
  cluster: IGenAiPick<keyof F & string>;
}): JSX.Element {
  const { trans, binding, choices } = props;
  const { loaded } = choices;
  const picker = (
    pick: IGenAiPick<keyof F & string>,
    items: readonly { id: string; name: string }[],
    loadingLabel: string,
    loadError: unknown
  ): JSX.Element => (
    <PickerField
      {...bindInput(binding, pick.key)}
      label={pick.label}
      hint={pickerHint(trans, loadError, loaded && items.length === 0 && pick.empty, pick.hint)}
      disabled={binding.busy || !loaded}
      loaded={loaded}
      loadingLabel={loadingLabel}
      chooseLabel={pick.choose}
    >
      {items.map(item => (
        <option key={item.id} value={item.id}>
          {item.name}
        </option>
      ))}
    </PickerField>
  );
  return (
    <>
      {picker(props.model, choices.models, trans.__('Loading models…'), choices.error)}
      {picker(props.cluster, choices.clusters, trans.__('Loading clusters…'), null)}
    </>
  );
}
