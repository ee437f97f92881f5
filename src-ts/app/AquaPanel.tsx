import * as React from 'react';

import { ReactWidget } from '@jupyterlab/apputils';
import type { Message } from '@lumino/messaging';

import { AquaApp, type IAquaAppProps } from './AquaApp';
import { NotebookInsertContext, type InsertIntoNotebook } from '../features/deployments/notebookInsert';
import { Navigator } from './navigator';
import type { IAquaSettings } from '../shared/settings';

/**
 * The Lumino shell of the "AI Quick Actions" panel: renders `AquaApp`, hands
 * it the navigator that commands use, and turns settings changes into props.
 */
export class AquaPanel extends ReactWidget {
  constructor(options: AquaPanel.IOptions) {
    super();
    this.addClass('jp-AquaExt-Panel');
    this.node.tabIndex = -1;
    this._options = options;
    this._settings = options.settings;
  }

  get settings(): IAquaSettings {
    return this._settings;
  }

  set settings(value: IAquaSettings) {
    this._settings = value;
    this.update();
  }

  /** Where commands send the panel: the app inside follows its requests. */
  readonly navigator = new Navigator();

  /** Polling stops while the panel is hidden (another tab in front). */
  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this._visible = true;
    this.update();
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this._visible = false;
    this.update();
  }

  /** Focus moves into the panel: the search box when the grid shows. */
  protected onActivateRequest(msg: Message): void {
    super.onActivateRequest(msg);
    const search = this.node.querySelector<HTMLInputElement>('.jp-AquaExt-ModelExplorer-search input');
    if (search && search.offsetParent !== null) {
      search.focus();
    } else if (!this.node.contains(document.activeElement)) {
      this.node.focus();
    }
  }

  protected render(): JSX.Element {
    const { insertIntoNotebook, ...options } = this._options;
    return (
      <NotebookInsertContext.Provider value={insertIntoNotebook ?? null}>
        <AquaApp {...options} settings={this._settings} navigator={this.navigator} visible={this._visible} />
      </NotebookInsertContext.Provider>
    );
  }

  private _options: AquaPanel.IOptions;
  private _settings: IAquaSettings;
  private _visible = true;
}

export namespace AquaPanel {
  /** What the panel hands to `AquaApp`; the navigator and the visibility are the panel's own. */
  export type IOptions = Omit<IAquaAppProps, 'navigator' | 'visible'> & {
    /** "Insert into notebook" for the code snippets (JupyterLab's notebook tracker). */
    insertIntoNotebook?: InsertIntoNotebook;
  };
}
