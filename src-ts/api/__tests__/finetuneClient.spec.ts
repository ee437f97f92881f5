import { AquaClient } from '../client';
import { json, routesCalled, spiedServer } from '../../test-support/serverAnswers';
import { makeDatasetReport, makeFineTune } from '../../test-support/fixtures';

describe('AquaClient fine-tuning routes', () => {
  const server = spiedServer();
  const { settings, base } = server;
  const call = (i: number): [string, RequestInit] => server.makeRequest.mock.calls[i] as [string, RequestInit];

  it('calls each route with its method, encoded ids and query', async () => {
    const client = new AquaClient({ serverSettings: settings });
    server.makeRequest.mockImplementation(async () => json(200, {}));
    await client.getFineTuneDefaults('catalog:Qwen/Qwen 2', { batch_size: 4, max_seq_length: 1024, shape: null });
    await client.listFineTunes();
    await client.getFineTune('ftj-1');
    await client.cancelFineTune('ftj-1');
    await client.getFineTuneLogs('ftj-1', { after: 'c 1' });
    await client.getFineTuneMetrics('ftj-1', { after: 0 });
    await client.getFineTuneMetrics('ftj-1', { after: 12 });
    server.makeRequest.mockImplementation(async () => new Response(null, { status: 204 }));
    await client.deleteFineTune('ftj-1');
    expect(routesCalled(server.makeRequest, base)).toEqual([
      'GET models/catalog%3AQwen%2FQwen%202/finetune-defaults?batch_size=4&max_seq_length=1024',
      'GET finetunes',
      'GET finetunes/ftj-1',
      'POST finetunes/ftj-1/cancel',
      'GET finetunes/ftj-1/logs?after=c+1',
      'GET finetunes/ftj-1/metrics?after=0',
      'GET finetunes/ftj-1/metrics?after=12',
      'DELETE finetunes/ftj-1'
    ]);
  });

  it('posts the job and the preflight as JSON', async () => {
    const client = new AquaClient({ serverSettings: settings });
    server.makeRequest.mockResolvedValueOnce(
      json(202, { finetune: makeFineTune({ id: 'ftj-new' }), preflight: makeDatasetReport() })
    );
    const created = await client.createFineTune({
      model_id: 'm',
      name: 'n',
      dataset_path: 'd.jsonl',
      params: { epochs: 2 }
    });
    expect(created.finetune.id).toBe('ftj-new');
    expect(call(0)[0]).toBe(`${base}finetunes`);
    expect(call(0)[1].method).toBe('POST');
    expect(JSON.parse(call(0)[1].body as string)).toEqual({
      model_id: 'm',
      name: 'n',
      dataset_path: 'd.jsonl',
      params: { epochs: 2 }
    });

    server.makeRequest.mockResolvedValueOnce(json(200, makeDatasetReport()));
    const report = await client.validateDataset({ path: 'd.jsonl', max_seq_length: 512 });
    expect(report.rows).toBe(400);
    expect(call(1)[0]).toBe(`${base}datasets/validate`);
    expect(JSON.parse(call(1)[1].body as string)).toEqual({ path: 'd.jsonl', max_seq_length: 512 });
  });
});
