/**
 * How commands (and the panel's own links) tell the "AI Quick Actions" panel
 * where to go: a typed request handed to the one listener, `AquaApp`.
 * Requests made before the panel has rendered (a command that opened it and
 * asked at once) wait and are delivered, in order, when it connects.
 */

/** Show the model grid (leaving a model's detail). */
export interface IModelsRequest {
  to: 'models';
}

/** Open the register dialog on the model grid. */
export interface IRegisterRequest {
  to: 'register';
}

/** Rescan the model sources and reload the list. */
export interface IRefreshModelsRequest {
  to: 'refresh-models';
}

/** Show the deployments, or one deployment's detail. */
export interface IDeploymentsRequest {
  to: 'deployments';
  deploymentId?: string | null;
}

/** Show the fine-tuning jobs: one job's detail, or the fine-tune form. */
export interface IFineTunesRequest {
  to: 'finetunes';
  /** Show this job's detail. */
  finetuneId?: string | null;
  /** Open the fine-tune form. */
  newJob?: boolean;
  /** The base model the form starts from. */
  modelId?: string | null;
  /** The dataset the form starts from (a path inside the Jupyter root). */
  datasetPath?: string | null;
}

/** Show the evaluations: one evaluation's detail, or the evaluation form. */
export interface IEvaluationsRequest {
  to: 'evaluations';
  /** Show this evaluation's detail. */
  evaluationId?: string | null;
  /** Open the evaluation form. */
  newEvaluation?: boolean;
  /** The deployment the form starts with. */
  deploymentId?: string | null;
  /** The connection the form starts with (evaluated instead of a deployment). */
  connectionId?: string | null;
  /** The fine-tune whose training data the form starts with. */
  finetuneId?: string | null;
}

/** Open the OCI setup view, at one check (an authorization error's `setup_check`). */
export interface ISetupRequest {
  to: 'setup';
  check?: string | null;
}

export type NavigationRequest =
  | IModelsRequest
  | IRegisterRequest
  | IRefreshModelsRequest
  | IDeploymentsRequest
  | IFineTunesRequest
  | IEvaluationsRequest
  | ISetupRequest;

export type NavigationListener = (request: NavigationRequest) => void;

export class Navigator {
  /** Ask the panel to go somewhere; kept until a listener connects. */
  navigate(request: NavigationRequest): void {
    if (this._listener) {
      this._listener(request);
    } else {
      this._pending.push(request);
    }
  }

  /** Become the listener (requests already made arrive now); call the result to leave. */
  connect(listener: NavigationListener): () => void {
    this._listener = listener;
    const pending = this._pending.splice(0);
    pending.forEach(request => listener(request));
    return () => {
      if (this._listener === listener) {
        this._listener = null;
      }
    };
  }

  private _listener: NavigationListener | null = null;
  private _pending: NavigationRequest[] = [];
}
