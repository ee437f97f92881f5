/**
 * The dataset preflight of the fine-tune form, without React: the request for
 * what the form says now. What an answer means for the form is shared with the
 * evaluation form (`shared/datasetPreflight.ts`).
 */
import type { ValidateDatasetRequest } from '../../api/types';
import { seqLength, splitFraction, type IFineTuneForm } from './finetuneForm';

/**
 * The preflight request for the form: path, base model, sequence length and
 * split. Null while the path is empty or the numbers are not valid.
 */
export function preflightRequest(
  form: Pick<IFineTuneForm, 'datasetPath' | 'modelId' | 'maxSeqLength' | 'validationSplit'>,
  options: { withModel?: boolean } = {}
): ValidateDatasetRequest | null {
  const path = form.datasetPath.trim();
  const length = seqLength(form);
  const split = splitFraction(form);
  // oci:// datasets are read by the job itself, not by this server.
  if (!path || path.startsWith('oci://') || length === null || split === null) {
    return null;
  }
  const request: ValidateDatasetRequest = { path, max_seq_length: length, validation_split: split };
  if (form.modelId && options.withModel !== false) {
    request.model_id = form.modelId;
  }
  return request;
}

export function preflightKey(request: ValidateDatasetRequest | null): string {
  if (request === null) {
    return '';
  }
  return JSON.stringify([
    request.path,
    request.model_id ?? null,
    request.max_seq_length ?? null,
    request.validation_split ?? null
  ]);
}
