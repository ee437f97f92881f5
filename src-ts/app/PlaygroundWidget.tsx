import * as React from 'react';

import { ReactWidget } from '@jupyterlab/apputils';

import { Playground, type IPlaygroundProps } from '../features/playground/Playground';

/**
 * The Lumino shell of one deployment's playground tab: renders `Playground`
 * and reports the deployment's name for the tab title.
 */
export class PlaygroundWidget extends ReactWidget {
  constructor(options: PlaygroundWidget.IOptions) {
    super();
    this.addClass('jp-AquaExt-PlaygroundWidget');
    this._options = options;
  }

  /** The deployment this tab talks to (the layout restorer's key). */
  get deploymentId(): string {
    return this._options.deploymentId;
  }

  protected render(): JSX.Element {
    return <Playground {...this._options} />;
  }

  private _options: PlaygroundWidget.IOptions;
}

export namespace PlaygroundWidget {
  export type IOptions = IPlaygroundProps;
}
