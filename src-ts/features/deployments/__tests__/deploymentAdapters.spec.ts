import {
  addableAdapters,
  adaptersRequest,
  appliedText,
  draftChanged,
  draftOf,
  placeAdapterErrors,
  withAdapter,
  withoutAdapter
} from '../deploymentAdapters';
import { makeDeployment, makeModel } from '../../../test-support/fixtures';
import { apiError } from '../../../test-support/errors';
import { trans } from '../../../test-support/trans';

const BASE = 'local:qwen-0.5b';
// Served names are slugs (the contract's pattern); the fine-tunes' own names are Korean beside English.
const SERVED = [
  { name: 'summary-ko', model_id: 'ft:summary-ko', model_name: '한국어 요약 LoRA', rank: 8 },
  { name: 'sql', model_id: 'ft:sql', model_name: 'SQL helper', rank: null }
];
const deployment = makeDeployment({ engine: 'vllm', model_id: BASE, adapters: SERVED });

function fineTune(id: string, name: string, extra: Parameters<typeof makeModel>[0] = {}) {
  return makeModel({ id, name, source: 'fine-tuned', tags: ['lora'], target: 'local', ...extra });
}

describe('the adapters of a deployment, edited', () => {
  it('starts from the served set and sends it whole, served names kept and new ones left to the server', () => {
    const draft = withAdapter(draftOf(deployment.adapters), { id: 'ft:qa', name: '質問応答 QA' });
    expect(draft.map(item => [item.name, item.model_name, item.rank])).toEqual([
      ['summary-ko', '한국어 요약 LoRA', 8],
      ['sql', 'SQL helper', null],
      [null, '質問応答 QA', null]
    ]);
    expect(adaptersRequest(withoutAdapter(draft, 'ft:sql'))).toEqual({
      adapters: [{ model_id: 'ft:summary-ko', name: 'summary-ko' }, { model_id: 'ft:qa' }]
    });
    expect(withAdapter(draft, { id: 'ft:qa', name: '質問応答 QA' })).toHaveLength(3); // once only
  });

  it('knows whether the draft differs from what is served, order included', () => {
    const draft = draftOf(deployment.adapters);
    expect(draftChanged(deployment.adapters, draft)).toBe(false);
    expect(draftChanged(deployment.adapters, [...draft].reverse())).toBe(true);
    expect(draftChanged(deployment.adapters, withoutAdapter(draft, 'ft:sql'))).toBe(true);
  });

  it('offers the deploy form’s candidates for this base, less those already in the set', () => {
    const models = [
      fineTune('ft:summary-ko', '한국어 요약 LoRA'),
      fineTune('ft:qa', '質問応答 QA'),
      fineTune('ft:full', 'Full fine-tune', { tags: [] }), // no adapter to serve
      fineTune('oci:ft', 'OCI LoRA', { target: 'oci' }), // another target
      makeModel({ id: BASE, name: 'Qwen' })
    ];
    const addable = addableAdapters(models, deployment, draftOf(deployment.adapters));
    expect(addable.map(item => item.id)).toEqual(['ft:qa']);
  });

  it('says what the server did', () => {
    const answer = (applied: 'live' | 'restart' | 'saved', adapters = SERVED) => ({
      applied,
      deployment: { ...deployment, adapters }
    });
    expect(appliedText(answer('live'), trans)).toBe('Applied live: the running engine serves 2 adapters now.');
    expect(appliedText(answer('live', []), trans)).toBe(
      'Applied live: the running engine serves the base model alone now.'
    );
    expect(appliedText(answer('restart'), trans)).toMatch(/^The engine restarts with the new set of adapters/);
    expect(appliedText(answer('saved'), trans)).toBe(
      'Saved: the engine starts with these adapters the next time the deployment is activated.'
    );
  });

  it('places a 400 under the adapter it names, and anything else under the list', () => {
    const draft = withAdapter(draftOf(deployment.adapters), { id: 'ft:qa', name: '質問応答 QA' });
    const refused = apiError(400, 'Invalid input', {
      fields: [
        { field: 'adapters.2', message: "'質問応答 QA' was trained on Llama; this deployment serves 'Qwen'" },
        { field: 'body.adapters.0.name', message: 'Value error, bad name' },
        { field: 'adapters', message: 'two adapters are named the same' },
        { field: 'adapters.9', message: 'no such item' }
      ]
    });
    expect(placeAdapterErrors(refused, draft, trans)).toEqual({
      byModel: {
        'ft:qa': "'質問応答 QA' was trained on Llama; this deployment serves 'Qwen'",
        'ft:summary-ko': 'bad name'
      },
      list: 'two adapters are named the same no such item'
    });
    const conflict = apiError(409, "Deployment 'x' is UPDATING; wait until the change in progress is finished.");
    expect(placeAdapterErrors(conflict, draft, trans)).toEqual({
      byModel: {},
      list: "Deployment 'x' is UPDATING; wait until the change in progress is finished."
    });
  });
});
