import { act, fireEvent, screen, waitFor } from '@testing-library/react';

import { apiError } from '../../../test-support/errors';
import { IRegisterDialogProps, RegisterDialog } from '../RegisterDialog';
import { FakeClient, LOCAL_TARGET, makeInfo, makeOperation, ociTarget } from '../../../test-support/fixtures';
import { errorOf } from '../../../test-support/dialogs';
import type { OpenSetupCheck } from '../../../ui/setupLinks';
import { renderWithProps } from '../../../test-support/render';
import { trans } from '../../../test-support/trans';

function setup(
  overrides: Partial<IRegisterDialogProps> = {},
  client = new FakeClient(),
  openSetup: OpenSetupCheck | null = null
) {
  const props: IRegisterDialogProps = {
    client,
    trans,
    pollIntervalMs: 1000,
    notify: jest.fn(),
    onClose: jest.fn(),
    onRegistered: jest.fn(),
    ...overrides
  };
  return { client, ...renderWithProps(RegisterDialog, props, openSetup) };
}

describe('RegisterDialog', () => {
  it('is a labelled dialog with the two sources', () => {
    setup();
    const dialog = screen.getByRole('dialog', { name: 'Register model' });
    expect(dialog).toBeInTheDocument();
    expect(screen.getByLabelText('Local folder')).toBeChecked();
    expect(screen.getByLabelText('Folder path')).toHaveAttribute('placeholder', '~/models/my-model');
    expect(screen.getByLabelText('Folder path')).toHaveFocus();
    fireEvent.click(screen.getByLabelText('Hugging Face'));
    expect(screen.getByLabelText('Hugging Face id')).toHaveAttribute('placeholder', 'org/model-name');
    expect(screen.getByLabelText('Revision (optional)')).toBeInTheDocument();
    const token = screen.getByLabelText('Token (gated models)');
    expect(token).toHaveAttribute('type', 'password');
    expect(token).toHaveAttribute('autocomplete', 'off');
    expect(screen.getByLabelText('Display name (optional)')).toBeInTheDocument();
    // JupyterLab's dialog button styles: primary Register, secondary Close.
    expect(screen.getByRole('button', { name: 'Register' })).toHaveClass('jp-mod-styled', 'jp-mod-accept');
    expect(screen.getByRole('button', { name: 'Close' })).toHaveClass('jp-mod-styled', 'jp-mod-reject');
  });

  it('validates required inputs before calling the server', async () => {
    const { client } = setup();
    fireEvent.click(screen.getByRole('button', { name: 'Register' }));
    const path = screen.getByLabelText('Folder path');
    expect(errorOf(path)).toHaveTextContent('Enter the path of a folder');
    expect(path).toHaveAttribute('aria-invalid', 'true');
    expect(client.registerModel).not.toHaveBeenCalled();
  });

  it('registers a local folder at once, notifies and closes', async () => {
    const { client, props } = setup();
    fireEvent.change(screen.getByLabelText('Folder path'), { target: { value: '  ~/models/tiny  ' } });
    fireEvent.change(screen.getByLabelText('Display name (optional)'), { target: { value: 'Tiny' } });
    fireEvent.click(screen.getByRole('button', { name: 'Register' }));
    await waitFor(() => expect(props.onClose).toHaveBeenCalled());
    expect(client.registerModel).toHaveBeenCalledWith({ source: 'local_folder', path: '~/models/tiny', name: 'Tiny' });
    expect(props.onRegistered).toHaveBeenCalledWith('reg:new', expect.objectContaining({ id: 'reg:new' }));
    expect(props.notify).toHaveBeenCalledWith('Registered “New model”.', 'success');
    expect(props.notify).toHaveBeenCalledTimes(1);
  });

  it('on OCI offers Object Storage and Hugging Face, both with a bucket path', async () => {
    const { client, props } = setup({ backendKind: 'oci' });
    expect(screen.queryByLabelText('Local folder')).not.toBeInTheDocument();
    expect(screen.getByLabelText('Object Storage')).toBeChecked();
    const uri = screen.getByLabelText('Object Storage path');
    fireEvent.change(uri, { target: { value: 's3://bucket/model' } });
    fireEvent.click(screen.getByRole('button', { name: 'Register' }));
    expect(errorOf(uri)).toHaveTextContent('oci://bucket@namespace/path');
    expect(client.registerModel).not.toHaveBeenCalled();
    fireEvent.change(uri, { target: { value: 'oci://models@ns/llama ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Register' }));
    await waitFor(() => expect(props.onClose).toHaveBeenCalled());
    expect(client.registerModel).toHaveBeenCalledWith({ source: 'object_storage', os_uri: 'oci://models@ns/llama' });
  });

  it('with local and OCI enabled, registers on the picked target with that target’s sources', async () => {
    const { client, props } = setup({ info: makeInfo({ targets: [LOCAL_TARGET, ociTarget()] }) });
    const picker = screen.getByLabelText('Target');
    expect(picker).toHaveValue('local');
    expect(screen.getByLabelText('Local folder')).toBeChecked();
    fireEvent.change(picker, { target: { value: 'oci' } });
    expect(screen.queryByLabelText('Local folder')).not.toBeInTheDocument();
    expect(screen.getByLabelText('Object Storage')).toBeChecked();
    fireEvent.change(screen.getByLabelText('Object Storage path'), { target: { value: 'oci://models@ns/llama' } });
    fireEvent.click(screen.getByRole('button', { name: 'Register' }));
    await waitFor(() => expect(props.onClose).toHaveBeenCalled());
    expect(client.registerModel).toHaveBeenCalledWith({
      source: 'object_storage',
      os_uri: 'oci://models@ns/llama',
      target: 'oci'
    });
  });

  it('on OCI sends the upload destination with a Hugging Face id', async () => {
    const { client } = setup({ backendKind: 'oci' });
    fireEvent.click(screen.getByLabelText('Hugging Face'));
    fireEvent.change(screen.getByLabelText('Hugging Face id'), { target: { value: 'acme/tiny' } });
    fireEvent.change(screen.getByLabelText('Upload to'), { target: { value: 'oci://models@ns/tiny' } });
    fireEvent.click(screen.getByRole('button', { name: 'Register' }));
    await waitFor(() => expect(client.registerModel).toHaveBeenCalled());
    expect(client.registerModel).toHaveBeenCalledWith({
      source: 'huggingface',
      hf_id: 'acme/tiny',
      os_uri: 'oci://models@ns/tiny'
    });
  });

  it('places server field errors under the matching input', async () => {
    const client = new FakeClient();
    client.registerModel.mockRejectedValue(
      apiError(400, 'Invalid input', {
        fields: [
          { field: 'body.hf_id', message: 'No such repository on the Hugging Face hub.' },
          { field: 'token', message: 'This token cannot read the repository.' }
        ],
        requestId: 'r'
      })
    );
    setup({}, client);
    fireEvent.click(screen.getByLabelText('Hugging Face'));
    fireEvent.change(screen.getByLabelText('Hugging Face id'), { target: { value: 'org/missing' } });
    fireEvent.change(screen.getByLabelText('Token (gated models)'), { target: { value: 'hf_secret' } });
    fireEvent.click(screen.getByRole('button', { name: 'Register' }));
    await waitFor(() =>
      expect(errorOf(screen.getByLabelText('Hugging Face id'))).toHaveTextContent(
        'No such repository on the Hugging Face hub.'
      )
    );
    expect(errorOf(screen.getByLabelText('Token (gated models)'))).toHaveTextContent(
      'This token cannot read the repository.'
    );
    expect(errorOf(screen.getByLabelText('Revision (optional)'))).toBeNull();
    expect(client.registerModel).toHaveBeenCalledWith({
      source: 'huggingface',
      hf_id: 'org/missing',
      token: 'hf_secret'
    });
  });

  it('shows a non-field error (409) as a message in the dialog', async () => {
    const client = new FakeClient();
    client.registerModel.mockRejectedValue(apiError(409, 'This folder is already registered.'));
    setup({}, client);
    fireEvent.change(screen.getByLabelText('Folder path'), { target: { value: '/data/model' } });
    fireEvent.click(screen.getByRole('button', { name: 'Register' }));
    expect(await screen.findByText('This folder is already registered.')).toBeInTheDocument();
  });

  describe('with a download', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    async function startDownload(
      client: FakeClient,
      props: Partial<IRegisterDialogProps> = {},
      openSetup: OpenSetupCheck | null = null
    ) {
      client.registerModel.mockResolvedValue({
        operation: makeOperation({ progress: 0.1, message: 'Starting' }),
        model: null
      });
      const utils = setup(props, client, openSetup);
      fireEvent.click(screen.getByLabelText('Hugging Face'));
      fireEvent.change(screen.getByLabelText('Hugging Face id'), { target: { value: 'Qwen/Qwen2.5-0.5B-Instruct' } });
      await act(async () => {
        fireEvent.click(screen.getByRole('button', { name: 'Register' }));
      });
      return utils;
    }

    it('shows progress while running and succeeds', async () => {
      const client = new FakeClient();
      client.getOperation
        .mockResolvedValueOnce(makeOperation({ progress: 0.42, message: 'Downloading model.safetensors' }))
        .mockResolvedValueOnce(
          makeOperation({ state: 'SUCCEEDED', progress: 1, resource_id: 'cache:Qwen--Qwen2.5-0.5B-Instruct' })
        );
      const { props } = await startDownload(client);
      const bar = screen.getByRole('progressbar', { name: 'Registration progress' });
      expect(bar).toHaveAttribute('aria-valuenow', '10');
      expect(screen.getByText('Starting')).toBeInTheDocument();
      expect(screen.getByLabelText('Hugging Face id')).toBeDisabled();

      await act(async () => {
        await jest.advanceTimersByTimeAsync(1000);
      });
      expect(screen.getByText('Downloading model.safetensors')).toBeInTheDocument();
      expect(screen.getByText('42%')).toBeInTheDocument();
      expect(bar).toHaveAttribute('aria-valuenow', '42');

      await act(async () => {
        await jest.advanceTimersByTimeAsync(1000);
      });
      expect(props.onRegistered).toHaveBeenCalledWith('cache:Qwen--Qwen2.5-0.5B-Instruct', null);
      expect(props.onClose).toHaveBeenCalled();
      expect(props.notify).toHaveBeenCalledWith('Registered “Qwen/Qwen2.5-0.5B-Instruct”.', 'success');
      expect(props.notify).toHaveBeenCalledTimes(1);
    });

    it('cancels the operation', async () => {
      const client = new FakeClient();
      client.getOperation.mockResolvedValue(makeOperation({ state: 'CANCELED', message: 'Canceled' }));
      const { props } = await startDownload(client);
      await act(async () => {
        fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
      });
      expect(client.cancelOperation).toHaveBeenCalledWith('op-1');
      expect(screen.getByRole('button', { name: 'Canceling…' })).toBeDisabled();
      await act(async () => {
        await jest.advanceTimersByTimeAsync(1000);
      });
      expect(screen.getByText('The registration was canceled.')).toBeInTheDocument();
      expect(screen.queryByRole('progressbar')).not.toBeInTheDocument();
      expect(props.onRegistered).not.toHaveBeenCalled();
    });

    it('shows operation.error when the download fails', async () => {
      const client = new FakeClient();
      client.getOperation.mockResolvedValue(
        makeOperation({ state: 'FAILED', error: '401 Unauthorized: this repository is gated.' })
      );
      const { props } = await startDownload(client);
      await act(async () => {
        await jest.advanceTimersByTimeAsync(1000);
      });
      expect(screen.getByText('401 Unauthorized: this repository is gated.')).toBeInTheDocument();
      expect(props.onClose).not.toHaveBeenCalled();
      expect(screen.getByRole('button', { name: 'Register' })).toBeEnabled();
    });

    it('links a download that OCI refused to the setup check that covers it', async () => {
      const client = new FakeClient();
      client.getOperation.mockResolvedValue(
        makeOperation({
          state: 'FAILED',
          error: 'OCI Object Storage がこの要求を拒否しました (NotAuthorizedOrNotFound)',
          setup_check: 'bucket-objects'
        })
      );
      const open = jest.fn();
      await startDownload(client, {}, open);
      await act(async () => {
        await jest.advanceTimersByTimeAsync(1000);
      });
      expect(screen.getByText(/がこの要求を拒否しました/)).toBeInTheDocument();
      fireEvent.click(screen.getByRole('button', { name: 'Open OCI setup' }));
      expect(open).toHaveBeenCalledWith('bucket-objects');
    });

    it('offers no setup link for a download that failed for another cause', async () => {
      const client = new FakeClient();
      client.getOperation.mockResolvedValue(makeOperation({ state: 'FAILED', error: '디스크가 가득 찼습니다' }));
      await startDownload(client, {}, jest.fn());
      await act(async () => {
        await jest.advanceTimersByTimeAsync(1000);
      });
      expect(screen.getByText('디스크가 가득 찼습니다')).toBeInTheDocument();
      expect(screen.queryByRole('button', { name: 'Open OCI setup' })).not.toBeInTheDocument();
    });

    it('hands a running download to the app when closed', async () => {
      const client = new FakeClient();
      const onBackground = jest.fn();
      const { props } = await startDownload(client, { onBackground });
      fireEvent.click(screen.getByRole('button', { name: 'Continue in background' }));
      expect(onBackground).toHaveBeenCalledWith(expect.objectContaining({ id: 'op-1', state: 'RUNNING' }));
      expect(props.onClose).toHaveBeenCalled();
    });
  });
});
