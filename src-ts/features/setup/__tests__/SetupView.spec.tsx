import * as React from 'react';

import { fireEvent, render, screen, within } from '@testing-library/react';

import { FakeClient } from '../../../test-support/fixtures';
import { makeOciSetup } from '../../../test-support/ociSetup';
import { SetupView } from '../SetupView';
import { trans } from '../../../test-support/trans';

describe('SetupView', () => {
  it('shows the missing policy and the unversioned bucket, each with what fixes it', async () => {
    const client = new FakeClient();
    const copied: string[] = [];
    render(<SetupView client={client} trans={trans} copyToClipboard={text => copied.push(text)} />);
    expect(await screen.findByText(/2 checks are missing\./)).toBeInTheDocument();

    const models = document.querySelector('[data-check="models"]') as HTMLElement;
    expect(models).toHaveTextContent('missing');
    const statement = 'Allow dynamic-group aqua-dynamic-group to manage data-science-models in compartment aqua-tests';
    expect(models).toHaveTextContent(statement);
    fireEvent.click(within(models).getByRole('button', { name: 'Copy fix' }));
    expect(copied).toEqual([statement]);

    const bucket = document.querySelector('[data-check="bucket-versioning"]') as HTMLElement;
    expect(bucket).toHaveTextContent('oci os bucket update --name aqua-out --namespace ns --versioning Enabled');
    expect(document.querySelector('[data-check="logging"]')).toHaveTextContent('ok');
  });

  it('copies every statement, and asks again with the bucket and shapes typed', async () => {
    const client = new FakeClient();
    const copied: string[] = [];
    render(<SetupView client={client} trans={trans} copyToClipboard={text => copied.push(text)} />);
    await screen.findByText(/checks are missing/);
    fireEvent.click(screen.getByRole('button', { name: 'Copy all statements' }));
    expect(copied[0].split('\n')).toHaveLength(2); // the AQUA policy's statements, not the admin's

    // AQUA's policy first, the admin's statements (a placeholder group) under their own heading.
    const statements = screen.getByRole('region', { name: 'Policy statements' });
    const lists = statements.querySelectorAll('.jp-AquaExt-Setup-statements');
    expect(Array.from(lists, list => list.querySelectorAll('li').length)).toEqual([2, 1]);
    expect(lists[1]).toHaveTextContent('Allow group <your_admin_group> to manage policies in tenancy');
    expect(within(statements).getByRole('heading', { name: 'For whoever applies the setup' })).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Copy Terraform' }));
    expect(copied[1]).toBe('resource "oci_identity_policy" "aqua" {\n}\n');

    client.getOciSetup.mockResolvedValueOnce(makeOciSetup({ ready: true, checks: [] }));
    fireEvent.change(screen.getByPlaceholderText('aqua-bucket'), { target: { value: ' my-bucket ' } });
    fireEvent.change(screen.getByPlaceholderText('VM.GPU.A10.2'), { target: { value: 'VM.GPU.A10.1' } });
    fireEvent.click(screen.getByRole('button', { name: 'Check' }));
    expect(await screen.findByText(/Compartment aqua-tests is ready\./)).toBeInTheDocument();
    expect(client.getOciSetup).toHaveBeenLastCalledWith({ bucket: 'my-bucket', shapes: 'VM.GPU.A10.1' });
  });

  it('shows an error the server answers', async () => {
    const client = new FakeClient();
    client.getOciSetup.mockRejectedValueOnce(new Error('compartment_id: must be a compartment OCID'));
    render(<SetupView client={client} trans={trans} copyToClipboard={() => undefined} />);
    expect(await screen.findByText(/must be a compartment OCID/)).toBeInTheDocument();
  });
});
