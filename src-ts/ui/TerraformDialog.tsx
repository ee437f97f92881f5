import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import type { TerraformExport } from '../api/types';
import type { CopyToClipboard } from '../shared/callbacks';
import { downloadText, type DownloadText } from '../shared/download';
import { CreateDialog } from './DialogParts';
import type { IFormSubmit } from './hooks/useFormSubmit';
import { ModalDialog } from './ModalDialog';
import { TextButton } from './TextButton';

export interface ITerraformDialogProps {
  trans: TranslationBundle;
  /** The server's export of the form's request. */
  export: TerraformExport;
  /** What the form would have created ("deployment", "dedicated AI cluster"…), for the opening line. */
  subject: string;
  copyToClipboard: CopyToClipboard;
  download: DownloadText;
  onClose: () => void;
}

/**
 * A create form as Terraform (a Data Science deployment or fine-tune, a
 * Generative AI import, cluster, endpoint or fine-tune): the HCL the server
 * wrote from the same checks as the create, to copy or save as a `.tf` file,
 * the `aqua-ext` command line of the same create and the same create as `oci`
 * SDK calls in Python, each to copy. Nothing was created.
 */
export function TerraformDialog(props: ITerraformDialogProps): JSX.Element {
  const { trans } = props;
  const { file_name: fileName, hcl, cli, python } = props.export;
  return (
    <ModalDialog
      title={trans.__('Terraform')}
      className="jp-AquaExt-FormDialog jp-AquaExt-TerraformDialog"
      trans={trans}
      onClose={props.onClose}
    >
      <div className="jp-AquaExt-ModalDialog-body">
        <p>
          {trans.__(
            'The same %1 as Terraform: nothing was created. Review it, then run `terraform init` and `terraform apply`.',
            props.subject
          )}
        </p>
        <pre className="jp-AquaExt-TerraformDialog-hcl" aria-label={fileName}>
          {hcl}
        </pre>
        <CopiedText
          intro={trans.__(
            'The same from a terminal (a gated Hugging Face model reads its token from HF_TOKEN; no secret is written here):'
          )}
          text={cli}
          className="jp-AquaExt-TerraformDialog-cli"
          label={trans.__('aqua-ext command')}
          copyClassName="jp-AquaExt-terraformCopyCommand"
          copyLabel={trans.__('Copy command')}
          onCopy={props.copyToClipboard}
        />
        <CopiedText
          intro={trans.__(
            'The same with the OCI Python SDK, in a notebook cell or a script (it reads ~/.oci/config; a token comes from HF_TOKEN):'
          )}
          text={python}
          className="jp-AquaExt-TerraformDialog-python"
          label={trans.__('Python (OCI SDK)')}
          copyClassName="jp-AquaExt-terraformCopyPython"
          copyLabel={trans.__('Copy Python')}
          onCopy={props.copyToClipboard}
        />
      </div>
      <div className="jp-AquaExt-ModalDialog-footer">
        <TextButton
          kind="reject"
          className="jp-AquaExt-terraformCopy"
          label={trans.__('Copy')}
          onClick={() => props.copyToClipboard(hcl)}
        />
        <TextButton
          kind="reject"
          className="jp-AquaExt-terraformDownload"
          label={trans.__('Download %1', fileName)}
          onClick={() => props.download(fileName, hcl)}
        />
        <TextButton kind="accept" label={trans.__('Close')} onClick={props.onClose} />
      </div>
    </ModalDialog>
  );
}

/** A line saying what `text` is, the text itself (`label` names it), and its Copy button. */
function CopiedText(props: {
  intro: string;
  text: string;
  className: string;
  label: string;
  copyClassName: string;
  copyLabel: string;
  onCopy: (text: string) => void;
}): JSX.Element {
  return (
    <>
      <p>{props.intro}</p>
      <pre className={props.className} aria-label={props.label}>
        {props.text}
      </pre>
      <TextButton
        kind="reject"
        className={props.copyClassName}
        label={props.copyLabel}
        onClick={() => props.onCopy(props.text)}
      />
    </>
  );
}

export interface ITerraformExport {
  /** The export shown over the form, or null. */
  shown: TerraformExport | null;
  /** While the export is asked for (the form's submit button keeps its own label). */
  exporting: boolean;
  /** Ask for the form's request as Terraform, with the create's checks: a refusal lands under the same inputs. */
  run: (steps: { validate: () => boolean; send: () => Promise<TerraformExport> }) => Promise<void>;
  close: () => void;
}

/** The "Terraform" button's request of a create form: sent through the form's submit, so it is checked alike. */
export function useTerraformExport<F extends string>(submit: IFormSubmit<F>['submit']): ITerraformExport {
  const [shown, setShown] = React.useState<TerraformExport | null>(null);
  const [exporting, setExporting] = React.useState(false);
  const run: ITerraformExport['run'] = steps => {
    setExporting(true);
    return submit(null, { ...steps, done: setShown }).finally(() => setExporting(false));
  };
  return { shown, exporting, run, close: () => setShown(null) };
}

/** The Terraform export a create dialog offers: its button, and where the export shown goes. */
interface ITerraformOffer {
  /** The button's tooltip: which resource it writes. */
  title: string;
  /** The button's own class (the tests find it by it). */
  className: string;
  disabled: boolean;
  /** What the export is ("deployment", "dedicated AI cluster"…), for the export's opening line. */
  subject: string;
  copyToClipboard: CopyToClipboard;
  /** The export's Download (default: the browser's; tests pass a fake). */
  download?: DownloadText;
  onClick: () => void;
}

/**
 * A create dialog that can also write its request as Terraform: a "Terraform"
 * button beside Cancel (where `offer` is given), sent through the form's own
 * submit (the create button keeps its label meanwhile), and the export shown
 * over the form.
 */
export function TerraformCreateDialog(
  props: Omit<React.ComponentProps<typeof CreateDialog>, 'actions'> & {
    /** The export's state (`useTerraformExport`). */
    terraform: ITerraformExport;
    /** Not given: this form offers no export (its target has none). */
    offer?: ITerraformOffer | false | null;
  }
): JSX.Element {
  const { terraform, offer, ...dialog } = props;
  return (
    <>
      <CreateDialog
        {...dialog}
        submittingLabel={terraform.exporting ? props.submitLabel : props.submittingLabel}
        actions={offer && <TerraformButton trans={props.dialog.trans} offer={offer} exporting={terraform.exporting} />}
      />
      {terraform.shown && offer && (
        <TerraformDialog
          trans={props.dialog.trans}
          export={terraform.shown}
          subject={offer.subject}
          copyToClipboard={offer.copyToClipboard}
          download={offer.download ?? downloadText}
          onClose={terraform.close}
        />
      )}
    </>
  );
}

/** The footer's "Terraform" button: the form as Terraform, without creating it. */
function TerraformButton(props: { trans: TranslationBundle; offer: ITerraformOffer; exporting: boolean }): JSX.Element {
  const { trans, exporting } = props;
  const { title, className, disabled, onClick } = props.offer;
  return (
    <TextButton
      kind="reject"
      {...{ title, className, disabled, onClick }}
      busy={exporting}
      label={trans.__('Terraform')}
      busyLabel={trans.__('Writing Terraform…')}
    />
  );
}
