/**
 * Which target a form creates on (`GET info` → `targets`), chosen as the
 * server would by default: the resource's own target (a model's for a
 * deployment or a fine-tune, a deployment's for an evaluation), else the
 * server's default target (`info.backend`).
 */
import type { BackendDescription, Info } from '../api/types';

/** The target named `wanted` when it is enabled, else the server's default. */
export function pickTarget(info: Info | null, wanted: string | null | undefined): BackendDescription | null {
  if (!info) {
    return null;
  }
  return info.targets.find(target => target.name === wanted) ?? info.backend;
}

/**
 * `info` as the one `target` sees it: the form's engines, hardware and
 * defaults then follow the chosen target (a local target's own hardware).
 */
export function infoForTarget(info: Info | null, target: BackendDescription | null): Info | null {
  if (!info || !target || target.name === info.backend.name) {
    return info;
  }
  return { ...info, backend: target, hardware: target.hardware ?? info.hardware };
}

/** Whether `name` is an OCI Generative AI target (its resources have forms of their own). */
export function isGenAiTarget(info: Info | null, name: string | null | undefined): boolean {
  return !!name && !!info?.targets.some(target => target.name === name && target.kind === 'genai');
}
