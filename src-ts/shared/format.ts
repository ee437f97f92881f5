/**
 * Number formatting for model sizes, parameter counts and memory figures, and
 * the date format of the tables.
 * Sizes use decimal units (1 GB = 10^9 bytes), as the server's filters do.
 */
import type { TranslationBundle } from '@jupyterlab/translation';

const BYTE_UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];

/** 16_582_751_232 → "16.6 GB"; 512 → "512 B"; null → "—". */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes) || bytes < 0) {
    return '—';
  }
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < BYTE_UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  if (unit === 0) {
    return `${Math.round(value)} B`;
  }
  // 999.96 MB would print as "1000.0 MB": carry to the next unit.
  if (Number(value.toFixed(1)) >= 1000 && unit < BYTE_UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value.toFixed(1)} ${BYTE_UNITS[unit]}`;
}

const PARAM_UNITS: Array<[number, string]> = [
  [1e12, 'T'],
  [1e9, 'B'],
  [1e6, 'M'],
  [1e3, 'K']
];

/** 8_030_261_248 → "8.0B"; 139_600 → "139.6K"; 950 → "950"; null → "—". */
export function formatParams(count: number | null | undefined): string {
  if (count === null || count === undefined || !Number.isFinite(count) || count < 0) {
    return '—';
  }
  for (let i = 0; i < PARAM_UNITS.length; i++) {
    const [scale, suffix] = PARAM_UNITS[i];
    if (count >= scale) {
      const value = count / scale;
      // 999.96M rounds to "1000.0M": show it as "1.0B" instead.
      if (Number(value.toFixed(1)) >= 1000 && i > 0) {
        const [biggerScale, biggerSuffix] = PARAM_UNITS[i - 1];
        return `${(count / biggerScale).toFixed(1)}${biggerSuffix}`;
      }
      return `${value.toFixed(1)}${suffix}`;
    }
  }
  return String(Math.round(count));
}

/** A memory figure already in GB: 17.234 → "17.2 GB"; 0.04 → "0.04 GB". */
export function formatGb(gb: number | null | undefined): string {
  if (gb === null || gb === undefined || !Number.isFinite(gb)) {
    return '—';
  }
  const abs = Math.abs(gb);
  const digits = abs !== 0 && abs < 0.1 ? 2 : 1;
  return `${gb.toFixed(digits)} GB`;
}

/**
 * A memory figure in GB for narrow table columns: whole GB from 10 GB up
 * ("1,128 GB", "47 GB"), one decimal below ("3.3 GB"), two below 0.1 GB, and a
 * true minus sign for negative headroom ("−2.6 GB").
 */
export function formatGbCompact(gb: number | null | undefined): string {
  if (gb === null || gb === undefined || !Number.isFinite(gb)) {
    return '—';
  }
  const abs = Math.abs(gb);
  let text: string;
  if (abs < 0.005) {
    text = '0';
  } else if (abs < 0.095) {
    text = abs.toFixed(2);
  } else if (abs < 9.95) {
    text = abs.toFixed(1);
  } else {
    text = Math.round(abs).toLocaleString();
  }
  const negative = gb < 0 && text !== '0';
  return `${negative ? '\u2212' : ''}${text} GB`;
}

/** 32768 → "32,768" (grouped the way the browser's locale does). */
export function formatInteger(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) {
    return '—';
  }
  return Math.round(value).toLocaleString();
}

/**
 * A date for tables: "Nov 21, 2026, 10:00 AM" in the browser's locale (the
 * deployments and fine-tuning lists and the job's parameters).
 */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) {
    return '—';
  }
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? iso
    : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** A capability enum as words: "IMAGE_TEXT_TO_TEXT" → "Image text to text". */
export function humanizeEnum(value: string): string {
  const words = value.replace(/[_-]+/g, ' ').trim().toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * A duration for people, two units at most, rounded to what matters:
 * 42 → "42 s", 125 → "2 min 5 s", 3720 → "1 h 2 min", 90061 → "1 d 1 h".
 * Null, negative or not finite → "—"; under one second → "< 1 s".
 */
export function formatDuration(seconds: number | null | undefined, trans: TranslationBundle): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) {
    return '—';
  }
  if (seconds < 1) {
    return trans.__('< 1 s');
  }
  const total = Math.round(seconds);
  const days = Math.floor(total / 86400);
  const hours = Math.floor((total % 86400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const secs = total % 60;
  if (days > 0) {
    return hours > 0 ? trans.__('%1 d %2 h', days, hours) : trans.__('%1 d', days);
  }
  if (hours > 0) {
    return minutes > 0 ? trans.__('%1 h %2 min', hours, minutes) : trans.__('%1 h', hours);
  }
  if (minutes > 0) {
    // Past ten minutes the seconds are noise.
    return secs > 0 && minutes < 10 ? trans.__('%1 min %2 s', minutes, secs) : trans.__('%1 min', minutes);
  }
  return trans.__('%1 s', secs);
}

/** "about 2 min 5 s left", "—" when the pace is not known yet. */
export function etaText(seconds: number | null | undefined, trans: TranslationBundle): string {
  const text = formatDuration(seconds, trans);
  return text === '—' ? text : trans.__('about %1 left', text);
}

/** The first 12 hex digits of a sha256: enough to tell datasets apart. */
export function shortHash(hash: string): string {
  return hash.length > 12 ? hash.slice(0, 12) : hash;
}

/** "support-chats" from "data/support-chats.jsonl" (and from an oci:// URI). */
export function datasetStem(path: string): string {
  const base =
    path
      .trim()
      .replace(/[\\/]+$/, '')
      .split(/[\\/]/)
      .pop() ?? '';
  return base.replace(/\.(jsonl|ndjson|json)$/i, '');
}
