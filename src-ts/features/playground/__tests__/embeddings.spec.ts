import {
  checkEmbedInputs,
  formatPreview,
  formatSimilarity,
  inputLabel,
  mostSimilarPairs,
  similarityLevel
} from '../embeddings';
import { trans } from '../../../test-support/trans';

describe('embeddings view formatting', () => {
  it('formats similarities with two decimals and a true minus sign', () => {
    expect(formatSimilarity(0.87341)).toBe('0.87');
    expect(formatSimilarity(1)).toBe('1.00');
    expect(formatSimilarity(-0.051)).toBe('\u22120.05');
    expect(formatSimilarity(-0.001)).toBe('0.00');
    expect(formatSimilarity(NaN)).toBe('—');
  });

  it('shades 0…1 and clamps the rest', () => {
    expect(similarityLevel(0.5)).toBe(0.5);
    expect(similarityLevel(-0.3)).toBe(0);
    expect(similarityLevel(1.2)).toBe(1);
    expect(similarityLevel(Infinity)).toBe(0);
  });

  it('previews the first values of a vector', () => {
    expect(formatPreview([0.01234, -0.44104, 0.5], 384, 2)).toBe('[0.0123, \u22120.4410, …]');
    expect(formatPreview([0.1, 0.2], 2)).toBe('[0.1000, 0.2000]');
  });

  it('ranks the most similar distinct pairs', () => {
    const matrix = [
      [1, 0.2, 0.9],
      [0.2, 1, 0.4],
      [0.9, 0.4, 1]
    ];
    expect(mostSimilarPairs(matrix, 2)).toEqual([
      { a: 0, b: 2, score: 0.9 },
      { a: 1, b: 2, score: 0.4 }
    ]);
  });

  it('checks the inputs before embedding', () => {
    expect(checkEmbedInputs(['a', '  ', 'b'], trans)).toEqual({ inputs: ['a', 'b'], error: null });
    expect(checkEmbedInputs(['  '], trans).error).toBe('Enter at least one text to embed.');
    expect(checkEmbedInputs(Array(65).fill('x'), trans).error).toBe('At most 64 texts at a time.');
    expect(checkEmbedInputs(['ok', 'x'.repeat(100_001)], trans).error).toMatch(/^Text 2 is longer than/);
  });

  it('labels inputs briefly', () => {
    expect(inputLabel('The  cat\nsat on the mat and then slept all day', 0, 20)).toBe('1 · The cat sat on the…');
  });
});
