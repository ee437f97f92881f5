import { MainAreaWidget } from '@jupyterlab/apputils';
import type { JupyterFrontEnd } from '@jupyterlab/application';

import { CommandIDs, DATASET_ITEM_SELECTOR } from '../commands';
import plugin from '../../index';
import { AquaPanel } from '../AquaPanel';
import { Navigator } from '../navigator';
import { emptyServer, fakeApp } from '../../test-support/app';

const schema = require('../../../schema/plugin.json');

/** A file browser factory whose current browser has these items selected. */
function fakeBrowsers(selected: Array<{ name: string; path: string; type: string }>) {
  return { tracker: { currentWidget: { selectedItems: () => selected[Symbol.iterator]() } } };
}

/** Activate the plugin with no optional token but a file browser with these items selected. */
function activateWithSelection(app: JupyterFrontEnd, selected: Array<{ name: string; path: string; type: string }>) {
  plugin.activate(app, null, null, null, null, null, null, fakeBrowsers(selected) as never, null);
}

describe('fine-tuning commands', () => {
  const server = emptyServer();

  it('registers the fine-tuning commands and the jsonl file type', () => {
    const { app, commands, docRegistry } = fakeApp();
    plugin.activate(app, null, null, null, null, null, null, null, null);
    for (const id of [CommandIDs.openFineTunes, CommandIDs.newFineTune, CommandIDs.fineTuneDataset]) {
      expect(commands.hasCommand(id)).toBe(true);
    }
    expect(commands.label(CommandIDs.newFineTune)).toBe('New Fine-tune…');
    expect(commands.label(CommandIDs.fineTuneDataset)).toBe('Fine-tune with this dataset');
    expect(docRegistry.addFileType).toHaveBeenCalledWith(
      expect.objectContaining({ name: 'jsonl', extensions: ['.jsonl', '.ndjson'] })
    );
    expect(server.makeRequest).not.toHaveBeenCalled();
  });

  it('puts "Fine-tune with this dataset" in the file browser’s context menu of .jsonl files', () => {
    expect(schema['jupyter.lab.menus'].context).toEqual([
      expect.objectContaining({ command: CommandIDs.fineTuneDataset, selector: DATASET_ITEM_SELECTOR })
    ]);
    // The selector matches the file browser's items of the "jsonl" file type only.
    document.body.innerHTML =
      '<ul><li class="jp-DirListing-item" data-file-type="jsonl" id="a"></li>' +
      '<li class="jp-DirListing-item" data-file-type="json" id="b"></li></ul>';
    expect([...document.querySelectorAll(DATASET_ITEM_SELECTOR)].map(node => node.id)).toEqual(['a']);
  });

  it('opens the fine-tune form with the selected dataset', async () => {
    const { app, commands, added } = fakeApp();
    activateWithSelection(app, [{ name: 'chats.jsonl', path: 'data/chats.jsonl', type: 'file' }]);
    expect(commands.isEnabled(CommandIDs.fineTuneDataset, {})).toBe(true);
    const spy = jest.spyOn(Navigator.prototype, 'navigate');
    await commands.execute(CommandIDs.fineTuneDataset, {});
    expect(spy).toHaveBeenCalledWith({ to: 'finetunes', newJob: true, datasetPath: 'data/chats.jsonl' });
    await commands.execute(CommandIDs.fineTuneDataset, { path: 'other/x.jsonl' });
    expect(spy).toHaveBeenLastCalledWith({ to: 'finetunes', newJob: true, datasetPath: 'other/x.jsonl' });
    await commands.execute(CommandIDs.newFineTune, { modelId: 'demo:aqua-demo-tiny' });
    expect(spy).toHaveBeenLastCalledWith({
      to: 'finetunes',
      newJob: true,
      modelId: 'demo:aqua-demo-tiny',
      datasetPath: null
    });
    await commands.execute(CommandIDs.openFineTunes, { finetuneId: 'ftj-1' });
    expect(spy).toHaveBeenLastCalledWith({ to: 'finetunes', finetuneId: 'ftj-1' });
    // One panel for all of them.
    expect(added).toHaveLength(1);
    expect((added[0] as MainAreaWidget<AquaPanel>).content).toBeInstanceOf(AquaPanel);
    spy.mockRestore();
    added.forEach(widget => widget.dispose());
  });

  it('is disabled without a single dataset file selected', () => {
    const { app, commands } = fakeApp();
    activateWithSelection(app, [{ name: 'notes.txt', path: 'notes.txt', type: 'file' }]);
    expect(commands.isEnabled(CommandIDs.fineTuneDataset, {})).toBe(false);
    const { app: app2, commands: commands2 } = fakeApp();
    activateWithSelection(app2, [
      { name: 'a.jsonl', path: 'a.jsonl', type: 'file' },
      { name: 'b.jsonl', path: 'b.jsonl', type: 'file' }
    ]);
    expect(commands2.isEnabled(CommandIDs.fineTuneDataset, {})).toBe(false);
  });
});
