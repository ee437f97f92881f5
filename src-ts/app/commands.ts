import type { JupyterFrontEnd } from '@jupyterlab/application';
import { ICommandPalette, MainAreaWidget, WidgetTracker } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { addIcon, type LabIcon, refreshIcon } from '@jupyterlab/ui-components';
import type { Widget } from '@lumino/widgets';

import { aquaIcon } from './icons';
import type { AquaPanel } from './AquaPanel';
import type { NavigationRequest } from './navigator';
import type { PlaygroundWidget } from './PlaygroundWidget';
import { parseTargetKey, targetKey } from '../shared/chatTarget';

/** The extension's command ids. */
export namespace CommandIDs {
  /** Open (or activate) the "AI Quick Actions" panel. */
  export const open = 'aqua-ext:open';
  /** Open the panel on the model grid. */
  export const openModels = 'aqua-ext:open-models';
  /** Open the panel and its register dialog. */
  export const registerModel = 'aqua-ext:register-model';
  /** Rescan the model sources and reload the list. */
  export const refreshModels = 'aqua-ext:refresh-models';
  /** Open the panel on the deployments (args: `deploymentId` to show one). */
  export const openDeployments = 'aqua-ext:open-deployments';
  /**
   * Open (or activate) a playground tab (args: `deploymentId`, or `connectionId`
   * for a hosted service; a restored tab's `deploymentId` may be a connection's key).
   */
  export const openPlayground = 'aqua-ext:open-playground';
  /** Open the panel on the fine-tuning jobs (args: `finetuneId` to show one). */
  export const openFineTunes = 'aqua-ext:open-finetunes';
  /** Open the panel and the fine-tune form (args: `modelId`, `datasetPath` to prefill it). */
  export const newFineTune = 'aqua-ext:new-finetune';
  /**
   * The file browser's "Fine-tune with this dataset": the fine-tune form with
   * the selected JSONL file (args: `path` instead of the selection).
   */
  export const fineTuneDataset = 'aqua-ext:finetune-dataset';
  /** Open the panel on the evaluations (args: `evaluationId` to show one). */
  export const openEvaluations = 'aqua-ext:open-evaluations';
  /** Open the panel and the evaluation form (args: `deploymentId` or `finetuneId` to preselect). */
  export const newEvaluation = 'aqua-ext:new-evaluation';
}

/** File-browser items that are JSON Lines datasets (the context menu's selector). */
export const DATASET_ITEM_SELECTOR = '.jp-DirListing-item[data-file-type="jsonl"]';

/** Palette and launcher category. */
export const CATEGORY = 'AI Quick Actions';

/** Id of the single main-area panel. */
export const PANEL_ID = 'aqua-ext-main';

export type AquaMainWidget = MainAreaWidget<AquaPanel>;
export type PlaygroundMainWidget = MainAreaWidget<PlaygroundWidget>;

/** Id prefix of the playground tabs (one per deployment). */
export const PLAYGROUND_ID_PREFIX = 'aqua-ext-playground-';

export interface ICommandOptions {
  app: JupyterFrontEnd;
  trans: TranslationBundle;
  tracker: WidgetTracker<AquaMainWidget>;
  /** Build the panel's content (called once, when the panel first opens: its code loads then). */
  createPanel: () => Promise<AquaPanel>;
  palette?: ICommandPalette | null;
  /**
   * The dataset file selected in the file browser (its path inside the Jupyter
   * root), or null; without it `aqua-ext:finetune-dataset` needs a `path` argument.
   */
  selectedDataset?: () => string | null;
  /** Playground tabs; without them `aqua-ext:open-playground` is not registered. */
  playgrounds?: {
    tracker: WidgetTracker<PlaygroundMainWidget>;
    /** Build a playground; `setTitle` receives the deployment's name once it is known. */
    create: (deploymentId: string, setTitle: (name: string) => void) => Promise<PlaygroundWidget>;
  };
}

/** Register the commands (and palette items); no network calls happen here. */
export function registerCommands(options: ICommandOptions): void {
  const { app, trans, tracker, createPanel, palette, playgrounds, selectedDataset } = options;
  const { commands, shell } = app;

  /**
   * A main-area tab of `content`, tracked by `tabs`: the extension's icon, closable, and no
   * main-area toolbar (the panel and the playground have their own header and toolbars: it
   * would stay an empty strip above them, outside the register dialog's backdrop).
   */
  function mainTab<T extends Widget>(
    content: T,
    tabs: WidgetTracker<MainAreaWidget<T>>,
    options: { id: string; className: string; label: string; caption?: string }
  ): MainAreaWidget<T> {
    const widget = new MainAreaWidget<T>({ content });
    widget.id = options.id;
    widget.addClass(options.className);
    widget.toolbar.hide();
    widget.title.label = options.label;
    widget.title.caption = options.caption ?? '';
    widget.title.icon = aquaIcon;
    widget.title.closable = true;
    void tabs.add(widget);
    return widget;
  }

  // Tabs whose code is loading, by key (the panel's id; a playground's prefix and target key):
  // a second command waits for the same tab.
  const building = new Map<string, Promise<MainAreaWidget>>();
  /**
   * Show the tab its tracker holds (`existing`), or else the one `create` builds; then add it
   * to the main area where it is not there, and activate it.
   */
  async function showTab<W extends MainAreaWidget>(
    key: string,
    existing: W | undefined,
    create: () => Promise<W>
  ): Promise<W> {
    let widget = existing && !existing.isDisposed ? existing : undefined;
    if (!widget) {
      const pending = (building.get(key) as Promise<W> | undefined) ?? create();
      building.set(key, pending);
      try {
        widget = await pending;
      } finally {
        building.delete(key);
      }
    }
    if (!widget.isAttached) {
      shell.add(widget, 'main');
    }
    shell.activateById(widget.id);
    return widget;
  }

  const open = (): Promise<AquaMainWidget> =>
    showTab(
      PANEL_ID,
      tracker.find(() => true),
      async () =>
        mainTab(await createPanel(), tracker, {
          id: PANEL_ID,
          className: 'jp-AquaExt-MainArea',
          label: trans.__('AI Quick Actions'),
          caption: trans.__('Browse, register, deploy, fine-tune and evaluate models')
        })
    );

  const text = (value: unknown): string | null => (typeof value === 'string' && value.length > 0 ? value : null);

  /**
   * A command that opens the panel, where `request` (built from the command's
   * arguments) says if given; its icon shows in menus and the launcher, not in the palette.
   */
  const panelCommand = (
    id: string,
    label: string,
    caption: string,
    icon: LabIcon,
    request?: (args: { [key: string]: unknown }) => NavigationRequest
  ): void => {
    commands.addCommand(id, {
      label,
      caption,
      icon: args => (args['isPalette'] ? undefined : icon),
      execute: async args => {
        const panel = await open();
        if (request) {
          panel.content.navigator.navigate(request(args));
        }
      }
    });
  };

  panelCommand(
    CommandIDs.open,
    trans.__('AI Quick Actions'),
    trans.__('Open AI Quick Actions: browse, register, deploy and fine-tune models'),
    aquaIcon
  );
  panelCommand(
    CommandIDs.openModels,
    trans.__('Browse Models'),
    trans.__('Open the AI Quick Actions model explorer'),
    aquaIcon,
    () => ({ to: 'models' })
  );
  panelCommand(
    CommandIDs.registerModel,
    trans.__('Register Model…'),
    trans.__('Register a local folder or a Hugging Face model'),
    addIcon,
    () => ({ to: 'register' })
  );

  commands.addCommand(CommandIDs.refreshModels, {
    label: trans.__('Refresh Models'),
    caption: trans.__('Rescan the model sources and reload the list'),
    icon: args => (args['isPalette'] ? undefined : refreshIcon),
    execute: () => {
      const existing = tracker.find(() => true);
      if (existing && !existing.isDisposed) {
        existing.content.navigator.navigate({ to: 'refresh-models' });
      } else {
        // A freshly opened panel loads the list itself.
        return open();
      }
    }
  });

  panelCommand(
    CommandIDs.openDeployments,
    trans.__('Deployments'),
    trans.__('Open the AI Quick Actions deployments'),
    aquaIcon,
    args => ({
      to: 'deployments',
      deploymentId: typeof args['deploymentId'] === 'string' ? args['deploymentId'] : null
    })
  );
  panelCommand(
    CommandIDs.openFineTunes,
    trans.__('Fine-tuning'),
    trans.__('Open the AI Quick Actions fine-tuning jobs'),
    aquaIcon,
    args => ({ to: 'finetunes', finetuneId: text(args['finetuneId']) })
  );
  panelCommand(
    CommandIDs.newFineTune,
    trans.__('New Fine-tune…'),
    trans.__('Fine-tune a model on a JSONL dataset (LoRA or its last layers)'),
    addIcon,
    args => ({
      to: 'finetunes',
      newJob: true,
      modelId: text(args['modelId']),
      datasetPath: text(args['datasetPath'])
    })
  );

  const datasetPath = (args: { [key: string]: unknown }): string | null =>
    text(args['path']) ?? selectedDataset?.() ?? null;
  commands.addCommand(CommandIDs.fineTuneDataset, {
    label: trans.__('Fine-tune with this dataset'),
    caption: trans.__('Open the fine-tune form with this JSONL file as the dataset'),
    icon: aquaIcon,
    isEnabled: args => datasetPath(args) !== null,
    execute: async args => {
      const path = datasetPath(args);
      if (path) {
        (await open()).content.navigator.navigate({ to: 'finetunes', newJob: true, datasetPath: path });
      }
    }
  });

  panelCommand(
    CommandIDs.openEvaluations,
    trans.__('Evaluations'),
    trans.__('Open the AI Quick Actions evaluations'),
    aquaIcon,
    args => ({ to: 'evaluations', evaluationId: text(args['evaluationId']) })
  );
  panelCommand(
    CommandIDs.newEvaluation,
    trans.__('New Evaluation…'),
    trans.__(
      'Score a deployment or a connection on a JSONL dataset (BERTScore, ROUGE, BLEU, chrF, exact match, readability, latency)'
    ),
    addIcon,
    args => ({
      to: 'evaluations',
      newEvaluation: true,
      deploymentId: text(args['deploymentId']),
      connectionId: text(args['connectionId']),
      finetuneId: text(args['finetuneId'])
    })
  );

  async function createPlayground(
    tabs: NonNullable<ICommandOptions['playgrounds']>,
    deploymentId: string
  ): Promise<PlaygroundMainWidget> {
    const isConnection = parseTargetKey(deploymentId).kind === 'connection';
    const main: PlaygroundMainWidget = mainTab(
      await tabs.create(deploymentId, name => {
        main.title.label = trans.__('Playground: %1', name);
        main.title.caption = isConnection
          ? trans.__('Playground of the connection “%1”', name)
          : trans.__('Playground of the deployment “%1”', name);
      }),
      tabs.tracker,
      {
        id: PLAYGROUND_ID_PREFIX + deploymentId.replace(/[^A-Za-z0-9_-]/g, '_'),
        className: 'jp-AquaExt-PlaygroundArea',
        label: trans.__('Playground')
      }
    );
    return main;
  }

  if (playgrounds) {
    commands.addCommand(CommandIDs.openPlayground, {
      label: trans.__('Open Playground'),
      caption: trans.__('Chat with a deployment in its own tab'),
      icon: aquaIcon,
      isEnabled: args => playgroundKey(args) !== null,
      execute: args => {
        // One tab per deployment or connection: its key (`targetKey`) names it.
        const deploymentId = playgroundKey(args) as string;
        return showTab(
          PLAYGROUND_ID_PREFIX + deploymentId,
          playgrounds.tracker.find(item => item.content.deploymentId === deploymentId),
          () => createPlayground(playgrounds, deploymentId)
        );
      }
    });
  }

  function playgroundKey(args: { [key: string]: unknown }): string | null {
    const connectionId = text(args['connectionId']);
    return connectionId ? targetKey({ kind: 'connection', id: connectionId }) : text(args['deploymentId']);
  }

  if (palette) {
    for (const command of [
      CommandIDs.open,
      CommandIDs.openModels,
      CommandIDs.openDeployments,
      CommandIDs.openFineTunes,
      CommandIDs.newFineTune,
      CommandIDs.openEvaluations,
      CommandIDs.newEvaluation,
      CommandIDs.registerModel,
      CommandIDs.refreshModels
    ]) {
      palette.addItem({ command, category: trans.__(CATEGORY), args: { isPalette: true } });
    }
  }
}
