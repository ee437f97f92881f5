import * as React from 'react';

import { Button } from '@jupyterlab/ui-components';
import type { TranslationBundle } from '@jupyterlab/translation';

import type { TerraformExport } from '../../api/types';
import type { CopyToClipboard } from '../../shared/callbacks';
import type { DownloadText } from '../../shared/download';
import { ModalDialog } from '../../ui/ModalDialog';

export interface ITerraformDialogProps {
  trans: TranslationBundle;
  /** The server's export of the form's request. */
  export: TerraformExport;
  copyToClipboard: CopyToClipboard;
  download: DownloadText;
  onClose: () => void;
}

/**
 * The Deploy form as Terraform (`oci_datascience_model_deployment`): the
 * HCL the server wrote from the same checks as a deploy, to copy or save
 * as a `.tf` file. Nothing was created.
 */
export function TerraformDialog(props: ITerraformDialogProps): JSX.Element {
  const { trans } = props;
  const { file_name: fileName, hcl } = props.export;
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
            'The same deployment as Terraform: nothing was created. Review it, then run `terraform init` and `terraform apply`.'
          )}
        </p>
        <pre className="jp-AquaExt-TerraformDialog-hcl" aria-label={fileName}>
          {hcl}
        </pre>
      </div>
      <div className="jp-AquaExt-ModalDialog-footer">
        <Button
          className="jp-mod-styled jp-mod-reject jp-AquaExt-button jp-AquaExt-terraformCopy"
          type="button"
          onClick={() => props.copyToClipboard(hcl)}
        >
          {trans.__('Copy')}
        </Button>
        <Button
          className="jp-mod-styled jp-mod-reject jp-AquaExt-button jp-AquaExt-terraformDownload"
          type="button"
          onClick={() => props.download(fileName, hcl)}
        >
          {trans.__('Download %1', fileName)}
        </Button>
        <Button className="jp-mod-styled jp-mod-accept jp-AquaExt-button" type="button" onClick={props.onClose}>
          {trans.__('Close')}
        </Button>
      </div>
    </ModalDialog>
  );
}
