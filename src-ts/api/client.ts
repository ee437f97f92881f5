import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { streamChat } from './chatStream';
import { API_NAMESPACE, requestAPI } from './request';
import type {
  ChatRequest,
  ChatStreamEvent,
  ConnectionChatRequest,
  ConnectionDetail,
  ConnectionList,
  ConnectionModels,
  CreateConnectionRequest,
  ExportConnectionsQuery,
  ExportConnectionsResponse,
  ImportConnectionsRequest,
  ImportConnectionsResponse,
  TestConnectionRequest,
  TestConnectionResult,
  UpdateConnectionRequest,
  CreateDeploymentRequest,
  CreateDeploymentResponse,
  TerraformExport,
  CreateFineTuneRequest,
  CreateEvaluationRequest,
  CreateEvaluationResponse,
  CreateFineTuneResponse,
  DatasetReport,
  EvaluationComparison,
  EvaluationDetail,
  EvaluationList,
  EvaluationLogsQuery,
  EvaluationRows,
  EvaluationRowsQuery,
  DeploymentDetail,
  DeploymentList,
  DeploymentMetrics,
  LogPage,
  UpdateDeploymentRequest,
  SetAdaptersRequest,
  SetAdaptersResponse,
  LogsQuery,
  EmbedRequest,
  EmbedResponse,
  FineTuneDefaults,
  FineTuneDefaultsQuery,
  FineTuneDetail,
  FineTuneList,
  FineTuneMetrics,
  FitQuery,
  FitReport,
  Info,
  ListModelsQuery,
  MetricsQuery,
  ModelDetail,
  ModelList,
  Operation,
  OperationList,
  RegisterModelRequest,
  RegisterModelResponse,
  OciSetupReport,
  SetupQuery,
  SaveDatasetRowRequest,
  SaveDatasetRowResponse,
  ValidateDatasetRequest,
  ClusterPlan,
  ClusterPlanQuery,
  CreateClusterRequest,
  CreateGenAiEndpointRequest,
  CreateGenAiFineTuneRequest,
  GenAiClusterList,
  GenAiClusterResponse,
  GenAiEndpointResponse,
  GenAiFineTuneResponse,
  GenAiModelList,
  GenAiModelResponse,
  GenAiTrainingDefaults,
  ImportGenAiModelRequest,
  OnDemandModelList
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
  /** `GET aqua-ext/deployments` */
  listDeployments(): Promise<DeploymentList>;
  /** `GET aqua-ext/deployments/{deployment_id}` */
  getDeployment(deploymentId: string): Promise<DeploymentDetail>;
  /** `POST aqua-ext/deployments` (202: the deployment is CREATING) */
  createDeployment(body: CreateDeploymentRequest): Promise<CreateDeploymentResponse>;
  /** `POST aqua-ext/deployments/terraform`: the same request as Terraform, nothing created (OCI targets) */
  exportDeploymentTerraform(body: CreateDeploymentRequest): Promise<TerraformExport>;
  /** `DELETE aqua-ext/deployments/{deployment_id}` */
  deleteDeployment(deploymentId: string): Promise<void>;
  /** `POST aqua-ext/deployments/{deployment_id}/activate` (202) */
  activateDeployment(deploymentId: string): Promise<CreateDeploymentResponse>;
  /** `POST aqua-ext/deployments/{deployment_id}/deactivate` */
  deactivateDeployment(deploymentId: string): Promise<DeploymentDetail>;
  /** `GET aqua-ext/deployments/{deployment_id}/logs` */
  getDeploymentLogs(deploymentId: string, query?: LogsQuery): Promise<LogPage>;
  /** `PATCH aqua-ext/deployments/{deployment_id}`: its idle stop */
  updateDeployment(deploymentId: string, body: UpdateDeploymentRequest): Promise<DeploymentDetail>;
  /**
   * `PUT aqua-ext/deployments/{deployment_id}/adapters`: the whole set of LoRA adapters it serves from now on
   * (applied live, by restarting the engine with an operation, or saved for its next start)
   */
  setDeploymentAdapters(deploymentId: string, body: SetAdaptersRequest): Promise<SetAdaptersResponse>;
  /** `GET aqua-ext/deployments/{deployment_id}/metrics` */
  getDeploymentMetrics(deploymentId: string): Promise<DeploymentMetrics>;
  /** `POST aqua-ext/deployments/{deployment_id}/embed` */
  embed(deploymentId: string, body: EmbedRequest): Promise<EmbedResponse>;
  /** `POST aqua-ext/datasets/validate`: the preflight (400 naming each bad line as `line N`). */
  validateDataset(body: ValidateDatasetRequest): Promise<DatasetReport>;
  /** `POST aqua-ext/datasets/rows` (a playground turn as a dataset row; `saved` false: warnings to allow) */
  saveDatasetRow(body: SaveDatasetRowRequest): Promise<SaveDatasetRowResponse>;
  /** `GET aqua-ext/models/{model_id}/finetune-defaults` (the query refreshes the training memory fit) */
  getFineTuneDefaults(modelId: string, query?: FineTuneDefaultsQuery): Promise<FineTuneDefaults>;
  /** `GET aqua-ext/finetunes` */
  listFineTunes(): Promise<FineTuneList>;
  /** `POST aqua-ext/finetunes` (202: the job is ACCEPTED) */
  createFineTune(body: CreateFineTuneRequest): Promise<CreateFineTuneResponse>;
  /** `POST aqua-ext/finetunes/terraform`: an OCI fine-tune as Terraform and SDK calls, nothing created */
  exportFineTuneTerraform(body: CreateFineTuneRequest): Promise<TerraformExport>;
  /** `GET aqua-ext/finetunes/{finetune_id}` */
  getFineTune(finetuneId: string): Promise<FineTuneDetail>;
  /** `DELETE aqua-ext/finetunes/{finetune_id}` (a finished job, and the model it produced) */
  deleteFineTune(finetuneId: string): Promise<void>;
  /** `POST aqua-ext/finetunes/{finetune_id}/cancel` */
  cancelFineTune(finetuneId: string): Promise<FineTuneDetail>;
  /** `GET aqua-ext/finetunes/{finetune_id}/logs` */
  getFineTuneLogs(finetuneId: string, query?: LogsQuery): Promise<LogPage>;
  /** `GET aqua-ext/finetunes/{finetune_id}/metrics` (`after`: the cursor of the previous answer) */
  getFineTuneMetrics(finetuneId: string, query?: MetricsQuery): Promise<FineTuneMetrics>;
  /** `GET aqua-ext/evaluations` */
  listEvaluations(): Promise<EvaluationList>;
  /** `POST aqua-ext/evaluations` (202: the evaluation is ACCEPTED; 409 when the deployment is not ACTIVE) */
  createEvaluation(body: CreateEvaluationRequest): Promise<CreateEvaluationResponse>;
  /** `GET aqua-ext/evaluations/{evaluation_id}` */
  getEvaluation(evaluationId: string): Promise<EvaluationDetail>;
  /** `DELETE aqua-ext/evaluations/{evaluation_id}` (a finished evaluation, and its report) */
  deleteEvaluation(evaluationId: string): Promise<void>;
  /** `POST aqua-ext/evaluations/{evaluation_id}/cancel` */
  cancelEvaluation(evaluationId: string): Promise<EvaluationDetail>;
  /** `GET aqua-ext/evaluations/{evaluation_id}/rows` (sorted, filtered, one page) */
  getEvaluationRows(evaluationId: string, query?: EvaluationRowsQuery): Promise<EvaluationRows>;
  /** `GET aqua-ext/evaluations/{evaluation_id}/logs` */
  getEvaluationLogs(evaluationId: string, query?: EvaluationLogsQuery): Promise<LogPage>;
  /** `GET aqua-ext/compare/evaluations?ids=a,b` */
  compareEvaluations(evaluationIds: readonly string[]): Promise<EvaluationComparison>;
  /** `GET aqua-ext/oci/setup`: the policies AQUA needs in the compartment and which are missing (read-only). */
  getOciSetup(query?: SetupQuery): Promise<OciSetupReport>;
  /**
   * The URL of `GET aqua-ext/evaluations/{evaluation_id}/report.html`, for a
   * download link: the browser sends the session's cookie, so no token is
   * ever put in the page.
   */
  evaluationReportUrl(evaluationId: string): string;
  /**
   * `POST aqua-ext/deployments/{deployment_id}/chat`: the turn's events as
   * they arrive. Rejects before the first event when the server refuses the
   * turn; aborting `signal` ends it at once.
   */
  streamChat(deploymentId: string, body: ChatRequest, signal?: AbortSignal): AsyncIterable<ChatStreamEvent>;
  /** `GET aqua-ext/connections` */
  listConnections(): Promise<ConnectionList>;
  /** `POST aqua-ext/connections` (201; the secret is kept on the server, never answered) */
  createConnection(body: CreateConnectionRequest): Promise<ConnectionDetail>;
  /** `POST aqua-ext/connections/import`: an ODA `exportedRestServices` YAML document, all or none (400 naming the entry and key). */
  importConnections(body: ImportConnectionsRequest): Promise<ImportConnectionsResponse>;
  /** `GET aqua-ext/connections/export` (secrets only when `include_secrets`) */
  exportConnections(query?: ExportConnectionsQuery): Promise<ExportConnectionsResponse>;
  /** `GET aqua-ext/connections/{connection_id}` */
  getConnection(connectionId: string): Promise<ConnectionDetail>;
  /** `PATCH aqua-ext/connections/{connection_id}` (secret: absent keeps it, "" removes it) */
  updateConnection(connectionId: string, body: UpdateConnectionRequest): Promise<ConnectionDetail>;
  /** `DELETE aqua-ext/connections/{connection_id}` (and its secret) */
  deleteConnection(connectionId: string): Promise<void>;
  /** `POST aqua-ext/connections/{connection_id}/test`: a failed test is its result, not an error. */
  testConnection(connectionId: string, body?: TestConnectionRequest): Promise<TestConnectionResult>;
  /** `GET aqua-ext/connections/{connection_id}/models` */
  listConnectionModels(connectionId: string): Promise<ConnectionModels>;
  /**
   * `POST aqua-ext/connections/{connection_id}/chat`: the same events as a
   * deployment's stream (delta…, then done or error), and the same refusals.
   */
  streamConnectionChat(
    connectionId: string,
    body: ConnectionChatRequest,
    signal?: AbortSignal
  ): AsyncIterable<ChatStreamEvent>;
  /** `GET aqua-ext/genai/models`: the Generative AI target's base, fine-tuned and imported models. */
  listGenAiModels(): Promise<GenAiModelList>;
  /**
   * `GET aqua-ext/genai/on-demand-models`: the region's base models served on
   * demand (503 when the genai target is not enabled); each is then a
   * deployment by its OCID (`getDeployment`, `streamChat`, evaluations).
   */
  listGenAiOnDemandModels(): Promise<OnDemandModelList>;
  /** `POST aqua-ext/genai/models` (202; the token is sent once, never answered). */
  importGenAiModel(body: ImportGenAiModelRequest): Promise<GenAiModelResponse>;
  /** `POST aqua-ext/genai/models/terraform`: the import as Terraform, nothing created. */
  exportGenAiModelTerraform(body: ImportGenAiModelRequest): Promise<TerraformExport>;
  /** `GET aqua-ext/genai/clusters` (with each one's cost) */
  listGenAiClusters(): Promise<GenAiClusterList>;
  /** `POST aqua-ext/genai/clusters` (202; 400 naming `unit_shape` below the fit or over its limit) */
  createGenAiCluster(body: CreateClusterRequest): Promise<GenAiClusterResponse>;
  /** `POST aqua-ext/genai/clusters/terraform` */
  exportGenAiClusterTerraform(body: CreateClusterRequest): Promise<TerraformExport>;
  /** `GET aqua-ext/genai/cluster-plan`: every unit shape for a model, its fit, limit and cost. */
  getGenAiClusterPlan(query?: ClusterPlanQuery): Promise<ClusterPlan>;
  /** `DELETE aqua-ext/genai/clusters/{cluster_id}` */
  deleteGenAiCluster(clusterId: string): Promise<void>;
  /** `POST aqua-ext/genai/endpoints` (202; then listed with the deployments) */
  createGenAiEndpoint(body: CreateGenAiEndpointRequest): Promise<GenAiEndpointResponse>;
  /** `POST aqua-ext/genai/endpoints/terraform` */
  exportGenAiEndpointTerraform(body: CreateGenAiEndpointRequest): Promise<TerraformExport>;
  /** `POST aqua-ext/genai/finetunes` (202; the dataset is checked first) */
  createGenAiFineTune(body: CreateGenAiFineTuneRequest): Promise<GenAiFineTuneResponse>;
  /** `POST aqua-ext/genai/finetunes/terraform` (`oci_generative_ai_model`) */
  exportGenAiFineTuneTerraform(body: CreateGenAiFineTuneRequest): Promise<TerraformExport>;
  /** `GET aqua-ext/genai/training-defaults`: each training method's hyperparameters, defaults and ranges. */
  getGenAiTrainingDefaults(): Promise<GenAiTrainingDefaults>;
  /**
   * The absolute URL of a path relative to the server's base URL (such as a
   * deployment's `openai_base_path`), for code that runs outside this page.
   */
  serverUrl(path: string): string;
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
    return this._post<RegisterModelResponse>('models', body);
  }

  async deleteModel(modelId: string): Promise<void> {
    await this._delete<void>(`models/${encodeURIComponent(modelId)}`);
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
    return this._delete<Operation>(`operations/${encodeURIComponent(operationId)}`);
  }

  listDeployments(): Promise<DeploymentList> {
    return this._get<DeploymentList>('deployments');
  }

  getDeployment(deploymentId: string): Promise<DeploymentDetail> {
    return this._get<DeploymentDetail>(`deployments/${encodeURIComponent(deploymentId)}`);
  }

  createDeployment(body: CreateDeploymentRequest): Promise<CreateDeploymentResponse> {
    return this._post<CreateDeploymentResponse>('deployments', body);
  }

  exportDeploymentTerraform(body: CreateDeploymentRequest): Promise<TerraformExport> {
    return this._post<TerraformExport>('deployments/terraform', body);
  }

  async deleteDeployment(deploymentId: string): Promise<void> {
    await this._delete<void>(`deployments/${encodeURIComponent(deploymentId)}`);
  }

  activateDeployment(deploymentId: string): Promise<CreateDeploymentResponse> {
    return this._post<CreateDeploymentResponse>(`deployments/${encodeURIComponent(deploymentId)}/activate`);
  }

  deactivateDeployment(deploymentId: string): Promise<DeploymentDetail> {
    return this._post<DeploymentDetail>(`deployments/${encodeURIComponent(deploymentId)}/deactivate`);
  }

  getDeploymentLogs(deploymentId: string, query: LogsQuery = {}): Promise<LogPage> {
    return this._get<LogPage>(`deployments/${encodeURIComponent(deploymentId)}/logs` + queryString(query));
  }

  updateDeployment(deploymentId: string, body: UpdateDeploymentRequest): Promise<DeploymentDetail> {
    return this._send<DeploymentDetail>('PATCH', `deployments/${encodeURIComponent(deploymentId)}`, body);
  }

  setDeploymentAdapters(deploymentId: string, body: SetAdaptersRequest): Promise<SetAdaptersResponse> {
    return this._send<SetAdaptersResponse>('PUT', `deployments/${encodeURIComponent(deploymentId)}/adapters`, body);
  }

  getDeploymentMetrics(deploymentId: string): Promise<DeploymentMetrics> {
    return this._get<DeploymentMetrics>(`deployments/${encodeURIComponent(deploymentId)}/metrics`);
  }

  embed(deploymentId: string, body: EmbedRequest): Promise<EmbedResponse> {
    return this._post<EmbedResponse>(`deployments/${encodeURIComponent(deploymentId)}/embed`, body);
  }

  validateDataset(body: ValidateDatasetRequest): Promise<DatasetReport> {
    return this._post<DatasetReport>('datasets/validate', body);
  }

  saveDatasetRow(body: SaveDatasetRowRequest): Promise<SaveDatasetRowResponse> {
    return this._post<SaveDatasetRowResponse>('datasets/rows', body);
  }

  getFineTuneDefaults(modelId: string, query: FineTuneDefaultsQuery = {}): Promise<FineTuneDefaults> {
    return this._get<FineTuneDefaults>(`models/${encodeURIComponent(modelId)}/finetune-defaults` + queryString(query));
  }

  listFineTunes(): Promise<FineTuneList> {
    return this._get<FineTuneList>('finetunes');
  }

  createFineTune(body: CreateFineTuneRequest): Promise<CreateFineTuneResponse> {
    return this._post<CreateFineTuneResponse>('finetunes', body);
  }

  exportFineTuneTerraform(body: CreateFineTuneRequest): Promise<TerraformExport> {
    return this._post<TerraformExport>('finetunes/terraform', body);
  }

  getFineTune(finetuneId: string): Promise<FineTuneDetail> {
    return this._get<FineTuneDetail>(`finetunes/${encodeURIComponent(finetuneId)}`);
  }

  async deleteFineTune(finetuneId: string): Promise<void> {
    await this._delete<void>(`finetunes/${encodeURIComponent(finetuneId)}`);
  }

  cancelFineTune(finetuneId: string): Promise<FineTuneDetail> {
    return this._post<FineTuneDetail>(`finetunes/${encodeURIComponent(finetuneId)}/cancel`);
  }

  getFineTuneLogs(finetuneId: string, query: LogsQuery = {}): Promise<LogPage> {
    return this._get<LogPage>(`finetunes/${encodeURIComponent(finetuneId)}/logs` + queryString(query));
  }

  getFineTuneMetrics(finetuneId: string, query: MetricsQuery = {}): Promise<FineTuneMetrics> {
    return this._get<FineTuneMetrics>(`finetunes/${encodeURIComponent(finetuneId)}/metrics` + queryString(query));
  }

  listEvaluations(): Promise<EvaluationList> {
    return this._get<EvaluationList>('evaluations');
  }

  createEvaluation(body: CreateEvaluationRequest): Promise<CreateEvaluationResponse> {
    return this._post<CreateEvaluationResponse>('evaluations', body);
  }

  getEvaluation(evaluationId: string): Promise<EvaluationDetail> {
    return this._get<EvaluationDetail>(`evaluations/${encodeURIComponent(evaluationId)}`);
  }

  async deleteEvaluation(evaluationId: string): Promise<void> {
    await this._delete<void>(`evaluations/${encodeURIComponent(evaluationId)}`);
  }

  cancelEvaluation(evaluationId: string): Promise<EvaluationDetail> {
    return this._post<EvaluationDetail>(`evaluations/${encodeURIComponent(evaluationId)}/cancel`);
  }

  getEvaluationRows(evaluationId: string, query: EvaluationRowsQuery = {}): Promise<EvaluationRows> {
    return this._get<EvaluationRows>(`evaluations/${encodeURIComponent(evaluationId)}/rows` + queryString(query));
  }

  getEvaluationLogs(evaluationId: string, query: EvaluationLogsQuery = {}): Promise<LogPage> {
    return this._get<LogPage>(`evaluations/${encodeURIComponent(evaluationId)}/logs` + queryString(query));
  }

  compareEvaluations(evaluationIds: readonly string[]): Promise<EvaluationComparison> {
    return this._get<EvaluationComparison>('compare/evaluations' + queryString({ ids: evaluationIds.join(',') }));
  }

  getOciSetup(query: SetupQuery = {}): Promise<OciSetupReport> {
    return this._get<OciSetupReport>('oci/setup' + queryString(query));
  }

  evaluationReportUrl(evaluationId: string): string {
    return URLExt.join(
      this.serverSettings.baseUrl,
      API_NAMESPACE,
      `evaluations/${encodeURIComponent(evaluationId)}/report.html`
    );
  }

  streamChat(deploymentId: string, body: ChatRequest, signal?: AbortSignal): AsyncIterable<ChatStreamEvent> {
    return this._stream(`deployments/${encodeURIComponent(deploymentId)}/chat`, body, signal);
  }

  listConnections(): Promise<ConnectionList> {
    return this._get<ConnectionList>('connections');
  }

  createConnection(body: CreateConnectionRequest): Promise<ConnectionDetail> {
    return this._post<ConnectionDetail>('connections', body);
  }

  importConnections(body: ImportConnectionsRequest): Promise<ImportConnectionsResponse> {
    return this._post<ImportConnectionsResponse>('connections/import', body);
  }

  exportConnections(query: ExportConnectionsQuery = {}): Promise<ExportConnectionsResponse> {
    // `ids` comma-separated, as `compare/evaluations` takes its ids (none: every connection).
    const { ids, include_secrets } = query;
    return this._get<ExportConnectionsResponse>(
      'connections/export' + queryString({ ids: ids || undefined, include_secrets: include_secrets || undefined })
    );
  }

  getConnection(connectionId: string): Promise<ConnectionDetail> {
    return this._get<ConnectionDetail>(`connections/${encodeURIComponent(connectionId)}`);
  }

  updateConnection(connectionId: string, body: UpdateConnectionRequest): Promise<ConnectionDetail> {
    return this._send<ConnectionDetail>('PATCH', `connections/${encodeURIComponent(connectionId)}`, body);
  }

  async deleteConnection(connectionId: string): Promise<void> {
    await this._delete<void>(`connections/${encodeURIComponent(connectionId)}`);
  }

  testConnection(connectionId: string, body: TestConnectionRequest = {}): Promise<TestConnectionResult> {
    return this._post<TestConnectionResult>(`connections/${encodeURIComponent(connectionId)}/test`, body);
  }

  listConnectionModels(connectionId: string): Promise<ConnectionModels> {
    return this._get<ConnectionModels>(`connections/${encodeURIComponent(connectionId)}/models`);
  }

  streamConnectionChat(
    connectionId: string,
    body: ConnectionChatRequest,
    signal?: AbortSignal
  ): AsyncIterable<ChatStreamEvent> {
    return this._stream(`connections/${encodeURIComponent(connectionId)}/chat`, body, signal);
  }

  listGenAiModels(): Promise<GenAiModelList> {
    return this._get<GenAiModelList>('genai/models');
  }

  listGenAiOnDemandModels(): Promise<OnDemandModelList> {
    return this._get<OnDemandModelList>('genai/on-demand-models');
  }

  importGenAiModel(body: ImportGenAiModelRequest): Promise<GenAiModelResponse> {
    return this._post<GenAiModelResponse>('genai/models', body);
  }

  exportGenAiModelTerraform(body: ImportGenAiModelRequest): Promise<TerraformExport> {
    return this._post<TerraformExport>('genai/models/terraform', body);
  }

  listGenAiClusters(): Promise<GenAiClusterList> {
    return this._get<GenAiClusterList>('genai/clusters');
  }

  createGenAiCluster(body: CreateClusterRequest): Promise<GenAiClusterResponse> {
    return this._post<GenAiClusterResponse>('genai/clusters', body);
  }

  exportGenAiClusterTerraform(body: CreateClusterRequest): Promise<TerraformExport> {
    return this._post<TerraformExport>('genai/clusters/terraform', body);
  }

  getGenAiClusterPlan(query: ClusterPlanQuery = {}): Promise<ClusterPlan> {
    return this._get<ClusterPlan>('genai/cluster-plan' + queryString(query));
  }

  async deleteGenAiCluster(clusterId: string): Promise<void> {
    await this._delete<void>(`genai/clusters/${encodeURIComponent(clusterId)}`);
  }

  createGenAiEndpoint(body: CreateGenAiEndpointRequest): Promise<GenAiEndpointResponse> {
    return this._post<GenAiEndpointResponse>('genai/endpoints', body);
  }

  exportGenAiEndpointTerraform(body: CreateGenAiEndpointRequest): Promise<TerraformExport> {
    return this._post<TerraformExport>('genai/endpoints/terraform', body);
  }

  createGenAiFineTune(body: CreateGenAiFineTuneRequest): Promise<GenAiFineTuneResponse> {
    return this._post<GenAiFineTuneResponse>('genai/finetunes', body);
  }

  exportGenAiFineTuneTerraform(body: CreateGenAiFineTuneRequest): Promise<TerraformExport> {
    return this._post<TerraformExport>('genai/finetunes/terraform', body);
  }

  getGenAiTrainingDefaults(): Promise<GenAiTrainingDefaults> {
    return this._get<GenAiTrainingDefaults>('genai/training-defaults');
  }

  serverUrl(path: string): string {
    return absoluteServerUrl(this.serverSettings.baseUrl, path);
  }

  /** A chat stream from the route at `endPoint` (below `aqua-ext/`). */
  private _stream(endPoint: string, body: ChatRequest, signal?: AbortSignal): AsyncIterable<ChatStreamEvent> {
    return streamChat(
      URLExt.join(this.serverSettings.baseUrl, API_NAMESPACE, endPoint),
      body,
      this.serverSettings,
      signal
    );
  }

  private _post<T>(endPoint: string, body?: unknown): Promise<T> {
    return this._send<T>('POST', endPoint, body);
  }

  private _send<T>(method: 'POST' | 'PATCH' | 'PUT', endPoint: string, body?: unknown): Promise<T> {
    return requestAPI<T>(
      endPoint,
      {
        method,
        body: body === undefined ? '' : JSON.stringify(body),
        headers: { 'Content-Type': 'application/json' }
      },
      this.serverSettings
    );
  }

  private _get<T>(endPoint: string): Promise<T> {
    return requestAPI<T>(endPoint, { method: 'GET' }, this.serverSettings);
  }

  private _delete<T>(endPoint: string): Promise<T> {
    return requestAPI<T>(endPoint, { method: 'DELETE' }, this.serverSettings);
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

/**
 * `path` joined to the server's base URL, made absolute against the page
 * when the base URL is relative (JupyterHub and proxies serve lab under a
 * prefix, so the origin alone would be wrong).
 */
export function absoluteServerUrl(baseUrl: string, path: string): string {
  const joined = URLExt.join(baseUrl, path);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(joined)) {
    return joined;
  }
  const origin = typeof window !== 'undefined' ? window.location.href : 'http://localhost/';
  return new URL(joined, origin).toString();
}
