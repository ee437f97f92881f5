import { deploymentSubjects, parseTargetKey, streamTurn, targetKey } from '../chatTarget';
import { FakeClient, makeDeployment } from '../../test-support/fixtures';

const adapters = [
  { name: 'ko', model_id: 'ft:ftj-1', model_name: '한국어 답변', rank: 8 },
  { name: 'ja', model_id: 'ft:ftj-2', model_name: '日本語の回答', rank: 16 }
];

describe('chat targets with adapters', () => {
  it('keys a deployment, one of its adapters, and a connection, and reads them back', () => {
    expect(targetKey({ kind: 'deployment', id: 'dep-1' })).toBe('dep-1');
    const key = targetKey({ kind: 'deployment', id: 'dep-1', adapter: 'ko' });
    expect(key).toBe('dep-1::adapter:ko');
    expect(parseTargetKey(key)).toEqual({ kind: 'deployment', id: 'dep-1', adapter: 'ko' });
    expect(parseTargetKey('dep-1')).toEqual({ kind: 'deployment', id: 'dep-1', adapter: null });
    expect(parseTargetKey('connection:conn-1')).toEqual({ kind: 'connection', id: 'conn-1', adapter: null });
    // An OCID has dots and no separator: it stays whole.
    const ocid = 'ocid1.datasciencemodeldeployment.oc1.iad.abc';
    expect(parseTargetKey(targetKey({ kind: 'deployment', id: ocid, adapter: 'ja' }))).toEqual({
      kind: 'deployment',
      id: ocid,
      adapter: 'ja'
    });
  });

  it('lists a deployment as its base, then "deployment · adapter" entries', () => {
    const deployment = makeDeployment({ name: '고객 지원', adapters });
    expect(deploymentSubjects(deployment)).toEqual([
      { key: 'dep-1', label: '고객 지원', adapter: null },
      { key: 'dep-1::adapter:ko', label: '고객 지원 · ko', adapter: 'ko' },
      { key: 'dep-1::adapter:ja', label: '고객 지원 · ja', adapter: 'ja' }
    ]);
    expect(deploymentSubjects(makeDeployment())).toHaveLength(1);
  });

  it('names the adapter in the turn it streams, and none for the base', async () => {
    const client = new FakeClient();
    const body = { messages: [{ role: 'user' as const, content: '안녕하세요' }] };
    const drain = async (events: AsyncIterable<unknown>): Promise<number> => {
      let count = 0;
      for await (const event of events) {
        count += event ? 1 : 0;
      }
      return count;
    };
    await drain(streamTurn(client, { kind: 'deployment', id: 'dep-1', adapter: 'ko' }, body));
    await drain(streamTurn(client, { kind: 'deployment', id: 'dep-1', adapter: null }, body));
    expect(client.streamChat.mock.calls[0][1]).toEqual({ ...body, adapter: 'ko' });
    expect(client.streamChat.mock.calls[1][1]).toEqual(body);
  });
});
