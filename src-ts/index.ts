import { ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { Clipboard, Dialog, ICommandPalette, showDialog, WidgetTracker } from '@jupyterlab/apputils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { IFileBrowserFactory } from '@jupyterlab/filebrowser';
import { ILauncher } from '@jupyterlab/launcher';
import { INotebookTracker } from '@jupyterlab/notebook';
import { IRenderMimeRegistry, MimeModel } from '@jupyterlab/rendermime';
import type { IRenderMime } from '@jupyterlab/rendermime';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator, TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import type { AquaClient } from './api/client';
import { AquaMainWidget, CATEGORY, CommandIDs, PlaygroundMainWidget, registerCommands } from './app/commands';
import type { Confirm, RenderMarkdown } from './shared/callbacks';
import { notify } from './app/notify';
import { isDatasetFile } from './app/datasetFiles';
import { aquaIcon } from './app/icons';
import type { IPresetStore } from './features/playground/presets';
import { DEFAULT_SETTINGS, IAquaSettings, readSettings } from './shared/settings';
import type { AquaPanel } from './app/AquaPanel';
import type { PlaygroundWidget } from './app/PlaygroundWidget';

type Panels = typeof import('./app/panels');

const PLUGIN_ID = 'aqua-ext:plugin';

/**
 * AI Quick Actions: a launcher tile, palette commands and one main-area
 * panel. Activation only registers commands; the panel's code loads (a
 * separate chunk) and talks to the server when it first opens.
 */
const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'AI Quick Actions: browse, register, deploy, chat with, fine-tune and evaluate models.',
  autoStart: true,
  optional: [
    ILauncher,
    ICommandPalette,
    ILayoutRestorer,
    ITranslator,
    IRenderMimeRegistry,
    ISettingRegistry,
    IFileBrowserFactory,
    IDocumentManager,
    INotebookTracker
  ],
  activate: (
    app: JupyterFrontEnd,
    launcher: ILauncher | null,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    translator: ITranslator | null,
    rendermime: IRenderMimeRegistry | null,
    settingRegistry: ISettingRegistry | null,
    fileBrowserFactory?: IFileBrowserFactory | null,
    docManager?: IDocumentManager | null,
    notebookTracker?: INotebookTracker | null
  ): void => {
    const trans = (translator ?? nullTranslator).load('aqua_ext');
    const tracker = new WidgetTracker<AquaMainWidget>({ namespace: 'aqua-ext' });
    const playgroundTracker = new WidgetTracker<PlaygroundMainWidget>({ namespace: 'aqua-ext-playground' });
    let settings: IAquaSettings = { ...DEFAULT_SETTINGS };
    // The panels' code (React, every feature): most of the extension, loaded on first open.
    let panels: Promise<Panels> | null = null;
    const loadPanels = (): Promise<Panels> => (panels = panels ?? import('./app/panels'));
    let client: AquaClient | null = null;
    const getClient = (loaded: Panels): AquaClient =>
      (client = client ?? new loaded.AquaClient({ serverSettings: app.serviceManager.serverSettings }));
    const renderMarkdown = markdownRenderer(rendermime);
    const copyToClipboard = (text: string): void => Clipboard.copyToSystem(text);

    const createPanel = async (): Promise<AquaPanel> => {
      const loaded = await loadPanels();
      return new loaded.AquaPanel({
        client: getClient(loaded),
        trans,
        settings,
        renderMarkdown,
        confirm: confirmWithDialog(trans),
        notify: notify,
        copyToClipboard,
        insertIntoNotebook: loaded.notebookInserter(notebookTracker ?? null, id => app.shell.activateById(id), trans),
        onOpenPlayground: deploymentId => {
          void app.commands.execute(CommandIDs.openPlayground, { deploymentId });
        },
        onOpenConnectionPlayground: connectionId => {
          void app.commands.execute(CommandIDs.openPlayground, { connectionId });
        },
        // A deleted deployment answers nothing: its tab and its stored conversation go too.
        onDeploymentDeleted: deploymentId => {
          playgroundTracker.find(widget => widget.content.deploymentId === deploymentId)?.dispose();
          loaded.clearPlayground(loaded.browserStorage(), deploymentId);
        },
        // The fine-tune form's "Browse…": JupyterLab's open-file dialog over the Jupyter root.
        pickDataset: docManager
          ? async () => {
              const path = await loaded.pickDatasetFile(docManager, {
                translator: translator ?? undefined,
                title: trans.__('Choose a dataset'),
                label: trans.__('A JSON Lines file (.jsonl) inside the Jupyter root')
              });
              return path === null ? null : app.serviceManager.contents.localPath(path);
            }
          : undefined,
        // "Upload…": a file of this computer saved into the Jupyter root's datasets folder.
        uploadDataset: (file, onProgress) => loaded.uploadDataset(file, app.serviceManager.contents, { onProgress })
      });
    };

    // Loaded once: the panel reads its defaults from it, the playgrounds their presets.
    const loadedSettings = settingRegistry ? settingRegistry.load(PLUGIN_ID) : null;
    let presets: IPresetStore | null = null;

    const createPlayground = async (
      deploymentId: string,
      setTitle: (name: string) => void
    ): Promise<PlaygroundWidget> => {
      const loaded = await loadPanels();
      presets = presets ?? (loadedSettings ? loaded.settingsPresetStore(loadedSettings) : null);
      return new loaded.PlaygroundWidget({
        client: getClient(loaded),
        trans,
        deploymentId,
        renderMarkdown,
        copyToClipboard,
        storage: loaded.browserStorage(),
        presets,
        onTitle: setTitle,
        runKernelTool: loaded.kernelToolRunner(notebookTracker ?? null, trans)
      });
    };

    registerCommands({
      app,
      trans,
      tracker,
      createPanel,
      palette,
      playgrounds: { tracker: playgroundTracker, create: createPlayground },
      selectedDataset: () => {
        const path = selectedDataset(fileBrowserFactory ?? null);
        return path === null ? null : app.serviceManager.contents.localPath(path);
      }
    });

    // The file browser's context menu offers "Fine-tune with this dataset" on .jsonl files
    // (schema/plugin.json, `jupyter.lab.menus.context`); JupyterLab registers the "jsonl"
    // file type that its selector relies on, and this registers it where it is missing.
    if (app.docRegistry && !app.docRegistry.getFileType('jsonl')) {
      app.docRegistry.addFileType({
        name: 'jsonl',
        displayName: trans.__('JSON Lines File'),
        extensions: ['.jsonl', '.ndjson'],
        mimeTypes: ['text/jsonl', 'application/jsonl'],
        fileFormat: 'text',
        contentType: 'file'
      });
    }

    if (launcher) {
      launcher.add({ command: CommandIDs.open, category: trans.__(CATEGORY), rank: 1 });
    }

    if (restorer) {
      void restorer.restore(tracker, { command: CommandIDs.open, name: () => 'aqua-ext' });
      // One tab per deployment or connection (its key); the conversation itself comes back from localStorage.
      void restorer.restore(playgroundTracker, {
        command: CommandIDs.openPlayground,
        args: widget => ({ deploymentId: widget.content.deploymentId }),
        name: widget => widget.content.deploymentId
      });
    }

    if (loadedSettings) {
      loadedSettings
        .then(loaded => {
          const apply = (): void => {
            settings = readSettings(loaded.composite as { [key: string]: unknown });
            tracker.forEach(widget => {
              widget.content.settings = settings;
            });
          };
          apply();
          loaded.changed.connect(apply);
        })
        .catch(reason => {
          console.error(`aqua_ext: could not load the settings of ${PLUGIN_ID}`, reason);
        });
    }

    // Keep the icon module referenced: it registers the settings icon.
    void aquaIcon;
  }
};

/** The single JSON Lines file selected in the file browser, or null. */
function selectedDataset(factory: IFileBrowserFactory | null): string | null {
  const browser = factory?.tracker.currentWidget;
  if (!browser) {
    return null;
  }
  const items = Array.from(browser.selectedItems());
  if (items.length !== 1) {
    return null;
  }
  const [item] = items;
  return item.type !== 'directory' && isDatasetFile(item.name) ? item.path : null;
}

function confirmWithDialog(trans: TranslationBundle): Confirm {
  return async (message, options = {}) => {
    const accept = options.danger
      ? Dialog.warnButton({ label: options.acceptLabel ?? trans.__('OK') })
      : Dialog.okButton({ label: options.acceptLabel ?? trans.__('OK') });
    const result = await showDialog({
      title: options.title ?? trans.__('AI Quick Actions'),
      body: message,
      buttons: [Dialog.cancelButton({ label: trans.__('Cancel') }), accept]
    });
    return result.button.accept;
  };
}

/**
 * Markdown through JupyterLab's rendermime (sanitized, themed); plain text
 * when rendermime is not available.
 */
function markdownRenderer(rendermime: IRenderMimeRegistry | null): RenderMarkdown {
  const rendered = new WeakMap<HTMLElement, IRenderMime.IRenderer>();
  return async (host, markdown) => {
    rendered.get(host)?.dispose();
    rendered.delete(host);
    const mimeType = 'text/markdown';
    if (!rendermime || !rendermime.preferredMimeType({ [mimeType]: markdown }, 'any')) {
      host.textContent = markdown;
      return;
    }
    const renderer = rendermime.createRenderer(mimeType);
    await renderer.renderModel(new MimeModel({ data: { [mimeType]: markdown }, trusted: false }));
    host.replaceChildren();
    if (host.isConnected) {
      Widget.attach(renderer, host);
    } else {
      host.appendChild(renderer.node);
    }
    rendered.set(host, renderer);
  };
}

export default plugin;
