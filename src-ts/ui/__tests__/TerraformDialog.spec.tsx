import * as React from 'react';
import { fireEvent, render, screen, within } from '@testing-library/react';

import { TerraformDialog } from '../TerraformDialog';
import { trans } from '../../test-support/trans';

const HCL = 'resource "oci_generative_ai_imported_model" "imported_model" {\n  display_name = "모델 モデル"\n}\n';
const CLI =
  '# A gated model: export HF_TOKEN=<your Hugging Face token> first (it is never written here).\n' +
  "aqua-ext genai models import \\\n  --name='모델 モデル' \\\n  --hf-id=meta-llama/Llama-3.1-8B-Instruct";

function setup(): { copy: jest.Mock; download: jest.Mock; close: jest.Mock } {
  const copy = jest.fn();
  const download = jest.fn();
  const close = jest.fn();
  render(
    <TerraformDialog
      trans={trans}
      export={{ file_name: 'imported_model.tf', hcl: HCL, cli: CLI }}
      subject="import"
      copyToClipboard={copy}
      download={download}
      onClose={close}
    />
  );
  return { copy, download, close };
}

describe('TerraformDialog: the form as Terraform and as an aqua-ext command', () => {
  it('shows both, each with its own Copy', () => {
    const { copy, download } = setup();
    const dialog = screen.getByRole('dialog', { name: 'Terraform' });
    expect(within(dialog).getByLabelText('imported_model.tf').textContent).toBe(HCL);
    expect(within(dialog).getByLabelText('aqua-ext command').textContent).toBe(CLI);
    expect(dialog).toHaveTextContent('HF_TOKEN');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Copy command' }));
    expect(copy).toHaveBeenLastCalledWith(CLI);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Copy' }));
    expect(copy).toHaveBeenLastCalledWith(HCL);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Download imported_model.tf' }));
    expect(download).toHaveBeenCalledWith('imported_model.tf', HCL);
  });

  it('closes', () => {
    const { close } = setup();
    fireEvent.click(screen.getByRole('button', { name: 'Close' }));
    expect(close).toHaveBeenCalled();
  });
});
