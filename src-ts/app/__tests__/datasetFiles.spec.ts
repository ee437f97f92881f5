import {
  CHUNK_SIZE,
  candidateName,
  isDatasetFile,
  safeFileName,
  uploadDataset,
  type IContentsLike
} from '../datasetFiles';

/** A contents manager over a set of paths; records every save. */
function fakeContents(existing: string[]) {
  const paths = new Set(existing);
  const saves: Array<{ path: string; options: Record<string, unknown> }> = [];
  const contents = {
    get: jest.fn(async (path: string) => {
      if (!paths.has(path)) {
        throw Object.assign(new Error('Not Found'), { response: { status: 404 } });
      }
      return { path, name: path.split('/').pop(), type: 'file' };
    }),
    save: jest.fn(async (path: string, options: Record<string, unknown> = {}) => {
      paths.add(path);
      saves.push({ path, options });
      return { path, name: path.split('/').pop(), type: options.type };
    })
  };
  return { contents: contents as unknown as IContentsLike & typeof contents, saves, paths };
}

function decode(base64: string): string {
  return Buffer.from(base64, 'base64').toString('utf8');
}

describe('dataset files', () => {
  it('knows a dataset by its name and makes names safe', () => {
    expect(isDatasetFile('train.jsonl')).toBe(true);
    expect(isDatasetFile('TRAIN.NDJSON')).toBe(true);
    expect(isDatasetFile('train.json')).toBe(false);
    expect(safeFileName('../../etc/passwd')).toBe('passwd');
    expect(safeFileName('C:\\\\data\\\\x.jsonl')).toBe('x.jsonl');
    expect(safeFileName('.hidden.jsonl')).toBe('hidden.jsonl');
    expect(safeFileName('')).toBe('dataset.jsonl');
    expect(candidateName('a.jsonl', 0)).toBe('a.jsonl');
    expect(candidateName('a.jsonl', 2)).toBe('a-2.jsonl');
    expect(candidateName('noext', 1)).toBe('noext-1');
  });

  it('uploads into datasets/ (created when missing) under a free name', async () => {
    const { contents, saves } = fakeContents(['datasets/support.jsonl']);
    contents.get.mockImplementationOnce(async () => {
      throw Object.assign(new Error('Not Found'), { response: { status: 404 } });
    });
    const file = new File(['{"prompt":"a","completion":"b"}\n'], 'support.jsonl');
    const progress: number[] = [];
    const path = await uploadDataset(file, contents, { onProgress: f => progress.push(f) });
    expect(path).toBe('datasets/support-1.jsonl');
    expect(saves[0]).toEqual({ path: 'datasets', options: { type: 'directory' } });
    expect(saves[1].path).toBe('datasets/support-1.jsonl');
    expect(saves[1].options).toMatchObject({ type: 'file', format: 'base64', name: 'support-1.jsonl' });
    expect(saves[1].options).not.toHaveProperty('chunk');
    expect(decode(saves[1].options.content as string)).toBe('{"prompt":"a","completion":"b"}\n');
    expect(progress).toEqual([1]);
  });

  it('sends a large file in 1 MiB chunks numbered 1, 2, … and -1', async () => {
    const { contents, saves } = fakeContents(['datasets']);
    const text = 'x'.repeat(CHUNK_SIZE * 2 + 10);
    const path = await uploadDataset(new File([text], 'big.jsonl'), contents);
    expect(path).toBe('datasets/big.jsonl');
    const chunks = saves.filter(save => save.path === 'datasets/big.jsonl');
    expect(chunks.map(save => save.options.chunk)).toEqual([1, 2, -1]);
    expect(chunks.map(save => decode(save.options.content as string).length)).toEqual([CHUNK_SIZE, CHUNK_SIZE, 10]);
  });

  it('stops on an error that is not "not found"', async () => {
    const { contents } = fakeContents([]);
    contents.get.mockRejectedValue(Object.assign(new Error('Forbidden'), { response: { status: 403 } }));
    await expect(uploadDataset(new File(['x'], 'a.jsonl'), contents)).rejects.toThrow('Forbidden');
  });
});
