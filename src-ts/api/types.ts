/**
 * Friendly names for the REST contract's payloads.
 *
 * Every type here comes from `openapi.d.ts`, which `jlpm build:types`
 * generates from `schema/api/openapi.json` (itself generated from the
 * pydantic models in `aqua_ext/api/`). Never redeclare a payload by hand.
 */
import type { components, operations } from './openapi';

type Schemas = components['schemas'];

export type Info = Schemas['Info'];
export type BackendDescription = Schemas['BackendDescription'];
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

/**
 * The register body. Its optional fields carry a `null` default in the
 * contract, which the generator renders as required-but-nullable; a request
 * may simply leave them out.
 */
export type RegisterModelRequest = Pick<Schemas['RegisterModelRequest'], 'source'> &
  Partial<Omit<Schemas['RegisterModelRequest'], 'source'>>;
export type RegisterModelResponse = Schemas['RegisterModelResponse'];

export type FitReport = Schemas['FitReport'];
export type FitTarget = Schemas['FitTarget'];
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
export type InferenceMode = DeploymentSummary['mode'];
export type EngineName = DeploymentSummary['engine'];

/**
 * The deploy body. As with registering, the contract's `null` defaults come
 * out required-but-nullable; a request may leave them out.
 */
export type CreateDeploymentRequest = Pick<Schemas['CreateDeploymentRequest'], 'model_id' | 'name'> &
  Partial<Omit<Schemas['CreateDeploymentRequest'], 'model_id' | 'name'>>;
export type CreateDeploymentResponse = Schemas['CreateDeploymentResponse'];

export type ChatMessage = Schemas['ChatMessage'];
/** One playground turn; every sampling field has a server default. */
export type ChatRequest = Partial<Schemas['ChatRequest']>;
export type ChatUsage = Schemas['ChatUsage'];
export type ChatDeltaEvent = Schemas['ChatDeltaEvent'];
export type ChatDoneEvent = Schemas['ChatDoneEvent'];
export type ChatErrorEvent = Schemas['ChatErrorEvent'];
type ChatStreamEvents = Schemas['ChatStreamEvents'];
/** One event of the chat stream, tagged by its SSE `event:` name. */
export type ChatStreamEvent = {
  [K in keyof ChatStreamEvents]: { type: K; data: ChatStreamEvents[K] };
}[keyof ChatStreamEvents];

export type EmbedRequest = Schemas['EmbedRequest'];
export type EmbedResponse = Schemas['EmbedResponse'];

/** Query string of `GET aqua-ext/models`. */
export type ListModelsQuery = NonNullable<operations['listModels']['parameters']['query']>;
/** Query string of `GET aqua-ext/models/{model_id}/fit`. */
export type FitQuery = NonNullable<operations['getModelFit']['parameters']['query']>;
/** Query string of `GET aqua-ext/deployments/{deployment_id}/logs`. */
export type LogsQuery = NonNullable<operations['getDeploymentLogs']['parameters']['query']>;

/** The dataset preflight (`POST aqua-ext/datasets/validate`); every field but the path has a default. */
export type ValidateDatasetRequest = Pick<Schemas['ValidateDatasetRequest'], 'path'> &
  Partial<Omit<Schemas['ValidateDatasetRequest'], 'path'>>;
export type DatasetReport = Schemas['DatasetReport'];
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
/**
 * The fine-tune body. As with deploying, the contract's defaults come out
 * required; a request may leave them out (and any hyperparameter too).
 */
export type CreateFineTuneRequest = Pick<Schemas['CreateFineTuneRequest'], 'model_id' | 'name' | 'dataset_path'> &
  Partial<Omit<Schemas['CreateFineTuneRequest'], 'model_id' | 'name' | 'dataset_path' | 'params'>> & {
    params?: Partial<Schemas['FineTuneParams-Input']>;
  };
export type CreateFineTuneResponse = Schemas['CreateFineTuneResponse'];

/** Query string of `GET aqua-ext/models/{model_id}/finetune-defaults`. */
export type FineTuneDefaultsQuery = NonNullable<operations['getFineTuneDefaults']['parameters']['query']>;
/** Query string of `GET aqua-ext/finetunes/{finetune_id}/metrics`. */
export type MetricsQuery = NonNullable<operations['getFineTuneMetrics']['parameters']['query']>;

export type EvaluationState = Schemas['EvaluationSummary']['state'];
export type EvaluationSummary = Schemas['EvaluationSummary'];
export type EvaluationDetail = Schemas['EvaluationDetail'];
export type EvaluationList = Schemas['EvaluationList'];
export type EvaluationReport = Schemas['EvaluationReport'];
export type MetricScores = Schemas['MetricScores'];
export type EvaluationRow = Schemas['EvaluationRow'];
export type EvaluationRows = Schemas['EvaluationRows'];
export type EvaluationComparison = Schemas['EvaluationComparison'];
/** A metric family an evaluation can compute (`bertscore`, `rouge`, …). */
export type EvaluationMetric = EvaluationSummary['metrics'][number];
/** How the deployment is asked, as the server answers it (every field set). */
export type ModelParameters = Schemas['ModelParameters-Output'];
/**
 * The evaluation body. The contract's `null` defaults come out
 * required-but-nullable; a request may leave them out (and any model parameter).
 */
export type CreateEvaluationRequest = Pick<Schemas['CreateEvaluationRequest'], 'deployment_id' | 'name'> &
  Partial<Omit<Schemas['CreateEvaluationRequest'], 'deployment_id' | 'name' | 'params'>> & {
    params?: Partial<Schemas['ModelParameters-Input']>;
  };
export type CreateEvaluationResponse = Schemas['CreateEvaluationResponse'];
/** Query string of `GET aqua-ext/evaluations/{evaluation_id}/rows`. */
export type EvaluationRowsQuery = NonNullable<operations['getEvaluationRows']['parameters']['query']>;
/** Query string of `GET aqua-ext/evaluations/{evaluation_id}/logs`. */
export type EvaluationLogsQuery = NonNullable<operations['getEvaluationLogs']['parameters']['query']>;
