/**
 * The region's on-demand models of OCI Generative AI (base models OCI serves
 * per call, no cluster) as the pickers show them: a group of their own under
 * the genai target, each by its OCID, which is a deployment id wherever one
 * goes (playground, Compare, evaluations). A deprecated one is marked with
 * its on-demand retirement date; the server leaves retired ones out.
 */
import type { TranslationBundle } from '@jupyterlab/translation';

import type { IAquaClient } from '../api/client';
import type { OnDemandModel } from '../api/types';

/** The group's label in a picker. */
export function onDemandGroupLabel(trans: TranslationBundle): string {
  return trans.__('OCI Generative AI · on demand');
}

/** A model's option text: its OCI name, and the retirement to mind when it is deprecated. */
export function onDemandLabel(model: OnDemandModel, trans: TranslationBundle): string {
  if (!model.deprecated) {
    return model.name;
  }
  return model.retires_at
    ? trans.__('%1 (deprecated, retires %2)', model.name, model.retires_at.slice(0, 10))
    : trans.__('%1 (deprecated)', model.name);
}

/**
 * The on-demand models; none where the genai target is not enabled (the route
 * answers 503) or cannot list them now, so a picker simply shows no group.
 */
export function loadOnDemandModels(client: IAquaClient): Promise<OnDemandModel[]> {
  return client.listGenAiOnDemandModels().then(
    list => list.items,
    () => []
  );
}
