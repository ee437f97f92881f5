/**
 * User-facing names of the contract's enums, translated.
 */
import type { TranslationBundle } from '@jupyterlab/translation';

import type { Capability, ModelFormat, ModelSource } from '../../api/types';
import { humanizeEnum } from '../../shared/format';
import { labelOf } from '../../shared/labels';

export const SOURCES: readonly ModelSource[] = ['catalog', 'cache', 'registered', 'fine-tuned', 'demo'];
export const CAPABILITIES: readonly Capability[] = ['TEXT_TO_TEXT', 'IMAGE_TEXT_TO_TEXT', 'EMBEDDING', 'RERANK'];
export const FORMATS: readonly ModelFormat[] = ['safetensors', 'gguf'];

export function sourceLabel(source: ModelSource, trans: TranslationBundle): string {
  return labelOf(
    {
      catalog: trans.__('Catalog'),
      cache: trans.__('Cached'),
      registered: trans.__('Registered'),
      'fine-tuned': trans.__('Fine-tuned'),
      demo: trans.__('Demo')
    },
    source,
    humanizeEnum
  );
}

export function capabilityLabel(capability: Capability, trans: TranslationBundle): string {
  return labelOf(
    {
      TEXT_TO_TEXT: trans.__('Text generation'),
      IMAGE_TEXT_TO_TEXT: trans.__('Vision + text'),
      EMBEDDING: trans.__('Embedding'),
      RERANK: trans.__('Reranking')
    },
    capability,
    humanizeEnum
  );
}

export function formatLabel(format: ModelFormat): string {
  return format === 'gguf' ? 'GGUF' : format === 'safetensors' ? 'Safetensors' : String(format);
}
