/** Labels of the contract's backend kinds, engines, modes and shapes, shared by the features that show them. */
import type { TranslationBundle } from '@jupyterlab/translation';

import type { InferenceMode, ServingEngine, TargetKind } from '../api/types';

/** What a Data Science-style form offers (this machine's hardware, or OCI shapes). */
export type BackendKind = 'local' | 'oci';

/** The form kind of a target: a Generative AI target is on OCI (its own forms hand off; see useFormTarget). */
export function formKind(kind: TargetKind): BackendKind {
  return kind === 'local' ? 'local' : 'oci';
}

export function engineLabel(engine: ServingEngine): string {
  switch (engine) {
    case 'transformers':
      return 'transformers';
    case 'vllm':
      return 'vLLM';
    case 'llama.cpp':
      return 'llama.cpp';
    case 'tgi':
      return 'TGI';
    case 'oci-genai':
      return 'OCI Generative AI';
    default:
      return String(engine);
  }
}

export function modeLabel(mode: InferenceMode, trans: TranslationBundle): string {
  return labelOf(
    { chat: trans.__('Chat'), completion: trans.__('Completion'), embedding: trans.__('Embedding') },
    mode
  );
}

/** A deployment's shape for people: "CPU", "GPU" or the OCI shape's name. */
export function shapeLabel(shape: string, trans: TranslationBundle): string {
  return shape === 'cpu' ? trans.__('CPU') : shape === 'gpu' ? trans.__('GPU') : shape;
}

/**
 * The word for a contract enum's `value` from its `table`, which must name
 * every value the contract has; one it lacks (a newer server's) shows as
 * `fallback` of it, by default the value itself.
 */
export function labelOf<K extends string>(
  table: Readonly<Record<NoInfer<K>, string>>,
  value: K,
  fallback: (value: string) => string = String
): string {
  return Object.prototype.hasOwnProperty.call(table, value) ? table[value] : fallback(value);
}
