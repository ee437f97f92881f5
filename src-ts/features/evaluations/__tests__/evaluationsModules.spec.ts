import { barLayout, yRange } from '../bars';
import { categoryRows, orderedEvaluations, overallRows, scaleGroups } from '../compare';
import {
  buildEvaluationRequest,
  defaultEvaluationName,
  hasErrors,
  initialEvaluationForm,
  placeEvaluationErrors,
  validateEvaluationForm,
  type IEvaluationForm
} from '../evaluationForm';
import { evaluationFraction, formatScore, orderedScoreKeys, rowsText, scoreInfo } from '../format';
import { evaluationPreflightRequest, evaluationResult } from '../preflight';
import { ariaSort, INITIAL_ROWS_VIEW, isSortable, rowsQuery, toggleSort, turnPage, withCategory } from '../rowsView';
import { finishedChanges, withLiveFields } from '../states';
import { blocksSubmit } from '../../../shared/datasetPreflight';
import {
  evaluationSummaryOf,
  makeDatasetReport,
  makeEvaluation,
  makeFinishedEvaluation
} from '../../../test-support/fixtures';
import { trans } from '../../../test-support/trans';

function form(overrides: Partial<IEvaluationForm> = {}): IEvaluationForm {
  return {
    ...initialEvaluationForm({ deploymentId: 'dep-1', datasetPath: 'datasets/qa.jsonl' }),
    name: 'Run 1',
    ...overrides
  };
}

describe('evaluation form', () => {
  it('starts with every metric, greedy sampling and the contract defaults', () => {
    const initial = initialEvaluationForm();
    expect(initial.metrics).toEqual(['bertscore', 'rouge', 'bleu', 'chrf', 'exact_match', 'readability', 'latency']);
    expect(initial.sampling).toMatchObject({ maxTokens: '256', temperature: '0', topP: '1' });
    expect(initial.concurrency).toBe('4');
    expect(initial.source).toBe('file');
    expect(initialEvaluationForm({ finetuneId: 'ftj-1' }).source).toBe('finetune');
  });

  it('becomes the request: dataset or fine-tune, sample, metrics in order, params', () => {
    const request = buildEvaluationRequest(
      form({
        metrics: ['latency', 'rouge'],
        sampleSize: ' 50 ',
        description: '  nightly ',
        sampling: { ...form().sampling, topK: '40', seed: '7', stop: ['\\n\\n'] },
        concurrency: '8'
      }),
      'local',
      trans
    );
    expect(request).toEqual({
      deployment_id: 'dep-1',
      name: 'Run 1',
      description: 'nightly',
      dataset_path: 'datasets/qa.jsonl',
      sample_size: 50,
      metrics: ['rouge', 'latency'],
      concurrency: 8,
      params: {
        max_tokens: 256,
        temperature: 0,
        top_p: 1,
        top_k: 40,
        seed: 7,
        frequency_penalty: 0,
        presence_penalty: 0,
        stop: ['\n\n']
      }
    });
    const fromJob = buildEvaluationRequest(form({ source: 'finetune', finetuneId: 'ftj-1' }), 'local', trans);
    expect(fromJob.finetune_id).toBe('ftj-1');
    expect(fromJob.dataset_path).toBeUndefined();
    expect(fromJob.sample_size).toBeUndefined();
    expect(fromJob.params).not.toHaveProperty('top_k');
  });

  it('asks a deployment’s adapter when the picker names one', () => {
    const request = buildEvaluationRequest(form({ deploymentId: 'dep-1::adapter:ko' }), 'local', trans);
    expect(request).toMatchObject({ deployment_id: 'dep-1', adapter: 'ko' });
    expect(buildEvaluationRequest(form(), 'local', trans)).not.toHaveProperty('adapter');
  });

  it('sends the OCI fields only on OCI, and a log only with its group', () => {
    const oci = form({
      reportUri: 'oci://b@ns/reports',
      logGroupId: 'ocid1.loggroup.x',
      logId: 'ocid1.log.y',
      shape: 'VM.Standard.E4.Flex'
    });
    expect(buildEvaluationRequest(oci, 'oci', trans)).toMatchObject({
      report_uri: 'oci://b@ns/reports',
      log_group_id: 'ocid1.loggroup.x',
      log_id: 'ocid1.log.y',
      shape: 'VM.Standard.E4.Flex'
    });
    expect(buildEvaluationRequest(oci, 'local', trans)).not.toHaveProperty('report_uri');
  });

  it('validates before sending', () => {
    expect(hasErrors(validateEvaluationForm(form(), 'local', trans))).toBe(false);
    const bad = validateEvaluationForm(
      form({
        deploymentId: '',
        name: ' ',
        datasetPath: '',
        sampleSize: '0',
        metrics: [],
        concurrency: '65',
        sampling: { ...form().sampling, temperature: '3', maxTokens: '40000' }
      }),
      'local',
      trans
    );
    expect(Object.keys(bad.errors).sort()).toEqual([
      'concurrency',
      'dataset_path',
      'deployment_id',
      'metrics',
      'name',
      'sample_size'
    ]);
    expect(bad.sampling.temperature).toBe('A number from 0 to 2.');
    const tooLong = validateEvaluationForm(
      form({ sampling: { ...form().sampling, maxTokens: '40000' } }),
      'local',
      trans
    );
    expect(tooLong.sampling.maxTokens).toBe('A whole number from 1 to 32768.');
    expect(validateEvaluationForm(form({ source: 'finetune' }), 'local', trans).errors.finetune_id).toBeTruthy();
    const oci = validateEvaluationForm(form({ reportUri: 's3://x', logId: 'ocid1.log.y' }), 'oci', trans).errors;
    expect(oci.report_uri).toMatch(/oci:\/\//);
    expect(oci.log_group_id).toBe('A log needs both the log group and the log.');
  });

  it('names the evaluation after the deployment and the data', () => {
    expect(
      defaultEvaluationName('Qwen chat', { source: 'file', datasetPath: 'data/support-qa.jsonl' }, null, trans)
    ).toBe('Qwen chat · support-qa');
    expect(defaultEvaluationName('Qwen chat', { source: 'finetune', datasetPath: '' }, 'Qwen support', trans)).toBe(
      'Qwen chat · training data of Qwen support'
    );
    expect(defaultEvaluationName(null, { source: 'file', datasetPath: '' }, null, trans)).toBe('');
  });

  it('places a 400 under its inputs, model parameters under the sampling fields', () => {
    const placed = placeEvaluationErrors([
      { field: 'body.name', message: 'must not be blank' },
      { field: 'body.params.temperature', message: 'Input should be less than or equal to 2' },
      { field: 'body', message: 'Value error, dataset_path: give a dataset_path or a finetune_id' },
      { field: 'body.mystery', message: 'what?' }
    ]);
    expect(placed.byField).toEqual({ name: 'must not be blank', dataset_path: 'give a dataset_path or a finetune_id' });
    expect(placed.sampling).toEqual({ temperature: 'Input should be less than or equal to 2' });
    expect(placed.other).toEqual([{ field: 'body.mystery', message: 'what?' }]);
  });
});

describe('evaluation preflight', () => {
  it('checks a local file only', () => {
    expect(evaluationPreflightRequest({ source: 'file', datasetPath: ' datasets/qa.jsonl ' })).toEqual({
      path: 'datasets/qa.jsonl',
      kind: 'auto',
      validation_split: 0
    });
    expect(evaluationPreflightRequest({ source: 'file', datasetPath: 'oci://b@n/x.jsonl' })).toBeNull();
    expect(evaluationPreflightRequest({ source: 'finetune', datasetPath: 'datasets/qa.jsonl' })).toBeNull();
  });

  it('refuses a conversational dataset: nothing to score an answer against', () => {
    const refused = evaluationResult('k', makeDatasetReport({ format: 'conversational' }), trans);
    expect(refused.status).toBe('invalid');
    expect(refused.fields.dataset_path).toMatch(/conversational/);
    expect(blocksSubmit(refused)).toBe(true);
    const fine = evaluationResult('k', makeDatasetReport({ format: 'instruction' }), trans);
    expect(fine.status).toBe('ok');
    expect(blocksSubmit(fine)).toBe(false);
  });
});

describe('rows view', () => {
  it('sorts by a header, then flips it; a new column starts ascending on the first page', () => {
    let view = { ...INITIAL_ROWS_VIEW, offset: 200 };
    expect(ariaSort(view, 'index')).toBe('ascending');
    expect(rowsQuery(view)).toEqual({ offset: 200, limit: 100 });
    view = toggleSort(view, 'rougeL');
    expect(view).toMatchObject({ sort: 'rougeL', descending: false, offset: 0 });
    expect(rowsQuery(view)).toEqual({ offset: 0, limit: 100, sort: 'rougeL', descending: false });
    view = toggleSort(view, 'rougeL');
    expect(ariaSort(view, 'rougeL')).toBe('descending');
    expect(ariaSort(view, 'index')).toBe('none');
    expect(rowsQuery(view)).toMatchObject({ sort: 'rougeL', descending: true });
    const byIndex = toggleSort(INITIAL_ROWS_VIEW, 'index');
    expect(rowsQuery(byIndex)).toMatchObject({ sort: 'index', descending: true });
  });

  it('filters by category and pages by 100', () => {
    let view = withCategory({ ...INITIAL_ROWS_VIEW, offset: 100 }, 'billing');
    expect(rowsQuery(view)).toEqual({ offset: 0, limit: 100, category: 'billing' });
    view = turnPage(view, 1, 250);
    expect(view.offset).toBe(100);
    view = turnPage(turnPage(view, 1, 250), 1, 250);
    expect(view.offset).toBe(200);
    expect(turnPage(view, -1, 250).offset).toBe(100);
    expect(withCategory(view, '').category).toBeNull();
  });

  it('sorts only by scores the evaluation computed', () => {
    expect(isSortable({ key: 'bertscore', metric: 'bertscore' }, ['rouge'])).toBe(false);
    expect(isSortable({ key: 'rougeL', metric: 'rouge' }, ['rouge'])).toBe(true);
    expect(isSortable({ key: 'index', metric: null }, [])).toBe(true);
  });
});

describe('comparison', () => {
  it('builds the overall and per-category rows in the usual order, with the server’s best, and groups charts by scale', () => {
    const comparison = {
      overall: {
        rougeL: { a: 0.4, b: 0.5 },
        bleu: { a: 20, b: 10 },
        bertscore: { a: 0.9, b: 0.8 },
        latency_ms_p50: { a: 100, b: 90 }
      },
      categories: { shipping: { rougeL: { a: 0.1, b: 0.2 } }, billing: { bertscore: { a: 0.3, b: 0.2 } } },
      // The server names the best of each score (the lowest latency, else the highest; none when all tie).
      best: { bertscore: ['a'], rougeL: ['b'], bleu: ['a'], latency_ms_p50: ['b'] },
      category_best: { shipping: { rougeL: ['b'] }, billing: { bertscore: ['a'] } }
    };
    const rows = overallRows(comparison);
    expect(rows.map(row => row.key)).toEqual(['bertscore', 'rougeL', 'bleu', 'latency_ms_p50']);
    expect(rows.map(row => row.best)).toEqual([['a'], ['b'], ['a'], ['b']]);
    expect(categoryRows(comparison).map(group => [group.category, group.rows[0].best])).toEqual([
      ['billing', ['a']],
      ['shipping', ['b']]
    ]);
    expect(scaleGroups(rows.map(row => row.key))).toEqual([
      { scale: 'unit', keys: ['bertscore', 'rougeL'] },
      { scale: 'percent', keys: ['bleu'] },
      { scale: 'ms', keys: ['latency_ms_p50'] }
    ]);
  });

  it('keeps the order the user chose', () => {
    const a = evaluationSummaryOf(makeFinishedEvaluation({ id: 'a' }));
    const b = evaluationSummaryOf(makeFinishedEvaluation({ id: 'b' }));
    expect(orderedEvaluations({ evaluations: [a, b] }, ['b', 'a']).map(item => item.id)).toEqual(['b', 'a']);
  });
});

describe('score formatting', () => {
  it('writes each score on its scale', () => {
    expect(formatScore('bertscore', 0.81234)).toBe('0.812');
    expect(formatScore('exact_match', 1)).toBe('1.000');
    expect(formatScore('bleu', 23.456)).toBe('23.5');
    expect(formatScore('readability', 61.34)).toBe('61.3');
    expect(formatScore('latency_ms_p95', 1710.2)).toBe('1,710 ms');
    expect(formatScore('latency_ms', 640)).toBe('640 ms');
    expect(formatScore('tokens_per_s_mean', 25.31)).toBe('25.3 tok/s');
    expect(formatScore('rougeL', undefined)).toBe('—');
    expect(formatScore('rougeL', Number.NaN)).toBe('—');
    expect(scoreInfo('latency_ms_mean').higherIsBetter).toBe(false);
    expect(orderedScoreKeys(['zeta', 'bleu', 'bertscore'])).toEqual(['bertscore', 'bleu', 'zeta']);
  });

  it('says where the rows are', () => {
    expect(rowsText(10, 40, trans)).toBe('rows 10 of 40');
    expect(rowsText(1200, 0, trans)).toBe('rows 1,200');
    expect(evaluationFraction({ state: 'IN_PROGRESS', progress: 0, rows_done: 10, rows_total: 40 })).toBe(0.25);
    expect(evaluationFraction({ state: 'SUCCEEDED', progress: 0.9, rows_done: 39, rows_total: 40 })).toBe(1);
  });
});

describe('bars', () => {
  it('gives each bar its own slot with a gap between groups', () => {
    const layout = barLayout(2, [
      { label: 'A', values: [1, 2] },
      { label: 'B', values: [3, null] }
    ]);
    expect(layout.x).toEqual([0, 1, 3, 4]);
    expect(layout.ys).toEqual([
      [1, null, 2, null],
      [null, 3, null, null]
    ]);
    expect(layout.centers).toEqual([0.5, 3.5]);
    expect(layout.range).toEqual([-0.75, 4.75]);
    expect(yRange(1, [])).toEqual([0, 1]);
    expect(yRange(null, [{ label: 'x', values: [100, 50] }])).toEqual([0, 110.00000000000001]);
  });
});

describe('evaluation states', () => {
  it('reports evaluations that finished, and lays the list row over the detail', () => {
    const running = evaluationSummaryOf(makeEvaluation());
    const done = evaluationSummaryOf(makeFinishedEvaluation());
    expect(finishedChanges([running], [done]).map(change => change.to)).toEqual(['SUCCEEDED']);
    expect(finishedChanges([done], [done])).toEqual([]);
    const detail = makeEvaluation();
    const newer = { ...evaluationSummaryOf(detail), rows_done: 20, updated_at: '2026-11-21T12:01:00Z' };
    expect(withLiveFields(detail, newer).rows_done).toBe(20);
    expect(withLiveFields(detail, { ...newer, updated_at: '2026-11-21T11:00:00Z' }).rows_done).toBe(10);
  });
});
