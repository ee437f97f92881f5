import { AquaClient } from '../client';
import { AquaApiError } from '../errors';
import { json, routesCalled, spiedServer } from '../../test-support/serverAnswers';
import { makeConnection } from '../../test-support/fixtures';

describe('AquaClient connection routes', () => {
  const server = spiedServer();
  const { settings, base } = server;

  const body = (i: number): unknown => JSON.parse((server.makeRequest.mock.calls[i][1] as RequestInit).body as string);

  it('calls each route with its method, encoded id and query', async () => {
    const client = new AquaClient({ serverSettings: settings });
    server.makeRequest.mockImplementation(async () => json(200, {}));
    await client.listConnections();
    await client.getConnection('conn-1');
    await client.listConnectionModels('conn 1');
    await client.exportConnections();
    await client.exportConnections({ ids: 'conn-1,conn-2', include_secrets: true });
    await client.testConnection('conn-1', { model: 'command-r' });
    server.makeRequest.mockImplementation(async () => new Response(null, { status: 204 }));
    await client.deleteConnection('conn-1');
    expect(routesCalled(server.makeRequest, base)).toEqual([
      'GET connections',
      'GET connections/conn-1',
      'GET connections/conn%201/models',
      'GET connections/export',
      'GET connections/export?ids=conn-1%2Cconn-2&include_secrets=true',
      'POST connections/conn-1/test',
      'DELETE connections/conn-1'
    ]);
    expect(body(5)).toEqual({ model: 'command-r' });
  });

  it('creates with POST, updates with PATCH and imports the YAML as JSON', async () => {
    const client = new AquaClient({ serverSettings: settings });
    server.makeRequest.mockImplementation(async () => json(201, makeConnection()));
    await client.createConnection({
      name: '社内 Cohere',
      kind: 'cohere',
      endpoint: 'https://api.cohere.com',
      secret: 'k'
    });
    await client.updateConnection('conn-1', { secret: '' });
    server.makeRequest.mockImplementation(async () => json(201, { created: [] }));
    await client.importConnections({ yaml: 'exportedRestServices: []\n' });
    expect(routesCalled(server.makeRequest, base)).toEqual([
      'POST connections',
      'PATCH connections/conn-1',
      'POST connections/import'
    ]);
    expect(body(0)).toEqual({ name: '社内 Cohere', kind: 'cohere', endpoint: 'https://api.cohere.com', secret: 'k' });
    expect(body(1)).toEqual({ secret: '' });
    expect(body(2)).toEqual({ yaml: 'exportedRestServices: []\n' });
  });

  it('keeps the 400 of a bad import with the entry and key it names', async () => {
    const client = new AquaClient({ serverSettings: settings });
    server.makeRequest.mockResolvedValue(
      json(400, {
        status: 400,
        message: 'exportedRestServices[1].authType: unknown authentication type',
        reason: 'Bad Request',
        fields: [{ field: 'exportedRestServices[1].authType', message: "unknown authentication type 'magic'" }],
        request_id: 'r1'
      })
    );
    const refused = client.importConnections({ yaml: 'x' });
    await expect(refused).rejects.toBeInstanceOf(AquaApiError);
    await expect(refused).rejects.toMatchObject({
      status: 400,
      fields: [{ field: 'exportedRestServices[1].authType', message: "unknown authentication type 'magic'" }]
    });
  });

  it("streams a connection's turn from its own chat route with the model", async () => {
    const client = new AquaClient({ serverSettings: settings });
    server.makeRequest.mockResolvedValue(
      new Response('event: delta\ndata: {"content":"やあ"}\n\nevent: done\ndata: {"total_ms": 5}\n\n', {
        status: 200,
        headers: { 'Content-Type': 'text/event-stream' }
      })
    );
    const events = [];
    for await (const event of client.streamConnectionChat('conn-1', { prompt: 'hi', model: 'gpt-4o' })) {
      events.push(event.type);
    }
    expect(events).toEqual(['delta', 'done']);
    expect(server.makeRequest.mock.calls[0][0]).toBe(`${base}connections/conn-1/chat`);
    expect(body(0)).toEqual({ prompt: 'hi', model: 'gpt-4o' });
  });
});
