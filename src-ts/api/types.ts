/**
 * Friendly names for the REST contract's payloads.
 *
 * Every type here comes from `openapi.d.ts`, which `jlpm build:types`
 * generates from `schema/api/openapi.json` (itself generated from the
 * pydantic models in `aqua_ext/api/`). Never redeclare a payload by hand.
 */
import type { components, operations } from './openapi';

type Schemas = components['schemas'];

/**
 * A request body whose fields but `K` have a server default. The generator
 * renders the contract's defaults (`null` ones included) as required fields;
 * a request may simply leave them out.
 */
type RequestBody<S extends keyof Schemas, K extends keyof Schemas[S]> = Pick<Schemas[S], K> &
  Partial<Omit<Schemas[S], K>>;

/** A job's body (fine-tune, evaluation): as `RequestBody`, and any of its `params` (schema `P`) may be left out too. */
type JobRequestBody<S extends keyof Schemas, K extends keyof Schemas[S], P extends keyof Schemas> = Omit<
  RequestBody<S, K>,
  'params'
> & { params?: Partial<Schemas[P]> };

/** The query string of an operation. */
type QueryOf<O extends keyof operations> = operations[O] extends { parameters: { query?: infer Q } }
  ? NonNullable<Q>
  : never;

export type Info = Schemas['Info'];
export type BackendDescription = Schemas['BackendDescription'];
/** What a target is: this machine, OCI Data Science or OCI Generative AI. */
export type TargetKind = BackendDescription['kind'];
/** How other LoRA adapters reach a deployment once it exists: on the running engine, by a restart, or by deploying again. */
export type AdapterChange = BackendDescription['adapter_engines'][string];
/** A target that could not answer a merged list (its items are missing; the others' show). */
export type TargetProblem = Schemas['TargetProblem'];
export type Hardware = Schemas['Hardware'];
export type Gpu = Schemas['Gpu'];
export type Engine = Schemas['Engine'];

export type ModelSummary = Schemas['ModelSummary'];
export type ModelDetail = Schemas['ModelDetail'];
export type ModelList = Schemas['ModelList'];
export type ModelSource = Schemas['ModelSource'];
export type Capability = Schemas['Capability'];
export type ModelFormat = Schemas['ModelFormat'];
export type Architecture = Schemas['Architecture'];
export type Lineage = Schemas['Lineage'];

/** The register body: the source, and what is not left to the server's defaults. */
export type RegisterModelRequest = RequestBody<'RegisterModelRequest', 'source'>;
export type RegisterModelResponse = Schemas['RegisterModelResponse'];

export type FitReport = Schemas['FitReport'];
export type FitTarget = Schemas['FitTarget'];
export type WeightChoice = Schemas['WeightChoice'];
export type Dtype = FitReport['dtype'];

export type Operation = Schemas['Operation'];
export type OperationList = Schemas['OperationList'];
export type OperationState = Schemas['OperationState'];

export type ErrorBody = Schemas['ErrorBody'];
export type FieldError = Schemas['FieldError'];

export type DeploymentState = Schemas['DeploymentState'];
export type DeploymentSummary = Schemas['DeploymentSummary'];
export type DeploymentDetail = Schemas['DeploymentDetail'];
export type DeploymentList = Schemas['DeploymentList'];
export type LogPage = Schemas['LogPage'];
export type DeploymentMetrics = Schemas['DeploymentMetrics'];
export type UpdateDeploymentRequest = Schemas['UpdateDeploymentRequest'];
export type EngineMetrics = Schemas['EngineMetrics'];
export type ProxyMetrics = Schemas['ProxyMetrics'];
export type InferenceMode = DeploymentSummary['mode'];
/** An engine a deploy request may choose. */
export type EngineName = NonNullable<Schemas['CreateDeploymentRequest']['engine']>;
/** What serves a deployment: an engine, or the service itself (a Generative AI endpoint's `oci-genai`). */
export type ServingEngine = DeploymentSummary['engine'];

/** A LoRA adapter asked for beside the base: a fine-tune's model id (its name defaults to the model's). */
export type AdapterRequest = RequestBody<'AdapterRequest', 'model_id'>;
/** An adapter a deployment serves: requests naming it (`model`, a turn's `adapter`) get it. */
export type DeploymentAdapter = Schemas['DeploymentAdapter'];
/** The deploy body: the model and the name, and what is not left to the server's defaults. */
export type CreateDeploymentRequest = Omit<RequestBody<'CreateDeploymentRequest', 'model_id' | 'name'>, 'adapters'> & {
  adapters?: AdapterRequest[];
};
export type SetAdaptersRequest = { adapters: AdapterRequest[] };
export type SetAdaptersResponse = Schemas['SetAdaptersResponse'];
export type CreateDeploymentResponse = Schemas['CreateDeploymentResponse'];
export type TerraformExport = Schemas['TerraformExport'];

/** A tool call the model made, sent back as history (`type` defaults to function). */
export type ToolCall = RequestBody<'ToolCall', 'id' | 'function'>;
/** OpenAI's content parts of a user message: text, and images for a deployment whose chat_inputs has "image". */
export type TextPart = Schemas['TextPart'];
export type ImagePart = Omit<Schemas['ImagePart'], 'image_url'> & { image_url: RequestBody<'ImageUrl', 'url'> };
export type ContentPart = TextPart | ImagePart;
/** What a chat turn with a deployment may hold (the server's rule). */
export type ChatInput = DeploymentSummary['chat_inputs'][number];
export type ChatMessage = Omit<RequestBody<'ChatMessage', 'role'>, 'tool_calls' | 'content'> & {
  content: string | ContentPart[];
  tool_calls?: ToolCall[];
};
export type ToolDefinition = Omit<RequestBody<'ToolDefinition', 'function'>, 'function'> & {
  function: RequestBody<'ToolFunction', 'name'>;
};
export type ResponseFormat = Omit<Schemas['ResponseFormat'], 'json_schema'> & {
  json_schema: RequestBody<'JsonSchemaFormat', 'name' | 'schema'>;
};
/** A piece of a streamed tool call; the server leaves out what this piece does not carry. */
export type ToolCallDelta = RequestBody<'ToolCallDelta', 'index'>;
/** One playground turn; every sampling field has a server default. */
export type ChatRequest = Omit<Partial<Schemas['ChatRequest']>, 'messages' | 'response_format' | 'tools'> & {
  messages?: ChatMessage[];
  response_format?: ResponseFormat;
  tools?: ToolDefinition[];
};
export type ChatUsage = Schemas['ChatUsage'];
export type ChatDeltaEvent = Omit<Schemas['ChatDeltaEvent'], 'tool_calls'> & { tool_calls?: ToolCallDelta[] | null };
export type ChatDoneEvent = Schemas['ChatDoneEvent'];
export type ChatErrorEvent = Schemas['ChatErrorEvent'];
type ChatStreamEvents = Omit<Schemas['ChatStreamEvents'], 'delta'> & { delta: ChatDeltaEvent };
/** One event of the chat stream, tagged by its SSE `event:` name. */
export type ChatStreamEvent = {
  [K in keyof ChatStreamEvents]: { type: K; data: ChatStreamEvents[K] };
}[keyof ChatStreamEvents];

export type EmbedRequest = Schemas['EmbedRequest'];
export type EmbedResponse = Schemas['EmbedResponse'];

/** Query string of `GET aqua-ext/models`. */
export type ListModelsQuery = QueryOf<'listModels'>;
/** Query string of `GET aqua-ext/models/{model_id}/fit`. */
export type FitQuery = QueryOf<'getModelFit'>;
/** Query string of `GET aqua-ext/deployments/{deployment_id}/logs`. */
export type LogsQuery = QueryOf<'getDeploymentLogs'>;

/** The dataset preflight (`POST aqua-ext/datasets/validate`); every field but the path has a default. */
export type ValidateDatasetRequest = RequestBody<'ValidateDatasetRequest', 'path'>;
export type DatasetReport = Schemas['DatasetReport'];
export type SaveDatasetRowRequest = RequestBody<'SaveDatasetRowRequest', 'path' | 'format'>;
export type SaveDatasetRowResponse = Schemas['SaveDatasetRowResponse'];
export type DatasetRowWarning = Schemas['DatasetRowWarning'];
export type LineError = Schemas['LineError'];
export type TokenStats = Schemas['TokenStats'];

export type FineTuneState = Schemas['FineTuneState'];
export type FineTuneSummary = Schemas['FineTuneSummary'];
export type FineTuneDetail = Schemas['FineTuneDetail'];
export type FineTuneList = Schemas['FineTuneList'];
/** The hyperparameters as the server answers them (every field set). */
export type FineTuneParams = Schemas['FineTuneParams-Output'];
export type TrainingType = FineTuneParams['training_type'];
export type FineTuneDefaults = Schemas['FineTuneDefaults'];
export type TrainingFit = Schemas['TrainingFit'];
export type MetricPoint = Schemas['MetricPoint'];
export type FineTuneMetrics = Schemas['FineTuneMetrics'];
/** The fine-tune body: model, name and dataset, and any hyperparameter not left to the server's defaults. */
export type CreateFineTuneRequest = JobRequestBody<
  'CreateFineTuneRequest',
  'model_id' | 'name' | 'dataset_path',
  'FineTuneParams-Input'
>;
export type CreateFineTuneResponse = Schemas['CreateFineTuneResponse'];

/** Query string of `GET aqua-ext/models/{model_id}/finetune-defaults`. */
export type FineTuneDefaultsQuery = QueryOf<'getFineTuneDefaults'>;
/** Query string of `GET aqua-ext/finetunes/{finetune_id}/metrics`. */
export type MetricsQuery = QueryOf<'getFineTuneMetrics'>;

export type EvaluationState = Schemas['EvaluationSummary']['state'];
export type EvaluationSummary = Schemas['EvaluationSummary'];
export type EvaluationDetail = Schemas['EvaluationDetail'];
export type EvaluationList = Schemas['EvaluationList'];
export type EvaluationReport = Schemas['EvaluationReport'];
/** How a report was made (report.json's provenance): dataset as scored, metric versions, dates. */
export type EvaluationProvenance = Schemas['EvaluationProvenance'];
export type MetricScores = Schemas['MetricScores'];
export type EvaluationRow = Schemas['EvaluationRow'];
export type EvaluationRows = Schemas['EvaluationRows'];
export type EvaluationComparison = Schemas['EvaluationComparison'];
/** A metric family an evaluation can compute (`bertscore`, `rouge`, …). */
export type EvaluationMetric = EvaluationSummary['metrics'][number];
/** How the deployment is asked, as the server answers it (every field set). */
export type ModelParameters = Schemas['ModelParameters-Output'];
/** What an evaluation asks: a deployment (optionally one of its adapters), or a connection (optionally one of its models). */
type EvaluationSubject =
  | { deployment_id: string; adapter?: string; connection_id?: undefined; connection_model?: undefined }
  | { connection_id: string; connection_model?: string; deployment_id?: undefined; adapter?: undefined };
/**
 * The evaluation body: what is asked (exactly one of a deployment and a connection), a name,
 * and any model parameter not left to the server's defaults.
 */
export type CreateEvaluationRequest = Omit<
  JobRequestBody<'CreateEvaluationRequest', 'name', 'ModelParameters-Input'>,
  keyof EvaluationSubject
> &
  EvaluationSubject;
export type CreateEvaluationResponse = Schemas['CreateEvaluationResponse'];
/** Query string of `GET aqua-ext/evaluations/{evaluation_id}/rows`. */
export type EvaluationRowsQuery = QueryOf<'getEvaluationRows'>;
/** Query string of `GET aqua-ext/evaluations/{evaluation_id}/logs`. */
export type EvaluationLogsQuery = QueryOf<'getEvaluationLogs'>;

/** OCI readiness (`GET aqua-ext/oci/setup`): the dynamic groups and policies AQUA needs, and the checks. */
export type OciSetupReport = Schemas['OciSetupReport'];
export type SetupCheck = Schemas['SetupCheck'];
export type PolicyStatement = Schemas['PolicyStatement'];
export type SetupQuery = QueryOf<'getOciSetup'>;

/** Connections: hosted LLM services used beside the deployments (OpenAI, Azure OpenAI, Cohere, OCI Generative AI, REST). */
export type ConnectionKind = Schemas['ConnectionSummary']['kind'];
export type ConnectionAuthType = Schemas['ConnectionSummary']['auth_type'];
export type ConnectionCapability = Schemas['ConnectionSummary']['capabilities'][number];
export type ConnectionAction = Schemas['ConnectionSummary']['actions'][number];
export type ServingMode = Schemas['ConnectionDetail']['serving_mode'];
export type ConnectionSummary = Schemas['ConnectionSummary'];
export type ConnectionDetail = Schemas['ConnectionDetail'];
export type ConnectionList = Schemas['ConnectionList'];
export type ConnectionTestSummary = Schemas['ConnectionTestSummary'];
/** One method of a REST-style service (ODA's `restServiceMethods` entry), as the server answers it. */
export type RestMethod = Schemas['RestMethod-Output'];
/** The create body: name, kind and endpoint, and what is not left to the server's defaults (the secret goes in, never out). */
export type CreateConnectionRequest = RequestBody<'CreateConnectionRequest', 'name' | 'kind' | 'endpoint'>;
/** The PATCH body: only the fields given change; `secret` absent keeps it, "" removes it, a value replaces it. */
export type UpdateConnectionRequest = Partial<Schemas['UpdateConnectionRequest']>;
/** A test request; all absent sends the connection's sample payload. */
export type TestConnectionRequest = Partial<Schemas['TestConnectionRequest']>;
export type TestConnectionResult = Schemas['TestConnectionResult'];
/** The provider error a test request's answer was mapped to. */
export type ConnectionErrorKind = NonNullable<TestConnectionResult['error_kind']>;
export type ConnectionModels = Schemas['ConnectionModels'];
export type ImportConnectionsRequest = Schemas['ImportConnectionsRequest'];
export type ImportConnectionsResponse = Schemas['ImportConnectionsResponse'];
/** Query string of `GET aqua-ext/connections/export`. */
export type ExportConnectionsQuery = QueryOf<'exportConnections'>;
export type ExportConnectionsResponse = Schemas['ExportConnectionsResponse'];
/** A playground turn with a connection: a deployment's turn, and which of its models answers. */
export type ConnectionChatRequest = ChatRequest & Pick<Partial<Schemas['ConnectionChatRequest']>, 'model'>;

/** OCI Generative AI (the `genai` target): base, fine-tuned and imported models. */
export type GenAiModel = Schemas['GenAiModel'];
export type GenAiModelList = Schemas['GenAiModelList'];
/**
 * A base model OCI serves on demand: chatted with, embedded and evaluated by
 * its OCID wherever a deployment id goes (`getDeployment`, `streamChat`…).
 */
export type OnDemandModel = Schemas['OnDemandModel'];
export type OnDemandModelList = Schemas['OnDemandModelList'];
/** One capability an imported model has (TEXT_TO_TEXT, IMAGE_TEXT_TO_TEXT, EMBEDDING, RERANK). */
export type ImportCapability = Schemas['ImportGenAiModelRequest']['capability'];
/** The import body: the source, a name and the capability; the token goes in, never out. */
export type ImportGenAiModelRequest = RequestBody<'ImportGenAiModelRequest', 'source' | 'display_name' | 'capability'>;
export type GenAiModelResponse = Schemas['GenAiModelResponse'];
/** Dedicated AI clusters, their hourly cost and what they cost so far. */
export type GenAiCluster = Schemas['GenAiCluster'];
export type GenAiClusterList = Schemas['GenAiClusterList'];
export type ClusterType = GenAiCluster['type'];
export type GenAiClusterAction = GenAiCluster['actions'][number];
export type UnitShapeCost = Schemas['UnitShapeCost'];
export type ShapeListCost = Schemas['ShapeListCost'];
/** The cluster body: a name, and what is not left to the server's defaults (the unit shape: the fit's pick). */
export type CreateClusterRequest = RequestBody<'CreateClusterRequest', 'display_name'>;
export type GenAiClusterResponse = Schemas['GenAiClusterResponse'];
/** Every unit shape for a model (`GET aqua-ext/genai/cluster-plan`): fit, limit, AI units and cost. */
export type ClusterPlan = Schemas['ClusterPlan'];
export type UnitShapeOption = Schemas['UnitShapeOption'];
export type ClusterPlanQuery = QueryOf<'getGenAiClusterPlan'>;
/** An endpoint on a hosting cluster (listed with the deployments). */
export type CreateGenAiEndpointRequest = RequestBody<
  'CreateGenAiEndpointRequest',
  'display_name' | 'model_id' | 'dedicated_ai_cluster_id'
>;
export type GenAiEndpointResponse = Schemas['GenAiEndpointResponse'];
/** A fine-tune on a fine-tuning cluster (seed 003's `oci_generative_ai_model`). */
export type TrainingConfigType = Schemas['GenAiTrainingConfig']['training_config_type'];
export type GenAiTrainingConfig = RequestBody<'GenAiTrainingConfig', 'training_config_type'>;
export type CreateGenAiFineTuneRequest = Omit<
  RequestBody<
    'CreateGenAiFineTuneRequest',
    'display_name' | 'base_model_id' | 'dedicated_ai_cluster_id' | 'training_dataset'
  >,
  'training_config'
> & { training_config?: GenAiTrainingConfig | null };
export type GenAiFineTuneResponse = Schemas['GenAiFineTuneResponse'];
/** Each training method's hyperparameters with the service's defaults and ranges. */
export type GenAiTrainingDefaults = Schemas['GenAiTrainingDefaults'];
export type TrainingMethod = Schemas['TrainingMethod'];
export type TrainingField = Schemas['TrainingField'];
