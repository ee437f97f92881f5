import { MainAreaWidget } from '@jupyterlab/apputils';

import { CommandIDs, PANEL_ID } from '../commands';
import plugin from '../../index';
import { AquaPanel } from '../AquaPanel';
import { PlaygroundWidget } from '../PlaygroundWidget';
import { emptyServer, fakeApp } from '../../test-support/app';

describe('aqua-ext:plugin', () => {
  const server = emptyServer();

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
    expect(server.makeRequest).not.toHaveBeenCalled();
  });

  it('adds a launcher tile and palette items in their own category', () => {
    const { app } = fakeApp();
    const launcher = { add: jest.fn() };
    const palette = { addItem: jest.fn() };
    plugin.activate(app, launcher, palette, null, null, null, null);
    expect(launcher.add).toHaveBeenCalledWith(
      expect.objectContaining({ command: CommandIDs.open, category: 'AI Quick Actions' })
    );
    expect(palette.addItem).toHaveBeenCalledTimes(9);
    expect(palette.addItem).toHaveBeenCalledWith(
      expect.objectContaining({ command: CommandIDs.newEvaluation, category: 'AI Quick Actions' })
    );
    expect(palette.addItem).toHaveBeenCalledWith(
      expect.objectContaining({ command: CommandIDs.newFineTune, category: 'AI Quick Actions' })
    );
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

  it('opens one panel when commands come while its code loads', async () => {
    const { app, commands, shell, added } = fakeApp();
    plugin.activate(app, null, null, null, null, null, null);
    await Promise.all([commands.execute(CommandIDs.open), commands.execute(CommandIDs.openModels)]);
    await Promise.all([
      commands.execute(CommandIDs.openPlayground, { deploymentId: 'dep-1' }),
      commands.execute(CommandIDs.openPlayground, { deploymentId: 'dep-1' })
    ]);
    expect(shell.add).toHaveBeenCalledTimes(2);
    expect(added[0]).toBeInstanceOf(MainAreaWidget);
    expect((added[1] as MainAreaWidget<PlaygroundWidget>).content.deploymentId).toBe('dep-1');
    added.forEach(widget => widget.dispose());
  });

  it('opens one playground tab per deployment and restores them', async () => {
    const { app, commands, shell, added } = fakeApp();
    const restorer = { restore: jest.fn(async (_tracker: unknown, _options: unknown) => undefined) };
    plugin.activate(app, null, null, restorer, null, null, null);
    expect(restorer.restore).toHaveBeenCalledWith(
      expect.objectContaining({ namespace: 'aqua-ext-playground' }),
      expect.objectContaining({ command: CommandIDs.openPlayground })
    );
    const options = restorer.restore.mock.calls[1][1] as unknown as {
      args: (w: unknown) => unknown;
      name: (w: unknown) => string;
    };
    expect(commands.isEnabled(CommandIDs.openPlayground, {})).toBe(false);
    await commands.execute(CommandIDs.openPlayground, { deploymentId: 'dep-1' });
    await commands.execute(CommandIDs.openPlayground, { deploymentId: 'dep-1' });
    await commands.execute(CommandIDs.openPlayground, { deploymentId: 'dep-2' });
    expect(shell.add).toHaveBeenCalledTimes(2);
    const first = added[0] as MainAreaWidget<PlaygroundWidget>;
    expect(first.content).toBeInstanceOf(PlaygroundWidget);
    expect(first.content.deploymentId).toBe('dep-1');
    expect(first.id).toBe('aqua-ext-playground-dep-1');
    expect(options.args(first)).toEqual({ deploymentId: 'dep-1' });
    expect(options.name(first)).toBe('dep-1');
    added.forEach(widget => widget.dispose());
  });

  it('opens a connection in its own playground tab, restored by its key', async () => {
    const { app, commands, shell, added } = fakeApp();
    const restorer = { restore: jest.fn(async (_tracker: unknown, _options: unknown) => undefined) };
    plugin.activate(app, null, null, restorer, null, null, null);
    const options = restorer.restore.mock.calls[1][1] as unknown as { args: (w: unknown) => { deploymentId: string } };
    expect(commands.isEnabled(CommandIDs.openPlayground, { connectionId: 'conn-1' })).toBe(true);
    await commands.execute(CommandIDs.openPlayground, { connectionId: 'conn-1' });
    const tab = added[0] as MainAreaWidget<PlaygroundWidget>;
    expect(tab.content.deploymentId).toBe('connection:conn-1');
    // The restorer's arguments open the same tab again.
    await commands.execute(CommandIDs.openPlayground, options.args(tab));
    expect(shell.add).toHaveBeenCalledTimes(1);
    added.forEach(widget => widget.dispose());
  });
});
