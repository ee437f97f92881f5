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

/** Query string of `GET aqua-ext/models`. */
export type ListModelsQuery = NonNullable<operations['listModels']['parameters']['query']>;
/** Query string of `GET aqua-ext/models/{model_id}/fit`. */
export type FitQuery = NonNullable<operations['getModelFit']['parameters']['query']>;
