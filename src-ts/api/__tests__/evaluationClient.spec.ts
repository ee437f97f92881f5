import { AquaClient } from '../client';
import { json, routesCalled, spiedServer } from '../../test-support/serverAnswers';

describe('AquaClient evaluation routes', () => {
  const server = spiedServer({ token: 'secret-token' });
  const { settings, base } = server;

  it('calls each route with its method, encoded ids and query', async () => {
    const client = new AquaClient({ serverSettings: settings });
    server.makeRequest.mockImplementation(async () => json(200, {}));
    await client.listEvaluations();
    await client.createEvaluation({ deployment_id: 'dep-1', name: 'n', dataset_path: 'd.jsonl' });
    await client.getEvaluation('evj-1');
    await client.cancelEvaluation('evj-1');
    await client.getEvaluationRows('evj-1', {
      offset: 100,
      limit: 100,
      sort: 'rougeL',
      descending: true,
      category: 'a b'
    });
    await client.getEvaluationLogs('evj-1', { after: 'c1' });
    await client.compareEvaluations(['evj-1', 'evj-2']);
    server.makeRequest.mockImplementation(async () => new Response(null, { status: 204 }));
    await client.deleteEvaluation('evj-1');
    expect(routesCalled(server.makeRequest, base)).toEqual([
      'GET evaluations',
      'POST evaluations',
      'GET evaluations/evj-1',
      'POST evaluations/evj-1/cancel',
      'GET evaluations/evj-1/rows?offset=100&limit=100&sort=rougeL&descending=true&category=a+b',
      'GET evaluations/evj-1/logs?after=c1',
      'GET compare/evaluations?ids=evj-1%2Cevj-2',
      'DELETE evaluations/evj-1'
    ]);
    expect(JSON.parse(String((server.makeRequest.mock.calls[1][1] as RequestInit).body))).toEqual({
      deployment_id: 'dep-1',
      name: 'n',
      dataset_path: 'd.jsonl'
    });
  });

  it('gives the report’s download URL under the base URL, without the token', () => {
    const client = new AquaClient({ serverSettings: settings });
    const url = client.evaluationReportUrl('evj/1');
    expect(url).toBe(`${base}evaluations/evj%2F1/report.html`);
    expect(url).not.toContain('secret-token');
    expect(server.makeRequest).not.toHaveBeenCalled();
  });
});
