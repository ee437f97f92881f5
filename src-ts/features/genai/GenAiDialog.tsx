import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import type { FieldError, GenAiCluster, GenAiModel } from '../../api/types';
import type { IAquaClient } from '../../api/client';
import { allows } from '../../shared/actions';
import type { CopyToClipboard, Notify } from '../../shared/callbacks';
import { downloadText, type DownloadText } from '../../shared/download';
import { CreateDialog } from '../../ui/DialogParts';
import { useFetched } from '../../ui/hooks/useFetched';
import { TerraformButton, TerraformDialog, type ITerraformExport } from '../../ui/TerraformDialog';

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

/**
 * A Generative AI create form: the create dialog with a "Terraform" button
 * beside Cancel (the same request, checked alike, written as Terraform and
 * nothing created), and the export shown over the form.
 */
export function GenAiCreateDialog(props: {
  trans: TranslationBundle;
  title: string;
  label: string;
  className: string;
  form: { submitting: boolean; otherErrors: FieldError[]; error: string | null; failure?: unknown };
  terraform: ITerraformExport;
  /** The Terraform button's tooltip: which resource it writes. */
  terraformTitle: string;
  /** What the export is ("dedicated AI cluster"…), for the dialog's opening line. */
  subject: string;
  submitClassName: string;
  submitLabel: string;
  submittingLabel: string;
  submitDisabled?: boolean;
  copyToClipboard: CopyToClipboard;
  download?: DownloadText;
  onClose: () => void;
  onSubmit: (event: React.FormEvent) => Promise<void>;
  onTerraform: () => Promise<void>;
  children: React.ReactNode;
}): JSX.Element {
  const { trans, terraform } = props;
  const busy = props.form.submitting;
  return (
    <>
      <CreateDialog
        trans={trans}
        title={props.title}
        label={props.label}
        className={props.className}
        form={props.form}
        onClose={props.onClose}
        onSubmit={props.onSubmit}
        submitClassName={props.submitClassName}
        submitDisabled={busy || !!props.submitDisabled}
        submitLabel={props.submitLabel}
        // The export goes through the same submit: the create button keeps its label meanwhile.
        submittingLabel={terraform.exporting ? props.submitLabel : props.submittingLabel}
        actions={
          <TerraformButton
            trans={trans}
            className="jp-AquaExt-genaiTerraform"
            title={props.terraformTitle}
            disabled={busy}
            exporting={terraform.exporting}
            onClick={() => void props.onTerraform()}
          />
        }
      >
        {props.children}
      </CreateDialog>
      {terraform.shown && (
        <TerraformDialog
          trans={trans}
          export={terraform.shown}
          subject={props.subject}
          copyToClipboard={props.copyToClipboard}
          download={props.download ?? downloadText}
          onClose={terraform.close}
        />
      )}
    </>
  );
}

/** The Generative AI models and clusters a form picks from (null until each answered), and a load error. */
export function useGenAiChoices(client: IAquaClient): {
  models: GenAiModel[] | null;
  clusters: GenAiCluster[] | null;
  error: unknown;
} {
  const loadModels = React.useCallback(() => client.listGenAiModels().then(list => list.items), [client]);
  const loadClusters = React.useCallback(() => client.listGenAiClusters().then(list => list.items), [client]);
  const models = useFetched(loadModels, null);
  const clusters = useFetched(loadClusters, null);
  return { models: models.value, clusters: clusters.value, error: models.error ?? clusters.error };
}

/** The items whose server `actions` allow `action`, by name. */
export function allowing<T extends { name: string; actions: readonly string[] }>(
  items: readonly T[] | null,
  action: T['actions'][number]
): T[] {
  return (items ?? []).filter(item => allows(item, action)).sort((a, b) => a.name.localeCompare(b.name));
}
