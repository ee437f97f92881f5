import { ServerConnection } from '@jupyterlab/services';

import { requestAPI } from './request';
import type {
  FitQuery,
  FitReport,
  Info,
  ListModelsQuery,
  ModelDetail,
  ModelList,
  Operation,
  OperationList,
  RegisterModelRequest,
  RegisterModelResponse
} from './types';

/**
 * The typed aqua_ext REST API: one method per route of
 * `schema/api/openapi.json`. Components receive this interface as a prop, so
 * tests pass a fake.
 */
export interface IAquaClient {
  /** `GET aqua-ext/info` */
  getInfo(): Promise<Info>;
  /** `GET aqua-ext/models` */
  listModels(query?: ListModelsQuery): Promise<ModelList>;
  /** `GET aqua-ext/models/{model_id}` */
  getModel(modelId: string): Promise<ModelDetail>;
  /** `POST aqua-ext/models` */
  registerModel(body: RegisterModelRequest): Promise<RegisterModelResponse>;
  /** `DELETE aqua-ext/models/{model_id}` */
  deleteModel(modelId: string): Promise<void>;
  /** `GET aqua-ext/models/{model_id}/fit` */
  getModelFit(modelId: string, query?: FitQuery): Promise<FitReport>;
  /** `GET aqua-ext/operations` */
  listOperations(): Promise<OperationList>;
  /** `GET aqua-ext/operations/{operation_id}` */
  getOperation(operationId: string): Promise<Operation>;
  /** `DELETE aqua-ext/operations/{operation_id}` */
  cancelOperation(operationId: string): Promise<Operation>;
}

/** The client that talks to the server extension of this Jupyter server. */
export class AquaClient implements IAquaClient {
  constructor(options: { serverSettings?: ServerConnection.ISettings } = {}) {
    this.serverSettings = options.serverSettings ?? ServerConnection.makeSettings();
  }

  readonly serverSettings: ServerConnection.ISettings;

  getInfo(): Promise<Info> {
    return this._get<Info>('info');
  }

  listModels(query: ListModelsQuery = {}): Promise<ModelList> {
    return this._get<ModelList>('models' + queryString(query));
  }

  getModel(modelId: string): Promise<ModelDetail> {
    return this._get<ModelDetail>(`models/${encodeURIComponent(modelId)}`);
  }

  registerModel(body: RegisterModelRequest): Promise<RegisterModelResponse> {
    return requestAPI<RegisterModelResponse>(
      'models',
      {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { 'Content-Type': 'application/json' }
      },
      this.serverSettings
    );
  }

  async deleteModel(modelId: string): Promise<void> {
    await requestAPI<void>(`models/${encodeURIComponent(modelId)}`, { method: 'DELETE' }, this.serverSettings);
  }

  getModelFit(modelId: string, query: FitQuery = {}): Promise<FitReport> {
    return this._get<FitReport>(`models/${encodeURIComponent(modelId)}/fit` + queryString(query));
  }

  listOperations(): Promise<OperationList> {
    return this._get<OperationList>('operations');
  }

  getOperation(operationId: string): Promise<Operation> {
    return this._get<Operation>(`operations/${encodeURIComponent(operationId)}`);
  }

  cancelOperation(operationId: string): Promise<Operation> {
    return requestAPI<Operation>(
      `operations/${encodeURIComponent(operationId)}`,
      { method: 'DELETE' },
      this.serverSettings
    );
  }

  private _get<T>(endPoint: string): Promise<T> {
    return requestAPI<T>(endPoint, { method: 'GET' }, this.serverSettings);
  }
}

/**
 * `?a=1&b=x` from the defined, non-null entries of a query object (empty
 * string when there are none).
 */
export function queryString(query: object): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') {
      continue;
    }
    params.append(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}
