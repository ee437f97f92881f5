import { fireEvent, screen, waitFor, within } from '@testing-library/react';

import { apiError } from '../../../test-support/errors';
import { ConnectionsSection, type IConnectionsSectionProps } from '../ConnectionsSection';
import { FakeClient, makeConnection } from '../../../test-support/fixtures';
import { renderTable, rowNamed } from '../../../test-support/sections';

function setup(overrides: Partial<IConnectionsSectionProps> = {}, client = new FakeClient()) {
  return renderTable(ConnectionsSection, { onOpenPlayground: jest.fn(), download: jest.fn(), ...overrides }, client);
}

describe('ConnectionsSection', () => {
  it('lists each service with its kind, endpoint, models, key, streaming and last test', async () => {
    const client = new FakeClient();
    client.connections = [
      makeConnection(),
      makeConnection({
        id: 'conn-2',
        name: 'Cohere 生成',
        kind: 'cohere',
        endpoint: 'https://api.cohere.com',
        models: ['command-r'],
        default_model: null,
        secret_set: false,
        streaming: false,
        last_test: {
          ok: false,
          status_code: 400,
          latency_ms: 95,
          message: 'Context length exceeded: the prompt is too long for command-r',
          tested_at: '2026-12-05T08:00:00Z'
        }
      })
    ];
    setup({}, client);
    const gpt = await rowNamed('사내 GPT 서비스');
    expect(within(gpt).getByText('OpenAI-compatible')).toBeInTheDocument();
    expect(within(gpt).getByText('https://api.openai.com/v1')).toBeInTheDocument();
    expect(within(gpt).getByText('gpt-4o-mini, gpt-4o')).toBeInTheDocument();
    expect(gpt.querySelector('[data-column="key"]')).toHaveTextContent('key set');
    expect(gpt.querySelector('[data-column="streaming"]')).toHaveTextContent('streaming');
    expect(gpt.querySelector('[data-column="last-test"]')).toHaveTextContent('Not tested');

    const cohere = await rowNamed('Cohere 生成');
    expect(cohere.querySelector('[data-column="key"]')).toHaveTextContent('no key');
    expect(cohere.querySelector('[data-column="streaming"]')).toHaveTextContent('whole (no streaming)');
    expect(cohere.querySelector('[data-column="last-test"]')).toHaveTextContent(/Failed · 400 · 95 ms/);
    expect(cohere.querySelector('[data-column="last-test"]')).toHaveAttribute(
      'title',
      'Context length exceeded: the prompt is too long for command-r'
    );
    expect(screen.getByText('2 connections')).toBeInTheDocument();
  });

  it("renders a row's buttons from its actions only", async () => {
    const client = new FakeClient();
    client.connections = [
      makeConnection(),
      makeConnection({ id: 'conn-ro', name: '読み取り専用', actions: ['test'] }),
      makeConnection({ id: 'conn-none', name: '操作なし', actions: [] })
    ];
    setup({}, client);
    const all = await rowNamed('사내 GPT 서비스');
    expect(
      within(all)
        .getAllByRole('button')
        .map(button => button.getAttribute('data-action'))
    ).toEqual(['test', 'chat', 'edit', 'export', 'delete']);
    const readOnly = await rowNamed('読み取り専用');
    expect(
      within(readOnly)
        .getAllByRole('button')
        .map(button => button.textContent)
    ).toEqual(['Test']);
    expect(within(await rowNamed('操作なし')).queryAllByRole('button')).toHaveLength(0);
  });

  it('offers Chat only where the app can open a playground', async () => {
    setup({ onOpenPlayground: undefined });
    const gpt = await rowNamed('사내 GPT 서비스');
    expect(within(gpt).queryByRole('button', { name: /^Chat/ })).not.toBeInTheDocument();
  });

  it('opens the playground with the connection', async () => {
    const { props } = setup();
    fireEvent.click(within(await rowNamed('사내 GPT 서비스')).getByRole('button', { name: 'Chat: 사내 GPT 서비스' }));
    expect(props.onOpenPlayground).toHaveBeenCalledWith('conn-1');
  });

  it('deletes after a confirmation, and not without one', async () => {
    const confirm = jest.fn(async () => false);
    const { client, props } = setup({ confirm });
    const button = within(await rowNamed('사내 GPT 서비스')).getByRole('button', { name: 'Delete: 사내 GPT 서비스' });
    fireEvent.click(button);
    await waitFor(() => expect(confirm).toHaveBeenCalled());
    expect(client.deleteConnection).not.toHaveBeenCalled();
    confirm.mockResolvedValue(true);
    fireEvent.click(button);
    await waitFor(() => expect(client.deleteConnection).toHaveBeenCalledWith('conn-1'));
    await waitFor(() => expect(props.notify).toHaveBeenCalledWith('“사내 GPT 서비스” was deleted.', 'success'));
    expect(client.listConnections).toHaveBeenCalledTimes(2);
  });

  it('never pre-fills the secret: an edit shows only that one is set, with Replace and Remove', async () => {
    const { client } = setup();
    fireEvent.click(within(await rowNamed('사내 GPT 서비스')).getByRole('button', { name: 'Edit: 사내 GPT 서비스' }));
    const dialog = await screen.findByRole('dialog', { name: 'Edit connection' });
    expect(client.getConnection).toHaveBeenCalledWith('conn-1');
    expect(within(dialog).getByText('Token: set')).toBeInTheDocument();
    expect(dialog.querySelector('input[type="password"]')).toBeNull();

    fireEvent.click(within(dialog).getByRole('button', { name: 'Replace' }));
    const password = dialog.querySelector<HTMLInputElement>('input[type="password"]');
    expect(password).not.toBeNull();
    expect(password?.value).toBe('');
    expect(password).toHaveAttribute('autocomplete', 'new-password');
    fireEvent.change(password as HTMLInputElement, { target: { value: 'sk-live-2f9a' } });
    // Typed, it is the input's value, and nowhere in the page's HTML (React would mirror it into `value=`).
    expect(password?.value).toBe('sk-live-2f9a');
    expect(document.body.innerHTML).not.toContain('sk-live-2f9a');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() =>
      expect(client.updateConnection).toHaveBeenCalledWith(
        'conn-1',
        expect.objectContaining({ secret: 'sk-live-2f9a' })
      )
    );
  });

  it("fills an edit's models from the service's list, or says why it cannot", async () => {
    const client = new FakeClient();
    client.listConnectionModels
      .mockResolvedValueOnce({ models: ['command-r', 'command-r-plus'], source: 'service', message: '' })
      .mockResolvedValueOnce({
        models: ['x'],
        source: 'configured',
        message: 'このサービスはモデル一覧を返しません。'
      });
    setup({}, client);
    fireEvent.click(within(await rowNamed('사내 GPT 서비스')).getByRole('button', { name: 'Edit: 사내 GPT 서비스' }));
    const dialog = await screen.findByRole('dialog', { name: 'Edit connection' });
    const models = within(dialog).getByLabelText('Models (one per line)');
    expect(models).toHaveValue('gpt-4o-mini\ngpt-4o');
    fireEvent.click(within(dialog).getByRole('button', { name: 'List from the service' }));
    await waitFor(() => expect(models).toHaveValue('command-r\ncommand-r-plus'));
    expect(within(dialog).getByText('2 models listed by the service.')).toBeInTheDocument();
    fireEvent.click(within(dialog).getByRole('button', { name: 'List from the service' }));
    expect(await within(dialog).findByText('このサービスはモデル一覧を返しません。')).toBeInTheDocument();
    expect(models).toHaveValue('command-r\ncommand-r-plus');
  });

  it('removes the secret on save after Remove, and keeps it untouched otherwise', async () => {
    const { client } = setup();
    fireEvent.click(within(await rowNamed('사내 GPT 서비스')).getByRole('button', { name: 'Edit: 사내 GPT 서비스' }));
    let dialog = await screen.findByRole('dialog', { name: 'Edit connection' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Remove' }));
    expect(within(dialog).getByText('The Token will be removed when you save.')).toBeInTheDocument();
    client.updateConnection.mockRejectedValueOnce(
      apiError(400, 'secret: auth_type bearer needs a token', {
        fields: [{ field: 'secret', message: 'auth_type bearer needs a token' }]
      })
    );
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    // Refused: the message shows where the secret is, though no input is there.
    expect(await within(dialog).findByText('auth_type bearer needs a token')).toBeInTheDocument();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(client.updateConnection).toHaveBeenCalledTimes(2));
    expect(client.updateConnection.mock.calls[0][1].secret).toBe('');
    expect(client.updateConnection.mock.calls[1][1].secret).toBe('');

    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    fireEvent.click(within(await rowNamed('사내 GPT 서비스')).getByRole('button', { name: 'Edit: 사내 GPT 서비스' }));
    dialog = await screen.findByRole('dialog', { name: 'Edit connection' });
    fireEvent.change(within(dialog).getByLabelText('Name'), { target: { value: 'GPT 本番' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(client.updateConnection).toHaveBeenCalledTimes(3));
    expect(client.updateConnection.mock.calls[2][1]).not.toHaveProperty('secret');
    expect(client.updateConnection.mock.calls[2][1].name).toBe('GPT 本番');
  });

  it('creates a connection with the fields of its kind, and places a 400 under the field it names', async () => {
    const client = new FakeClient();
    setup({}, client);
    fireEvent.click(await screen.findByRole('button', { name: 'New connection' }));
    const dialog = await screen.findByRole('dialog', { name: 'New connection' });
    fireEvent.change(within(dialog).getByLabelText('Kind'), { target: { value: 'oci_genai' } });
    expect(within(dialog).getByLabelText('Compartment OCID')).toBeInTheDocument();
    expect(within(dialog).getByLabelText('Serving mode')).toBeInTheDocument();
    expect(within(dialog).queryByLabelText('API version')).not.toBeInTheDocument();
    // OCI signs with the server's credentials: no secret to type.
    expect(dialog.querySelector('input[type="password"]')).toBeNull();

    fireEvent.change(within(dialog).getByLabelText('Kind'), { target: { value: 'azure_openai' } });
    expect(within(dialog).getByLabelText('API version')).toHaveValue('2024-06-01');
    expect(within(dialog).getByLabelText('Deployments (one per line)')).toBeInTheDocument();
    expect(within(dialog).getByLabelText('Header name')).toHaveValue('api-key');
    expect(within(dialog).getByLabelText('API key')).toHaveValue('');

    fireEvent.change(within(dialog).getByLabelText('Kind'), { target: { value: 'rest' } });
    expect(within(dialog).getByLabelText('Request template (JSON)')).toBeInTheDocument();
    expect(within(dialog).getByLabelText('Response path')).toBeInTheDocument();

    client.createConnection.mockRejectedValueOnce(
      apiError(400, 'methods: a REST connection needs a method with its request template', {
        fields: [{ field: 'methods', message: 'a REST connection needs a method with its request template' }]
      })
    );
    fireEvent.change(within(dialog).getByLabelText('Name'), { target: { value: 'メタデータ' } });
    fireEvent.change(within(dialog).getByLabelText('URL'), { target: { value: 'https://llm.example.com/generate' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create' }));
    // The template is the input for `methods`.
    await waitFor(() =>
      expect(within(dialog).getByLabelText('Request template (JSON)')).toHaveAttribute('aria-invalid', 'true')
    );
    // Editing the input clears the error placed under it.
    fireEvent.change(within(dialog).getByLabelText('Request template (JSON)'), { target: { value: '{"p": 1}' } });
    expect(within(dialog).getByLabelText('Request template (JSON)')).not.toHaveAttribute('aria-invalid', 'true');

    client.createConnection.mockRejectedValueOnce(
      apiError(400, 'endpoint: a link-local address is refused', {
        fields: [{ field: 'body.endpoint', message: 'a link-local address (169.254.169.254) is refused' }]
      })
    );
    fireEvent.change(within(dialog).getByLabelText('URL'), { target: { value: 'http://169.254.169.254/x' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create' }));
    await waitFor(() => expect(client.createConnection).toHaveBeenCalledTimes(2));
    const endpoint = within(dialog).getByLabelText('URL');
    await waitFor(() => expect(endpoint).toHaveAttribute('aria-invalid', 'true'));
    expect(within(dialog).getByText('a link-local address (169.254.169.254) is refused')).toBeInTheDocument();
  });

  it('shows a test request: status, latency, answer and the raw response, collapsed', async () => {
    const { client } = setup();
    fireEvent.click(within(await rowNamed('사내 GPT 서비스')).getByRole('button', { name: 'Test: 사내 GPT 서비스' }));
    const dialog = await screen.findByRole('dialog', { name: 'Test request' });
    await waitFor(() => expect(client.listConnectionModels).toHaveBeenCalledWith('conn-1'));
    fireEvent.change(within(dialog).getByLabelText('Model'), { target: { value: 'gpt-4o' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Send test request' }));
    const result = await within(dialog).findByRole('region', { name: 'Test result' });
    expect(client.testConnection).toHaveBeenCalledWith('conn-1', { model: 'gpt-4o', prompt: null });
    expect(within(result).getByTestId('test-status')).toHaveTextContent('200 · OK');
    expect(within(result).getByTestId('test-latency')).toHaveTextContent('312 ms');
    expect(within(result).getByTestId('test-answer')).toHaveTextContent('안녕하세요! 무엇을 도와드릴까요?');
    const raw = result.querySelector('details') as HTMLDetailsElement;
    expect(raw.open).toBe(false);
    expect(raw).toHaveTextContent('"choices"');
    // The list's "last test" is reloaded.
    await waitFor(() => expect(client.listConnections).toHaveBeenCalledTimes(2));
  });

  it("shows a failed test's mapped error", async () => {
    const client = new FakeClient();
    client.testConnection.mockResolvedValueOnce({
      ok: false,
      status_code: 400,
      latency_ms: 88,
      answer: null,
      response: '{"error":{"code":"context_length_exceeded","message":"This model\'s maximum context length is 8192"}}',
      error_kind: 'context_length_exceeded',
      message: 'The prompt is longer than the model takes (8192 tokens).'
    });
    setup({}, client);
    fireEvent.click(within(await rowNamed('사내 GPT 서비스')).getByRole('button', { name: 'Test: 사내 GPT 서비스' }));
    const dialog = await screen.findByRole('dialog', { name: 'Test request' });
    fireEvent.change(within(dialog).getByLabelText('Prompt (optional)'), { target: { value: '長い文章…' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Send test request' }));
    const result = await within(dialog).findByRole('region', { name: 'Test result' });
    expect(within(result).getByTestId('test-status')).toHaveTextContent('400 · Failed');
    const error = within(result).getByRole('alert');
    expect(error).toHaveTextContent('Context length exceeded');
    expect(error).toHaveTextContent('The prompt is longer than the model takes (8192 tokens).');
    expect(within(result).queryByTestId('test-answer')).not.toBeInTheDocument();
    expect(client.testConnection).toHaveBeenCalledWith('conn-1', { model: 'gpt-4o-mini', prompt: '長い文章…' });
  });

  it('imports pasted YAML and lists the services it created', async () => {
    const { client } = setup();
    fireEvent.click(await screen.findByRole('button', { name: 'Import YAML' }));
    const dialog = await screen.findByRole('dialog', { name: 'Import services (YAML)' });
    const yaml = 'exportedRestServices:\n- name: Cohere 生成\n  authType: bearer\n';
    fireEvent.change(within(dialog).getByLabelText('YAML (or paste it here)'), { target: { value: yaml } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Import' }));
    const created = await within(dialog).findByRole('list', { name: 'Created services' });
    expect(client.importConnections).toHaveBeenCalledWith({ yaml });
    expect(
      within(created)
        .getAllByRole('listitem')
        .map(item => item.textContent)
    ).toEqual(['Cohere 生成 (Cohere)', 'Cohere チャット (Cohere)', 'Llama 라마 (OCI Generative AI)']);
    expect(within(dialog).getByText('3 services were created:')).toBeInTheDocument();
  });

  it('reads an imported file picked from disk', async () => {
    setup();
    fireEvent.click(await screen.findByRole('button', { name: 'Import YAML' }));
    const dialog = await screen.findByRole('dialog', { name: 'Import services (YAML)' });
    const file = new File(['exportedRestServices: []\n'], 'llm-services.yaml', { type: 'text/yaml' });
    // jsdom's File has no text(): the browser's does.
    Object.defineProperty(file, 'text', { value: async () => 'exportedRestServices: []\n' });
    fireEvent.change(within(dialog).getByLabelText('File'), { target: { files: [file] } });
    await waitFor(() =>
      expect(within(dialog).getByLabelText('YAML (or paste it here)')).toHaveValue('exportedRestServices: []\n')
    );
    expect(within(dialog).getByText('llm-services.yaml')).toBeInTheDocument();
  });

  it('shows the entry and key a refused import names', async () => {
    const client = new FakeClient();
    client.importConnections.mockRejectedValueOnce(
      apiError(400, "exportedRestServices[2].authType: unknown authentication type 'magic'", {
        fields: [{ field: 'exportedRestServices[2].authType', message: "unknown authentication type 'magic'" }]
      })
    );
    setup({}, client);
    fireEvent.click(await screen.findByRole('button', { name: 'Import YAML' }));
    const dialog = await screen.findByRole('dialog', { name: 'Import services (YAML)' });
    fireEvent.change(within(dialog).getByLabelText('YAML (or paste it here)'), { target: { value: 'bad: [' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Import' }));
    const alerts = await within(dialog).findAllByRole('alert');
    expect(alerts[0]).toHaveTextContent("exportedRestServices[2].authType: unknown authentication type 'magic'");
    expect(within(dialog).queryByRole('list', { name: 'Created services' })).not.toBeInTheDocument();
  });

  it('exports YAML without secrets by default, and warns before including them', async () => {
    const { client, props } = setup();
    fireEvent.click(await screen.findByRole('button', { name: 'Export YAML' }));
    let dialog = await screen.findByRole('dialog', { name: 'Export YAML' });
    const include = within(dialog).getByRole('checkbox', { name: 'Include secrets' });
    expect(include).not.toBeChecked();
    expect(within(dialog).queryByRole('alert')).not.toBeInTheDocument();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Download' }));
    await waitFor(() =>
      expect(props.download).toHaveBeenCalledWith(
        'llm-services.yaml',
        'exportedRestServices:\n- name: 사내 GPT 서비스\n'
      )
    );
    expect(client.exportConnections).toHaveBeenCalledWith({ ids: '', include_secrets: false });

    fireEvent.click(within(await rowNamed('사내 GPT 서비스')).getByRole('button', { name: 'Export: 사내 GPT 서비스' }));
    dialog = await screen.findByRole('dialog', { name: 'Export YAML' });
    fireEvent.click(within(dialog).getByRole('checkbox', { name: 'Include secrets' }));
    expect(within(dialog).getByRole('alert')).toHaveTextContent('plain text');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Download' }));
    await waitFor(() =>
      expect(client.exportConnections).toHaveBeenLastCalledWith({ ids: 'conn-1', include_secrets: true })
    );
  });

  it('says so when there are none yet', async () => {
    const client = new FakeClient();
    client.connections = [];
    setup({}, client);
    expect(await screen.findByText('No connections yet')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Export YAML' })).toBeDisabled();
  });
});
