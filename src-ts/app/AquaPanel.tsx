import * as React from 'react';

import { ReactWidget } from '@jupyterlab/apputils';
import type { Message } from '@lumino/messaging';

import { AquaApp, type IAquaAppProps, type IEvaluationRequest, type IFineTuneRequest } from './AquaApp';
import type { IAquaSettings } from '../shared/settings';

/**
 * The Lumino shell of the "AI Quick Actions" panel: renders `AquaApp` and
 * turns command requests (register, refresh, show models) and settings
 * changes into props.
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

  /** Open the register dialog. */
  requestRegister(): void {
    this._registerRequest += 1;
    this.update();
  }

  /** Rescan the model sources and reload the list. */
  requestRefresh(): void {
    this._refreshRequest += 1;
    this.update();
  }

  /** Show the model grid (leaving a model's detail). */
  showModels(): void {
    this._modelsRequest += 1;
    this.update();
  }

  /** Show the deployments, or one deployment's detail. */
  showDeployments(deploymentId: string | null = null): void {
    this._deploymentsRequest = { count: this._deploymentsRequest.count + 1, deploymentId };
    this.update();
  }

  /**
   * Show the fine-tuning jobs: one job's detail, or the fine-tune form
   * (`newJob`) prefilled with a base model and a dataset path.
   */
  showFineTunes(options: Omit<IFineTuneRequest, 'count'> = {}): void {
    this._finetuneRequest = { ...options, count: this._finetuneRequest.count + 1 };
    this.update();
  }

  /**
   * Show the evaluations: one evaluation's detail, or the evaluation form
   * (`newEvaluation`) with a deployment or a fine-tune preselected.
   */
  showEvaluations(options: Omit<IEvaluationRequest, 'count'> = {}): void {
    this._evaluationRequest = { ...options, count: this._evaluationRequest.count + 1 };
    this.update();
  }

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
    const options = this._options;
    return (
      <AquaApp
        client={options.client}
        trans={options.trans}
        settings={this._settings}
        renderMarkdown={options.renderMarkdown}
        confirm={options.confirm}
        notify={options.notify}
        copyToClipboard={options.copyToClipboard}
        registerRequest={this._registerRequest}
        refreshRequest={this._refreshRequest}
        modelsRequest={this._modelsRequest}
        deploymentsRequest={this._deploymentsRequest}
        finetuneRequest={this._finetuneRequest}
        evaluationRequest={this._evaluationRequest}
        pickDataset={options.pickDataset}
        uploadDataset={options.uploadDataset}
        visible={this._visible}
        onOpenPlayground={options.onOpenPlayground}
        onDeploymentDeleted={options.onDeploymentDeleted}
      />
    );
  }

  private _options: AquaPanel.IOptions;
  private _settings: IAquaSettings;
  private _registerRequest = 0;
  private _refreshRequest = 0;
  private _modelsRequest = 0;
  private _deploymentsRequest: { count: number; deploymentId: string | null } = { count: 0, deploymentId: null };
  private _finetuneRequest: IFineTuneRequest = { count: 0 };
  private _evaluationRequest: IEvaluationRequest = { count: 0 };
  private _visible = true;
}

export namespace AquaPanel {
  /** What the panel hands to `AquaApp`; the request counters are the panel's own. */
  export type IOptions = Omit<
    IAquaAppProps,
    'registerRequest' | 'refreshRequest' | 'modelsRequest' | 'deploymentsRequest' | 'finetuneRequest' | 'evaluationRequest' | 'visible'
  >;
}
