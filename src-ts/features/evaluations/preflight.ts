/**
 * The evaluation form's dataset preflight: the fine-tune form's check
 * (`shared/datasetPreflight.ts`: bad lines, a missing file, one too large), plus
 * the evaluation's own rule: the rows must be instructions
 * (`{"prompt", "completion"[, "category"]}`) since each answer is scored
 * against its reference; a conversational file is refused inline.
 */
import type { TranslationBundle } from '@jupyterlab/translation';

import type { DatasetReport, ValidateDatasetRequest } from '../../api/types';
import { okResult, type IPreflightResult } from '../../shared/datasetPreflight';
import type { IEvaluationForm } from './evaluationForm';

/** The preflight request for the form; null while there is no file to check here. */
export function evaluationPreflightRequest(
  form: Pick<IEvaluationForm, 'source' | 'datasetPath'>
): ValidateDatasetRequest | null {
  const path = form.datasetPath.trim();
  // oci:// datasets are read by the job itself; a fine-tune's snapshot was checked when it trained.
  if (form.source !== 'file' || !path || path.startsWith('oci://')) {
    return null;
  }
  return { path, kind: 'auto', validation_split: 0 };
}

export function evaluationPreflightKey(request: ValidateDatasetRequest | null): string {
  return request ? JSON.stringify([request.path, request.kind ?? null]) : '';
}

/**
 * What a preflight answer means for an evaluation: an instruction dataset is
 * fine; a conversational one cannot be scored (no single reference per row).
 */
export function evaluationResult(key: string, report: DatasetReport, trans: TranslationBundle): IPreflightResult {
  if (report.format === 'conversational') {
    return {
      ...okResult(key, report),
      status: 'invalid',
      fields: {
        dataset_path: trans.__(
          'This dataset is conversational ({"messages": […]}); an evaluation needs instruction rows {"prompt", "completion"} to score each answer against its reference.'
        )
      }
    };
  }
  return okResult(key, report);
}
