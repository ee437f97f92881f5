import { EMPTY_FILTERS, filterModels, hasActiveFilters, searchText, sortModels } from '../filter';
import { manyModels, sampleModels } from '../../../test-support/fixtures';

const names = (models: readonly { name: string }[]): string[] => models.map(m => m.name);

describe('filterModels', () => {
  const models = sampleModels();

  it('returns the same array when no filter is active', () => {
    expect(filterModels(models, EMPTY_FILTERS)).toBe(models);
    expect(filterModels(models, { query: '   ' })).toBe(models);
    expect(hasActiveFilters(EMPTY_FILTERS)).toBe(false);
  });

  it('searches name, hf_id, organization, task, tags and description case-insensitively', () => {
    expect(names(filterModels(models, { query: 'LLAMA' }))).toEqual(['Llama 3.1 8B Instruct', 'TinyLlama GGUF']);
    expect(names(filterModels(models, { query: 'baai/bge' }))).toEqual(['BGE small en v1.5']);
    expect(names(filterModels(models, { query: 'meta' }))).toEqual(['Llama 3.1 8B Instruct']);
    expect(names(filterModels(models, { query: 'feature-extraction' }))).toEqual(['BGE small en v1.5']);
    expect(names(filterModels(models, { query: 'tools' }))).toEqual(['Llama 3.1 8B Instruct']);
    expect(names(filterModels(models, { query: 'random weights' }))).toEqual(['Aqua demo (tiny)']);
  });

  it('ANDs multiple words', () => {
    expect(names(filterModels(models, { query: 'chat qwen' }))).toEqual(['Qwen2.5 0.5B Instruct']);
    expect(filterModels(models, { query: 'chat embeddings' })).toHaveLength(0);
  });

  it('filters by source (multi-select)', () => {
    expect(names(filterModels(models, { sources: ['registered'] }))).toEqual(['TinyLlama GGUF']);
    expect(filterModels(models, { sources: ['registered', 'demo'] })).toHaveLength(2);
    expect(filterModels(models, { sources: ['fine-tuned'] })).toHaveLength(0);
  });

  it('filters by capability and format', () => {
    expect(names(filterModels(models, { capability: 'EMBEDDING' }))).toEqual(['BGE small en v1.5']);
    expect(names(filterModels(models, { format: 'gguf' }))).toEqual(['TinyLlama GGUF']);
  });

  it('filters by max size in decimal GB and drops unknown sizes', () => {
    const withUnknown = [...models, { ...models[0], id: 'x', name: 'Unknown size', size_bytes: null }];
    const small = names(filterModels(withUnknown, { maxSizeGb: 1 }));
    expect(small).toContain('Qwen2.5 0.5B Instruct');
    expect(small).not.toContain('Llama 3.1 8B Instruct');
    expect(small).not.toContain('Unknown size');
    expect(filterModels(withUnknown, { maxSizeGb: 20 })).toHaveLength(5);
  });

  it('keeps only models ready to fine-tune when asked', () => {
    expect(names(filterModels(models, { readyToFinetune: true }))).toEqual([
      'Qwen2.5 0.5B Instruct',
      'Llama 3.1 8B Instruct',
      'Aqua demo (tiny)'
    ]);
  });

  it('combines filters', () => {
    expect(names(filterModels(models, { query: 'instruct', sources: ['catalog'], maxSizeGb: 5 }))).toEqual([
      'Qwen2.5 0.5B Instruct'
    ]);
  });

  it('builds the search text from every searchable field', () => {
    const text = searchText(models[1]);
    expect(text).toContain('meta-llama/llama-3.1-8b-instruct');
    expect(text).toContain('tools');
    expect(text).toBe(text.toLowerCase());
  });

  it('indexes 2,000 models once and reuses the index on every keystroke', () => {
    // No timing assert (timings belong in bench/): instead check that the
    // per-model search text is built once per list, not once per call.
    let reads = 0;
    const many = manyModels(2000).map(model => {
      const description = model.description;
      return Object.defineProperty({ ...model }, 'description', {
        get: () => {
          reads += 1;
          return description;
        },
        enumerable: true
      });
    });
    filterModels(many, { query: 'm' });
    expect(reads).toBe(2000);
    const queries = ['mo', 'mod', 'model 1', 'model 19 meta', 'coding', 'vision ocr', 'qwen chat'];
    for (const query of queries) {
      filterModels(many, { query, capability: 'TEXT_TO_TEXT', maxSizeGb: 30 });
    }
    expect(reads).toBe(2000);

    const result = filterModels(many, { query: 'model 19', sources: ['demo'] });
    expect(result.length).toBeGreaterThan(0);
    for (const model of result) {
      const text = searchText(model);
      expect(model.source).toBe('demo');
      expect(text).toContain('model');
      expect(text).toContain('19');
    }
    // A new array (a refreshed list) gets a fresh index.
    filterModels(many.slice(), { query: 'm' });
    expect(reads).toBe(2000 + 2000 + result.length * 1);
  });
});

describe('sortModels', () => {
  const models = sampleModels();

  it('sorts by name', () => {
    expect(names(sortModels(models, 'name'))).toEqual([
      'Aqua demo (tiny)',
      'BGE small en v1.5',
      'Llama 3.1 8B Instruct',
      'Qwen2.5 0.5B Instruct',
      'TinyLlama GGUF'
    ]);
  });

  it('sorts by size and parameters, largest first, unknown last', () => {
    const withUnknown = [
      { ...models[0], id: 'x', name: 'Unknown', size_bytes: null, parameter_count: null },
      ...models
    ];
    expect(names(sortModels(withUnknown, 'size'))[0]).toBe('Llama 3.1 8B Instruct');
    expect(names(sortModels(withUnknown, 'size')).pop()).toBe('Unknown');
    expect(names(sortModels(withUnknown, 'parameters')).slice(0, 2)).toEqual([
      'Llama 3.1 8B Instruct',
      'TinyLlama GGUF'
    ]);
  });

  it('sorts newest first', () => {
    expect(names(sortModels(models, 'newest')).slice(0, 2)).toEqual(['Aqua demo (tiny)', 'TinyLlama GGUF']);
  });

  it('does not mutate its input', () => {
    const before = names(models);
    sortModels(models, 'size');
    expect(names(models)).toEqual(before);
  });
});
