/**
 * Playground presets: a system prompt and sampling parameters saved by name in the
 * JupyterLab Settings Editor (`playgroundPresets` in schema/plugin.json), so they follow the
 * user across browsers and can be edited there. The settings file is plain text: a preset
 * holds no secret.
 */
import type { ISettingRegistry } from '@jupyterlab/settingregistry';

import { escapeStop, type ISamplingForm, type SamplingRequestFields } from '../../shared/sampling';

export const PRESETS_SETTING = 'playgroundPresets';

/** The request's own field names, so a preset reads the same in the Settings Editor as in the API. */
export interface IPlaygroundPreset extends Partial<SamplingRequestFields> {
  name: string;
  system: string;
}

/** Where presets are kept (the settings registry in the lab, a fake in tests). */
export interface IPresetStore {
  presets(): IPlaygroundPreset[];
  save(presets: IPlaygroundPreset[]): Promise<void>;
  /** Call `listener` when the presets change (here or in the Settings Editor); returns the unsubscribe. */
  subscribe(listener: () => void): () => void;
}

const NUMBER_FIELDS = [
  'max_tokens',
  'temperature',
  'top_p',
  'top_k',
  'frequency_penalty',
  'presence_penalty',
  'seed'
] as const;

/** The presets of a settings value: anything malformed is skipped, a later one of the same name wins. */
export function readPresets(value: unknown): IPlaygroundPreset[] {
  if (!Array.isArray(value)) {
    return [];
  }
  const byName = new Map<string, IPlaygroundPreset>();
  for (const item of value) {
    if (typeof item !== 'object' || item === null || typeof (item as { name?: unknown }).name !== 'string') {
      continue;
    }
    const raw = item as Record<string, unknown>;
    const name = (raw.name as string).trim();
    if (!name) {
      continue;
    }
    const preset: IPlaygroundPreset = { name, system: typeof raw.system === 'string' ? raw.system : '' };
    for (const field of NUMBER_FIELDS) {
      const number = raw[field];
      if (typeof number === 'number' && Number.isFinite(number)) {
        preset[field] = number;
      }
    }
    if (Array.isArray(raw.stop)) {
      preset.stop = raw.stop.filter((stop): stop is string => typeof stop === 'string' && stop.length > 0);
    }
    byName.set(name, preset);
  }
  return [...byName.values()];
}

/** A preset of what the playground is set to now (sampling already parsed and valid). */
export function makePreset(name: string, system: string, sampling: SamplingRequestFields): IPlaygroundPreset {
  const preset: IPlaygroundPreset = { name: name.trim(), system, ...sampling };
  // Unset optional fields stay out of the settings file rather than reading `null` there.
  if (preset.top_k === null) {
    delete preset.top_k;
  }
  if (preset.seed === null) {
    delete preset.seed;
  }
  return preset;
}

/** The sampling form a preset sets: its fields over the current ones (a field it lacks is kept). */
export function presetSampling(preset: IPlaygroundPreset, current: ISamplingForm): ISamplingForm {
  const text = (value: number | null | undefined, fallback: string): string =>
    value === undefined ? fallback : value === null ? '' : String(value);
  return {
    maxTokens: text(preset.max_tokens, current.maxTokens),
    temperature: text(preset.temperature, current.temperature),
    topP: text(preset.top_p, current.topP),
    topK: text(preset.top_k, current.topK),
    frequencyPenalty: text(preset.frequency_penalty, current.frequencyPenalty),
    presencePenalty: text(preset.presence_penalty, current.presencePenalty),
    stop: preset.stop ? preset.stop.map(escapeStop) : current.stop,
    seed: text(preset.seed, current.seed)
  };
}

/** `preset` added, or put in place of the one of the same name. */
export function withPreset(presets: readonly IPlaygroundPreset[], preset: IPlaygroundPreset): IPlaygroundPreset[] {
  const index = presets.findIndex(item => item.name === preset.name);
  return index < 0 ? [...presets, preset] : presets.map((item, i) => (i === index ? preset : item));
}

/** Presets kept in the extension's settings (loaded once by the plugin). */
export function settingsPresetStore(loaded: Promise<ISettingRegistry.ISettings>): IPresetStore {
  let current: IPlaygroundPreset[] = [];
  const listeners = new Set<() => void>();
  let settings: ISettingRegistry.ISettings | null = null;
  const read = (): void => {
    current = readPresets(settings?.get(PRESETS_SETTING).composite);
    listeners.forEach(listener => listener());
  };
  const ready = loaded.then(value => {
    settings = value;
    value.changed.connect(read);
    read();
    return value;
  });
  // A settings load that failed is logged by the plugin; here it only means no presets.
  ready.catch(() => undefined);
  return {
    presets: () => current,
    save: async presets => {
      const target = await ready;
      // Through JSON: the registry stores plain JSON values.
      await target.set(PRESETS_SETTING, JSON.parse(JSON.stringify(presets)));
    },
    subscribe: listener => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    }
  };
}
