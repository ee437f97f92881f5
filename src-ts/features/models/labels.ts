/**
 * User-facing names of the contract's enums, translated.
 */
import type { TranslationBundle } from '@jupyterlab/translation';

import type { Capability, ModelFormat, ModelSource } from '../../api/types';
import { humanizeEnum } from '../../shared/format';

export const SOURCES: readonly ModelSource[] = ['catalog', 'cache', 'registered', 'fine-tuned', 'demo'];
export const CAPABILITIES: readonly Capability[] = ['TEXT_TO_TEXT', 'IMAGE_TEXT_TO_TEXT', 'EMBEDDING', 'RERANK'];
export const FORMATS: readonly ModelFormat[] = ['safetensors', 'gguf'];

export function sourceLabel(source: ModelSource, trans: TranslationBundle): string {
  switch (source) {
    case 'catalog':
      return trans.__('Catalog');
    case 'cache':
      return trans.__('Cached');
    case 'registered':
      return trans.__('Registered');
    case 'fine-tuned':
      return trans.__('Fine-tuned');
    case 'demo':
      return trans.__('Demo');
    default:
      return humanizeEnum(String(source));
  }
}

export function capabilityLabel(capability: Capability, trans: TranslationBundle): string {
  switch (capability) {
    case 'TEXT_TO_TEXT':
      return trans.__('Text generation');
    case 'IMAGE_TEXT_TO_TEXT':
      return trans.__('Vision + text');
    case 'EMBEDDING':
      return trans.__('Embedding');
    case 'RERANK':
      return trans.__('Reranking');
    default:
      return humanizeEnum(String(capability));
  }
}

export function formatLabel(format: ModelFormat): string {
  return format === 'gguf' ? 'GGUF' : format === 'safetensors' ? 'Safetensors' : String(format);
}
