import * as React from 'react';

import { HTMLSelect } from '@jupyterlab/ui-components';
import type { TranslationBundle } from '@jupyterlab/translation';

import type { SamplingRequestFields } from '../../shared/sampling';
import { ActionLink, InlineEdit } from './TurnActions';
import { makePreset, withPreset, type IPlaygroundPreset, type IPresetStore } from './presets';

export interface IPresetPickerProps {
  store: IPresetStore;
  trans: TranslationBundle;
  system: string;
  /** The sampling as it parses now; null while a field is invalid (nothing to save then). */
  sampling: SamplingRequestFields | null;
  onApply: (preset: IPlaygroundPreset) => void;
}

/** The presets as the store has them, following changes made in the Settings Editor. */
function usePresets(store: IPresetStore): IPlaygroundPreset[] {
  const [presets, setPresets] = React.useState(store.presets());
  React.useEffect(() => {
    setPresets(store.presets());
    return store.subscribe(() => setPresets(store.presets()));
  }, [store]);
  return presets;
}

/** Apply a saved preset, or save the current system prompt and sampling under a name. */
export function PresetPicker(props: IPresetPickerProps): JSX.Element {
  const { store, trans } = props;
  const presets = usePresets(store);
  const [name, setName] = React.useState<string | null>(null);
  const [error, setError] = React.useState<string | null>(null);
  const save = (): void => {
    if (name === null || !name.trim() || !props.sampling) {
      return;
    }
    const preset = makePreset(name, props.system, props.sampling);
    setError(null);
    store.save(withPreset(store.presets(), preset)).then(
      () => setName(null),
      () => setError(trans.__('The preset could not be saved in the settings.'))
    );
  };
  return (
    <div className="jp-AquaExt-Playground-presets">
      <label>
        <span>{trans.__('Preset')}</span>
        <HTMLSelect
          aria-label={trans.__('Preset')}
          value=""
          onChange={event => {
            const preset = presets.find(item => item.name === event.target.value);
            if (preset) {
              props.onApply(preset);
            }
          }}
          options={[
            { value: '', label: presets.length ? trans.__('Apply a preset…') : trans.__('No presets yet') },
            ...presets.map(item => ({ value: item.name, label: item.name }))
          ]}
        />
      </label>
      {name === null ? (
        <ActionLink
          label={trans.__('Save as preset…')}
          title={trans.__('Save the system prompt and sampling settings by name (kept in Settings → AI Quick Actions)')}
          disabled={!props.sampling}
          onClick={() => setName('')}
        />
      ) : (
        <InlineEdit
          trans={trans}
          className="jp-AquaExt-Playground-presetSave"
          label={trans.__('Preset name')}
          value={name}
          submitLabel={presets.some(item => item.name === name.trim()) ? trans.__('Replace') : trans.__('Save')}
          canSubmit={name.trim().length > 0}
          onChange={setName}
          onSubmit={save}
          onCancel={() => setName(null)}
        />
      )}
      {error && (
        <div className="jp-AquaExt-error" role="alert">
          {error}
        </div>
      )}
    </div>
  );
}
