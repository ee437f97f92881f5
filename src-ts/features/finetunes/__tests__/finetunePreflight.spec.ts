import { AquaApiError } from '../../../api/errors';
import { initialFineTuneForm } from '../finetuneForm';
import { blocksSubmit, errorResult, isTokenizerMissing, okResult } from '../../../shared/datasetPreflight';
import { preflightKey, preflightRequest } from '../preflight';
import { makeDatasetReport, makeModel } from '../../../test-support/fixtures';

const describe_ = (error: unknown): string => (error instanceof Error ? error.message : 'failed');

function apiError(status: number, message: string, fields?: Array<{ field: string; message: string }>): AquaApiError {
  return new AquaApiError({ status, message, reason: 'x', fields, requestId: 'req-1' });
}

describe('dataset preflight', () => {
  const form = {
    ...initialFineTuneForm(makeModel(), 'datasets/support.jsonl'),
    maxSeqLength: '1024',
    validationSplit: '20'
  };

  it('asks with the path, the model, the sequence length and the split', () => {
    expect(preflightRequest(form)).toEqual({
      path: 'datasets/support.jsonl',
      model_id: 'catalog:Qwen--Qwen2.5-0.5B-Instruct',
      max_seq_length: 1024,
      validation_split: 0.2
    });
    expect(preflightRequest(form, { withModel: false })).not.toHaveProperty('model_id');
    expect(preflightRequest({ ...form, datasetPath: ' ' })).toBeNull();
    expect(preflightRequest({ ...form, maxSeqLength: 'x' })).toBeNull();
    // The job reads an oci:// dataset itself.
    expect(preflightRequest({ ...form, datasetPath: 'oci://b@n/d.jsonl' })).toBeNull();
    expect(preflightKey(preflightRequest(form))).not.toBe(
      preflightKey(preflightRequest({ ...form, validationSplit: '10' }))
    );
    expect(preflightKey(null)).toBe('');
  });

  it('lists a file’s bad lines and blocks the submit', () => {
    const result = errorResult(
      'k',
      apiError(400, 'datasets/support.jsonl: 120 invalid lines; line 3: not JSON', [
        { field: 'line 7', message: 'no "messages"' },
        { field: 'line 3', message: 'not JSON' }
      ]),
      describe_
    );
    expect(result.status).toBe('invalid');
    expect(result.lines).toEqual([
      { line: 3, message: 'not JSON' },
      { line: 7, message: 'no "messages"' }
    ]);
    expect(result.linesTotal).toBe(120);
    expect(blocksSubmit(result)).toBe(true);
  });

  it('puts a missing or oversized file under the dataset input', () => {
    const missing = errorResult(
      'k',
      apiError(404, 'path: datasets/nope.jsonl does not exist', [{ field: 'path', message: 'not found' }]),
      describe_
    );
    expect(missing.status).toBe('invalid');
    expect(missing.fields.dataset_path).toBe('path: datasets/nope.jsonl does not exist');
    const big = errorResult('k', apiError(413, 'over the limit'), describe_);
    expect(big.fields.dataset_path).toBe('over the limit');
    const binary = errorResult(
      'k',
      apiError(400, 'binary', [{ field: 'body.path', message: 'binary data (NUL byte) on line 2' }]),
      describe_
    );
    expect(binary.fields.dataset_path).toBe('binary data (NUL byte) on line 2');
    expect(blocksSubmit(binary)).toBe(true);
  });

  it('does not block on a check that could not run', () => {
    const down = errorResult('k', AquaApiError.network(), describe_);
    expect(down.status).toBe('failed');
    expect(blocksSubmit(down)).toBe(false);
    expect(blocksSubmit(okResult('k', makeDatasetReport()))).toBe(false);
    expect(blocksSubmit(null)).toBe(false);
  });

  it('recognizes a tokenizer that is not on this machine', () => {
    expect(
      isTokenizerMissing(apiError(400, 'no tokenizer', [{ field: 'model_id', message: 'tokenizer not available' }]))
    ).toBe(true);
    expect(isTokenizerMissing(apiError(400, 'bad', [{ field: 'line 3', message: 'x' }]))).toBe(false);
    expect(isTokenizerMissing(new Error('x'))).toBe(false);
  });
});
