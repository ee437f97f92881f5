/**
 * User preferences from the Settings Editor (`schema/plugin.json`).
 * Secrets never live here: settings are stored in plain text.
 */
import type { Dtype } from '../api/types';

export interface IAquaSettings {
  defaultDtype: Dtype;
  defaultContextLength: number;
  defaultConcurrency: number;
  pollIntervalMs: number;
}

export const DTYPES: readonly Dtype[] = ['float32', 'bfloat16', 'float16', 'fp8', 'int8', 'int4'];

export const DEFAULT_SETTINGS: Readonly<IAquaSettings> = Object.freeze({
  defaultDtype: 'bfloat16',
  defaultContextLength: 4096,
  defaultConcurrency: 1,
  pollIntervalMs: 1000
});

/** Settings from a composite settings object, falling back to defaults for anything missing or invalid. */
export function readSettings(composite: { [key: string]: unknown } | null | undefined): IAquaSettings {
  const value = composite ?? {};
  const int = (key: keyof IAquaSettings, min: number, max: number): number => {
    const raw = value[key];
    return typeof raw === 'number' && Number.isInteger(raw) && raw >= min && raw <= max
      ? raw
      : (DEFAULT_SETTINGS[key] as number);
  };
  const dtype = value.defaultDtype;
  return {
    defaultDtype: DTYPES.includes(dtype as Dtype) ? (dtype as Dtype) : DEFAULT_SETTINGS.defaultDtype,
    defaultContextLength: int('defaultContextLength', 1, 2_000_000),
    defaultConcurrency: int('defaultConcurrency', 1, 1024),
    pollIntervalMs: int('pollIntervalMs', 200, 60_000)
  };
}
