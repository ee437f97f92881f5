import type { TranslationBundle } from '@jupyterlab/translation';

/**
 * An OCI log is named by its group and its own OCID: a form (deploy,
 * fine-tune, evaluate) that has one of them needs the other, and says so
 * under the missing one.
 */
export function logPairErrors(
  form: { logGroupId: string; logId: string },
  trans: TranslationBundle
): { log_group_id?: string; log_id?: string } {
  const group = form.logGroupId.trim();
  const log = form.logId.trim();
  if (group && !log) {
    return { log_id: trans.__('A log needs both the log group and the log.') };
  }
  if (log && !group) {
    return { log_group_id: trans.__('A log needs both the log group and the log.') };
  }
  return {};
}
