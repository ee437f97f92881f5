import { stripFrontMatter } from '../../features/models/modelCard';
import { formatBytes, formatGb, formatGbCompact, formatInteger, formatParams, humanizeEnum } from '../format';

describe('formatBytes', () => {
  it('uses decimal units with one decimal', () => {
    expect(formatBytes(16_100_000_000)).toBe('16.1 GB');
    expect(formatBytes(16_582_751_232)).toBe('16.6 GB');
    expect(formatBytes(988_097_824)).toBe('988.1 MB');
    expect(formatBytes(1_500)).toBe('1.5 KB');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(2.5e12)).toBe('2.5 TB');
  });

  it('carries rounding to the next unit', () => {
    expect(formatBytes(999_960_000)).toBe('1.0 GB');
  });

  it('shows a dash for unknown sizes', () => {
    expect(formatBytes(null)).toBe('—');
    expect(formatBytes(undefined)).toBe('—');
    expect(formatBytes(Number.NaN)).toBe('—');
  });
});

describe('formatParams', () => {
  it('uses K, M, B and T suffixes', () => {
    expect(formatParams(8_030_261_248)).toBe('8.0B');
    expect(formatParams(139_600)).toBe('139.6K');
    expect(formatParams(494_032_768)).toBe('494.0M');
    expect(formatParams(1_200_000_000_000)).toBe('1.2T');
    expect(formatParams(950)).toBe('950');
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

  it('formats GB figures compactly for the fit table', () => {
    expect(formatGbCompact(1128)).toBe((1128).toLocaleString() + ' GB');
    expect(formatGbCompact(47.4)).toBe('47 GB');
    expect(formatGbCompact(9.96)).toBe('10 GB');
    expect(formatGbCompact(3.27)).toBe('3.3 GB');
    expect(formatGbCompact(0.04)).toBe('0.04 GB');
    expect(formatGbCompact(0)).toBe('0 GB');
    expect(formatGbCompact(-2.6)).toBe('\u22122.6 GB');
    expect(formatGbCompact(-0.001)).toBe('0 GB');
    expect(formatGbCompact(null)).toBe('—');
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
