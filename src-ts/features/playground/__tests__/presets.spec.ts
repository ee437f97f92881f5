import { makePreset, presetSampling, readPresets, settingsPresetStore, withPreset, PRESETS_SETTING } from '../presets';
import { DEFAULT_SAMPLING } from '../../../shared/sampling';

describe('playground presets', () => {
  it('reads presets, skipping malformed ones, the later of one name winning', () => {
    expect(readPresets(null)).toEqual([]);
    expect(
      readPresets([
        { name: '번역', system: '한국어로 번역하세요.', temperature: 0.2, stop: ['\n\n', 3, ''] },
        { system: 'no name' },
        'junk',
        { name: '  ', system: '' },
        { name: '要約', temperature: 'hot', max_tokens: 128 },
        { name: '번역', system: 'later', top_k: 40 }
      ])
    ).toEqual([
      { name: '번역', system: 'later', top_k: 40 },
      { name: '要約', system: '', max_tokens: 128 }
    ]);
  });

  it('saves the parsed sampling without unset fields and applies over the current form', () => {
    const preset = makePreset(' 要約 ', '三行で要約してください。', {
      max_tokens: 256,
      temperature: 0.3,
      top_p: 0.9,
      top_k: null,
      frequency_penalty: 0,
      presence_penalty: 0,
      stop: ['\n'],
      seed: null
    });
    expect(preset).toEqual({
      name: '要約',
      system: '三行で要約してください。',
      max_tokens: 256,
      temperature: 0.3,
      top_p: 0.9,
      frequency_penalty: 0,
      presence_penalty: 0,
      stop: ['\n']
    });
    const current = { ...DEFAULT_SAMPLING, topK: '50', seed: '7' };
    expect(presetSampling(preset, current)).toEqual({
      maxTokens: '256',
      temperature: '0.3',
      topP: '0.9',
      topK: '50',
      frequencyPenalty: '0',
      presencePenalty: '0',
      stop: ['\\n'],
      seed: '7'
    });
    expect(presetSampling({ name: 'x', system: '' }, current)).toEqual(current);
  });

  it('replaces a preset of the same name and keeps the order', () => {
    const a = { name: 'a', system: '1' };
    const b = { name: 'b', system: '2' };
    expect(withPreset([a, b], { name: 'a', system: '3' })).toEqual([{ name: 'a', system: '3' }, b]);
    expect(withPreset([a], b)).toEqual([a, b]);
  });

  it('keeps presets in the settings registry and follows its changes', async () => {
    let stored: unknown = [{ name: '번역', system: '' }];
    const listeners: Array<() => void> = [];
    const settings = {
      get: (key: string) => ({ composite: key === PRESETS_SETTING ? stored : undefined }),
      set: jest.fn(async (_key: string, value: unknown) => {
        stored = value;
        listeners.forEach(listener => listener());
      }),
      changed: { connect: (listener: () => void) => listeners.push(listener) }
    };
    const store = settingsPresetStore(Promise.resolve(settings as never));
    const seen = jest.fn();
    const unsubscribe = store.subscribe(seen);
    await Promise.resolve();
    await Promise.resolve();
    expect(store.presets()).toEqual([{ name: '번역', system: '' }]);
    await store.save([{ name: '要約', system: 'x', temperature: 0.1 }]);
    expect(settings.set).toHaveBeenCalledWith(PRESETS_SETTING, [{ name: '要約', system: 'x', temperature: 0.1 }]);
    expect(store.presets()).toEqual([{ name: '要約', system: 'x', temperature: 0.1 }]);
    expect(seen).toHaveBeenCalledTimes(2);
    unsubscribe();
  });

  it('has no presets when the settings cannot be loaded', async () => {
    const store = settingsPresetStore(Promise.reject(new Error('no settings')));
    await expect(store.save([])).rejects.toThrow('no settings');
    expect(store.presets()).toEqual([]);
  });
});
