import { fireEvent, screen, waitFor, within } from '@testing-library/react';

import { apiError } from '../../../test-support/errors';
import { EvaluationDialog, type IEvaluationDialogProps } from '../EvaluationDialog';
import { FakeClient, LOCAL_TARGET, makeConnection, makeInfo, ociTarget } from '../../../test-support/fixtures';
import { errorOf, renderDialog, settle } from '../../../test-support/dialogs';
import { instructionReport } from './evaluationFixtures';

/** Services named in Korean and Japanese; one embeds only (it has no answers to score). */
function connectionsClient(): FakeClient {
  const client = new FakeClient();
  client.connections = [
    makeConnection({
      id: 'conn-1',
      name: '사내 GPT 서비스',
      models: ['gpt-4o-mini', 'gpt-4o'],
      default_model: 'gpt-4o-mini'
    }),
    makeConnection({
      id: 'conn-2',
      name: '日本語チャット',
      kind: 'cohere',
      models: ['command-r', 'command-r-plus'],
      default_model: null
    }),
    makeConnection({
      id: 'conn-3',
      name: '埋め込み専用',
      capabilities: ['embedding'],
      actions: ['edit', 'delete', 'test', 'export']
    })
  ];
  client.validateDataset.mockResolvedValue(instructionReport('datasets/고객문의.jsonl'));
  return client;
}

function setup(overrides: Partial<IEvaluationDialogProps> = {}, client = connectionsClient()) {
  return renderDialog(EvaluationDialog, client, { debounceMs: 0, ...overrides });
}

describe('EvaluationDialog: evaluating a connection', () => {
  it('asks a chosen connection and its model: the request names the connection, not a deployment', async () => {
    const { props, client } = setup({ deploymentId: 'dep-1', datasetPath: 'datasets/고객문의.jsonl' });
    await settle();
    expect(screen.getByRole('radio', { name: /A deployment/ })).toBeChecked();
    fireEvent.click(screen.getByRole('radio', { name: /A connection/ }));
    await settle();
    expect(screen.queryByLabelText('Deployment')).not.toBeInTheDocument();
    const picker = screen.getByLabelText('Connection') as HTMLSelectElement;
    // Only the services that answer text are offered.
    expect(within(picker).getByRole('option', { name: '사내 GPT 서비스' })).toBeInTheDocument();
    expect(within(picker).queryByRole('option', { name: '埋め込み専用' })).not.toBeInTheDocument();
    fireEvent.change(picker, { target: { value: 'conn-2' } });
    await settle();
    // No default model: the first one is chosen; the user picks the other.
    const model = screen.getByLabelText('Model') as HTMLSelectElement;
    expect(model.value).toBe('command-r');
    fireEvent.change(model, { target: { value: 'command-r-plus' } });
    expect((screen.getByLabelText('Name') as HTMLInputElement).value).toBe(
      '日本語チャット · command-r-plus · 고객문의'
    );
    fireEvent.click(screen.getByRole('button', { name: 'Start evaluation' }));
    await waitFor(() => expect(props.onCreated).toHaveBeenCalled());
    const sent = client.createEvaluation.mock.calls[0][0];
    expect(sent).toMatchObject({
      connection_id: 'conn-2',
      connection_model: 'command-r-plus',
      name: '日本語チャット · command-r-plus · 고객문의',
      dataset_path: 'datasets/고객문의.jsonl'
    });
    expect(sent).not.toHaveProperty('deployment_id');
    expect(sent.target).toBeUndefined();
    expect(props.notify).toHaveBeenCalledWith(expect.stringContaining('“日本語チャット”'), 'info');
  });

  it('opens with a connection chosen (its row’s Evaluate), on the local target, without the OCI fields', async () => {
    const { props, client } = setup({
      connectionId: 'conn-1',
      datasetPath: 'datasets/고객문의.jsonl',
      backendKind: 'oci',
      info: makeInfo({ targets: [LOCAL_TARGET, ociTarget()] })
    });
    await settle();
    expect(screen.getByRole('dialog', { name: 'New evaluation' })).toHaveTextContent('Evaluate “사내 GPT 서비스”');
    expect(screen.getByRole('radio', { name: /A connection/ })).toBeChecked();
    expect((screen.getByLabelText('Connection') as HTMLSelectElement).value).toBe('conn-1');
    expect((screen.getByLabelText('Model') as HTMLSelectElement).value).toBe('gpt-4o-mini');
    // A connection runs locally: no target to choose, no report location or job shape.
    expect(screen.queryByLabelText('Target')).not.toBeInTheDocument();
    expect(screen.queryByLabelText('Report location')).not.toBeInTheDocument();
    fireEvent.click(screen.getByText('Advanced options'));
    expect(screen.queryByLabelText('Shape (optional)')).not.toBeInTheDocument();

    // The server's refusal naming connection_id lands under the connection.
    client.createEvaluation.mockRejectedValueOnce(
      apiError(400, 'Invalid input', {
        fields: [{ field: 'connection_id', message: 'evaluating a connection runs on the local target' }]
      })
    );
    fireEvent.click(screen.getByRole('button', { name: 'Start evaluation' }));
    await waitFor(() =>
      expect(errorOf(screen.getByLabelText('Connection'))).toHaveTextContent(
        'evaluating a connection runs on the local target'
      )
    );
    expect(client.createEvaluation.mock.calls[0][0]).toMatchObject({
      connection_id: 'conn-1',
      connection_model: 'gpt-4o-mini',
      target: 'local'
    });
    expect(client.createEvaluation.mock.calls[0][0]).not.toHaveProperty('report_uri');
    expect(client.createEvaluation.mock.calls[0][0]).not.toHaveProperty('deployment_id');
    expect(props.onCreated).not.toHaveBeenCalled();
  });

  it('says why no connection can be evaluated when only OCI is enabled', async () => {
    setup({
      deploymentId: 'dep-1',
      backendKind: 'oci',
      info: makeInfo({ backend: ociTarget(), targets: [ociTarget()] })
    });
    await settle();
    const choice = screen.getByRole('radio', { name: /A connection/ });
    expect(choice).toBeDisabled();
    expect(
      screen.getByText('Evaluating a connection runs on the local target, which is not enabled here.')
    ).toBeInTheDocument();
  });

  it('disables the choice when no connection answers chat or completions', async () => {
    const client = connectionsClient();
    client.connections = client.connections.filter(item => item.id === 'conn-3');
    setup({ deploymentId: 'dep-1' }, client);
    await settle();
    expect(screen.getByRole('radio', { name: /A connection/ })).toBeDisabled();
    expect(screen.getByText('No connection answers chat or completions: add one in Connections.')).toBeInTheDocument();
  });
});
