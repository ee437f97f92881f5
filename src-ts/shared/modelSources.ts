/**
 * Where model files come from, as the forms check them before sending (the
 * server checks again): a Hugging Face id, an Object Storage path.
 */
import type { TranslationBundle } from '@jupyterlab/translation';

const HF_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*\/[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const OS_URI = /^oci:\/\/([A-Za-z0-9._-]+)@([A-Za-z0-9._-]+)(?:\/(.*))?$/;

/** Why `text` is not a Hugging Face id (`organization/model-name`), or null when it is one. */
export function hfIdError(text: string, trans: TranslationBundle): string | null {
  if (!text.trim()) {
    return trans.__('Enter a Hugging Face id such as Qwen/Qwen2.5-0.5B-Instruct.');
  }
  return HF_ID.test(text.trim()) ? null : trans.__('Must look like organization/model-name.');
}

/** Why `text` is not an Object Storage path (`oci://bucket@namespace/path`), or null when it is one. */
export function osUriError(text: string, trans: TranslationBundle): string | null {
  if (!text.trim()) {
    return trans.__('Enter an Object Storage path such as oci://bucket@namespace/models/my-model.');
  }
  return OS_URI.test(text.trim()) ? null : trans.__('Must look like oci://bucket@namespace/path.');
}

/** `oci://bucket@namespace/a/b.jsonl` → its bucket, namespace and object name (null when it is no such path). */
export function parseOsUri(text: string): { bucket: string; namespace: string; object: string } | null {
  const match = OS_URI.exec(text.trim());
  return match ? { bucket: match[1], namespace: match[2], object: match[3] ?? '' } : null;
}
