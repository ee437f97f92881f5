import { ServerConnection } from '@jupyterlab/services';

import { AquaClient, queryString } from '../client';
import { json, spiedServer } from '../../test-support/serverAnswers';
import { AquaApiError, SERVER_MISSING_MESSAGE } from '../errors';
import { pollOperation } from '../operations';
import { FakeClient, makeInfo, makeOperation } from '../../test-support/fixtures';

describe('AquaClient', () => {
  const server = spiedServer();
  const { settings } = server;

  it('calls <base_url>/aqua-ext/<route> and decodes JSON', async () => {
    server.makeRequest.mockResolvedValue(json(200, makeInfo()));
    const client = new AquaClient({ serverSettings: settings });
    const info = await client.getInfo();
    expect(info.backend.kind).toBe('local');
    expect(server.makeRequest.mock.calls[0][0]).toBe('http://localhost:8888/user/me/aqua-ext/info');
  });

  it('encodes ids and query strings', async () => {
    server.makeRequest.mockResolvedValue(json(200, { items: [], total: 0 }));
    const client = new AquaClient({ serverSettings: settings });
    await client.listModels({ refresh: true, q: 'llama 3', source: null });
    expect(server.makeRequest.mock.calls[0][0]).toBe(
      'http://localhost:8888/user/me/aqua-ext/models?refresh=true&q=llama+3'
    );
    server.makeRequest.mockResolvedValue(json(200, {}));
    await client.getModelFit('reg:my model@1', { dtype: 'int4', context_length: 8192 });
    expect(server.makeRequest.mock.calls[1][0]).toBe(
      'http://localhost:8888/user/me/aqua-ext/models/reg%3Amy%20model%401/fit?dtype=int4&context_length=8192'
    );
  });

  it('posts the register body as JSON and deletes with DELETE', async () => {
    server.makeRequest.mockResolvedValue(json(202, { operation: makeOperation(), model: null }));
    const client = new AquaClient({ serverSettings: settings });
    await client.registerModel({ source: 'huggingface', hf_id: 'org/model' });
    const init = server.makeRequest.mock.calls[0][1] as RequestInit;
    expect(init.method).toBe('POST');
    expect(JSON.parse(init.body as string)).toEqual({ source: 'huggingface', hf_id: 'org/model' });

    server.makeRequest.mockResolvedValue(new Response(null, { status: 204 }));
    await expect(client.deleteModel('reg:x')).resolves.toBeUndefined();
    expect((server.makeRequest.mock.calls[1][1] as RequestInit).method).toBe('DELETE');

    server.makeRequest.mockResolvedValue(json(200, makeOperation({ state: 'CANCELING' })));
    const op = await client.cancelOperation('op-1');
    expect(op.state).toBe('CANCELING');
    expect(server.makeRequest.mock.calls[2][0]).toBe('http://localhost:8888/user/me/aqua-ext/operations/op-1');
  });

  it('posts a deploy request for its Terraform to deployments/terraform', async () => {
    server.makeRequest.mockResolvedValue(
      json(200, {
        file_name: 'chat.tf',
        hcl: 'resource "x" "y" {}\n',
        cli: 'aqua-ext deployments create x --name=y',
        python: 'import oci\n'
      })
    );
    const client = new AquaClient({ serverSettings: settings });
    const answer = await client.exportDeploymentTerraform({ model_id: 'ocid1.datasciencemodel.oc1..m', name: 'chat' });
    expect(answer.file_name).toBe('chat.tf');
    expect(server.makeRequest.mock.calls[0][0]).toBe('http://localhost:8888/user/me/aqua-ext/deployments/terraform');
    const init = server.makeRequest.mock.calls[0][1] as RequestInit;
    expect(init.method).toBe('POST');
    expect(JSON.parse(init.body as string)).toEqual({ model_id: 'ocid1.datasciencemodel.oc1..m', name: 'chat' });
  });

  it('maps the JSON error shape to AquaApiError', async () => {
    server.makeRequest.mockResolvedValue(
      json(
        400,
        {
          status: 400,
          message: 'hf_id: must look like organization/model-name',
          reason: 'Bad Request',
          fields: [{ field: 'body.hf_id', message: 'must look like organization/model-name' }],
          request_id: 'req-123'
        },
        'Bad Request'
      )
    );
    const client = new AquaClient({ serverSettings: settings });
    const error = await client.registerModel({ source: 'huggingface', hf_id: 'nope' }).catch(e => e);
    expect(error).toBeInstanceOf(AquaApiError);
    expect(error).toMatchObject({
      status: 400,
      reason: 'Bad Request',
      message: 'hf_id: must look like organization/model-name',
      requestId: 'req-123',
      kind: 'api'
    });
    expect(error.fields).toEqual([{ field: 'body.hf_id', message: 'must look like organization/model-name' }]);
  });

  it('keeps a 404 from our API (unknown id) as an API error', async () => {
    server.makeRequest.mockResolvedValue(
      json(404, { status: 404, message: "No model with id 'x'.", reason: 'Not Found', request_id: 'r' })
    );
    const client = new AquaClient({ serverSettings: settings });
    const error: AquaApiError = await client.getModel('x').catch(e => e);
    expect(error.serverMissing).toBe(false);
    expect(error.message).toBe("No model with id 'x'.");
  });

  it('explains a missing server extension on an HTML 404', async () => {
    server.makeRequest.mockResolvedValue(new Response('<html><body>404: Not Found</body></html>', { status: 404 }));
    const client = new AquaClient({ serverSettings: settings });
    const error: AquaApiError = await client.getInfo().catch(e => e);
    expect(error.serverMissing).toBe(true);
    expect(error.message).toBe(SERVER_MISSING_MESSAGE);
    expect(error.message).toContain('jupyter server extension list');
  });

  it('explains a missing server extension on a network failure', async () => {
    server.makeRequest.mockRejectedValue(new ServerConnection.NetworkError(new TypeError('Failed to fetch')));
    const client = new AquaClient({ serverSettings: settings });
    const error: AquaApiError = await client.listModels().catch(e => e);
    expect(error).toBeInstanceOf(AquaApiError);
    expect(error.status).toBe(0);
    expect(error.serverMissing).toBe(true);
  });

  it('never surfaces an HTML page as the message', async () => {
    server.makeRequest.mockResolvedValue(
      new Response('<html>Bad gateway</html>', { status: 502, statusText: 'Bad Gateway' })
    );
    const client = new AquaClient({ serverSettings: settings });
    const error: AquaApiError = await client.listModels().catch(e => e);
    expect(error.message).toBe('The server answered 502 Bad Gateway.');
    expect(error.kind).toBe('http');
  });
});

describe('queryString', () => {
  it('skips null, undefined and empty values', () => {
    expect(queryString({})).toBe('');
    expect(queryString({ a: null, b: undefined, c: '', d: 0, e: false })).toBe('?d=0&e=false');
  });
});

describe('pollOperation', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('polls until a terminal state and reports every update', async () => {
    const client = new FakeClient();
    client.getOperation
      .mockResolvedValueOnce(makeOperation({ progress: 0.5 }))
      .mockResolvedValueOnce(makeOperation({ state: 'SUCCEEDED', progress: 1 }));
    const updates: number[] = [];
    const done = pollOperation(client, makeOperation(), {
      intervalMs: 1000,
      onUpdate: op => updates.push(op.progress ?? -1)
    });
    await jest.advanceTimersByTimeAsync(1000);
    await jest.advanceTimersByTimeAsync(1000);
    const last = await done;
    expect(last.state).toBe('SUCCEEDED');
    expect(updates).toEqual([0.5, 1]);
    expect(client.getOperation).toHaveBeenCalledTimes(2);
  });

  it('stops when aborted', async () => {
    const client = new FakeClient();
    const controller = new AbortController();
    const done = pollOperation(client, makeOperation(), { intervalMs: 1000, signal: controller.signal });
    controller.abort();
    const last = await done;
    expect(last.state).toBe('RUNNING');
    expect(client.getOperation).not.toHaveBeenCalled();
  });
});

describe('requestAPI', () => {
  it('does not let ServerConnection append a cache-busting query parameter', async () => {
    const fetchSpy = jest.fn(async () => new Response(JSON.stringify({ items: [] }), { status: 200 }));
    const settings = ServerConnection.makeSettings({
      baseUrl: 'http://localhost:8888/',
      fetch: fetchSpy as unknown as typeof fetch
    });
    await new AquaClient({ serverSettings: settings }).listOperations();
    const request = (fetchSpy.mock.calls[0] as unknown[])[0] as Request;
    expect(request.url).toBe('http://localhost:8888/aqua-ext/operations');
  });
});
