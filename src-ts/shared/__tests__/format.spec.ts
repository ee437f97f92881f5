import { stripFrontMatter } from '../../features/models/modelCard';
import { formatBytes, formatGb, formatGbCompact, formatInteger, formatParams, humanizeEnum } from '../format';

describe('formatBytes', () => {
  it.each([
    [16_100_000_000, '16.1 GB'],
    [16_582_751_232, '16.6 GB'],
    [988_097_824, '988.1 MB'],
    [1_500, '1.5 KB'],
    [512, '512 B'],
    [0, '0 B'],
    [2.5e12, '2.5 TB']
  ])('uses decimal units with one decimal: %p bytes are %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it('carries rounding to the next unit', () => {
    expect(formatBytes(999_960_000)).toBe('1.0 GB');
  });

  it.each([null, undefined, Number.NaN])('shows a dash for an unknown size (%p)', size => {
    expect(formatBytes(size)).toBe('—');
  });
});

describe('formatParams', () => {
  it.each([
    [8_030_261_248, '8.0B'],
    [139_600, '139.6K'],
    [494_032_768, '494.0M'],
    [1_200_000_000_000, '1.2T'],
    [950, '950']
  ])('uses K, M, B and T suffixes: %p is %s', (count, text) => {
    expect(formatParams(count)).toBe(text);
  });

  it('carries rounding to the next suffix', () => {
    expect(formatParams(999_960_000)).toBe('1.0B');
  });

  it('shows a dash for unknown counts', () => {
    expect(formatParams(null)).toBe('—');
  });
});

describe('other formatters', () => {
  it('formats GB figures', () => {
    expect(formatGb(17.234)).toBe('17.2 GB');
    expect(formatGb(0.04)).toBe('0.04 GB');
    expect(formatGb(-3.25)).toBe('-3.3 GB');
    expect(formatGb(null)).toBe('—');
  });

  it.each([
    [1128, (1128).toLocaleString() + ' GB'],
    [47.4, '47 GB'],
    [9.96, '10 GB'],
    [3.27, '3.3 GB'],
    [0.04, '0.04 GB'],
    [0, '0 GB'],
    [-2.6, '\u22122.6 GB'],
    [-0.001, '0 GB'],
    [null, '—']
  ])('formats GB figures compactly for the fit table: %p is %s', (gb, text) => {
    expect(formatGbCompact(gb)).toBe(text);
  });

  it('formats integers and enums', () => {
    expect(formatInteger(null)).toBe('—');
    expect(formatInteger(4096).replace(/\D/g, '')).toBe('4096');
    expect(humanizeEnum('IMAGE_TEXT_TO_TEXT')).toBe('Image text to text');
  });
});

describe('stripFrontMatter', () => {
  it('removes a leading YAML block and keeps the rest', () => {
    const card = '---\nlicense: apache-2.0\ntags:\n- demo\n---\n\n# Title\n\nText --- with dashes\n';
    expect(stripFrontMatter(card)).toBe('# Title\n\nText --- with dashes\n');
  });

  it('leaves cards without front matter alone', () => {
    expect(stripFrontMatter('# Title\n\n---\n\nmore')).toBe('# Title\n\n---\n\nmore');
    expect(stripFrontMatter('')).toBe('');
  });
});
