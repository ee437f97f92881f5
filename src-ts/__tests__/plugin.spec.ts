import type { JupyterFrontEnd } from '@jupyterlab/application';
import { MainAreaWidget } from '@jupyterlab/apputils';
import { ServerConnection } from '@jupyterlab/services';
import { CommandRegistry } from '@lumino/commands';
import { Widget } from '@lumino/widgets';

import { CommandIDs, PANEL_ID } from '../commands';
import plugin from '../index';
import { AquaPanel } from '../widgets/AquaPanel';

function fakeApp() {
  const commands = new CommandRegistry();
  const added: Widget[] = [];
  const shell = {
    add: jest.fn((widget: Widget) => {
      added.push(widget);
      Widget.attach(widget, document.body);
    }),
    activateById: jest.fn()
  };
  const app = {
    commands,
    shell,
    serviceManager: { serverSettings: ServerConnection.makeSettings({ baseUrl: 'http://localhost:8888/' }) }
  } as unknown as JupyterFrontEnd;
  return { app, commands, shell, added };
}

describe('aqua-ext:plugin', () => {
  let makeRequest: jest.SpyInstance;

  beforeEach(() => {
    makeRequest = jest
      .spyOn(ServerConnection, 'makeRequest')
      .mockImplementation(async () => new Response(JSON.stringify({ items: [], total: 0 }), { status: 200 }));
  });

  afterEach(() => {
    makeRequest.mockRestore();
    document.body.innerHTML = '';
  });

  it('has the documented id and activates without any optional token', () => {
    const { app, commands } = fakeApp();
    expect(plugin.id).toBe('aqua-ext:plugin');
    expect(plugin.requires ?? []).toEqual([]);
    plugin.activate(app, null, null, null, null, null, null);
    for (const id of [CommandIDs.open, CommandIDs.openModels, CommandIDs.registerModel, CommandIDs.refreshModels]) {
      expect(commands.hasCommand(id)).toBe(true);
    }
    expect(commands.label(CommandIDs.open)).toBe('AI Quick Actions');
    // Lazy: activation makes no request to the server.
    expect(makeRequest).not.toHaveBeenCalled();
  });

  it('adds a launcher tile and palette items in their own category', () => {
    const { app } = fakeApp();
    const launcher = { add: jest.fn() };
    const palette = { addItem: jest.fn() };
    plugin.activate(app, launcher, palette, null, null, null, null);
    expect(launcher.add).toHaveBeenCalledWith(
      expect.objectContaining({ command: CommandIDs.open, category: 'AI Quick Actions' })
    );
    expect(palette.addItem).toHaveBeenCalledTimes(4);
    expect(palette.addItem).toHaveBeenCalledWith(
      expect.objectContaining({ command: CommandIDs.registerModel, category: 'AI Quick Actions' })
    );
  });

  it('opens one single panel and activates it on the next call', async () => {
    const { app, commands, shell, added } = fakeApp();
    plugin.activate(app, null, null, null, null, null, null);
    await commands.execute(CommandIDs.open);
    await commands.execute(CommandIDs.open);
    await commands.execute(CommandIDs.registerModel);
    expect(shell.add).toHaveBeenCalledTimes(1);
    expect(shell.activateById).toHaveBeenCalledWith(PANEL_ID);
    const widget = added[0] as MainAreaWidget<AquaPanel>;
    expect(widget).toBeInstanceOf(MainAreaWidget);
    expect(widget.content).toBeInstanceOf(AquaPanel);
    expect(widget.title.label).toBe('AI Quick Actions');
    // No empty main-area toolbar above the panel (the dialog backdrop covers the whole panel).
    expect(widget.toolbar.isHidden).toBe(true);
    widget.dispose();
  });
});
