import * as React from 'react';

import type { BackendDescription, Info } from '../../api/types';
import type { BackendKind } from '../../shared/labels';
import { infoForTarget, pickTarget } from '../../shared/targets';

export interface IFormTarget {
  /** The chosen target (null until `GET info` answered). */
  target: BackendDescription | null;
  /** Its kind: what the form offers (local hardware or OCI shapes). */
  kind: BackendKind;
  /** `info` as the chosen target sees it (its hardware, its shapes). */
  info: Info | null;
  /** Several targets are enabled: the form shows the picker and names the target in its request. */
  several: boolean;
  choose: (name: string) => void;
  /** The `target` of the create request: only when the user had a choice. */
  requestTarget: string | undefined;
}

/**
 * The target a create form (deploy, fine-tune, evaluate, register) works on:
 * `owner` (the resource's own target) until the user picks another, else the
 * server's default; `fallbackKind` until `GET info` answered.
 */
export function useFormTarget(info: Info | null, fallbackKind: BackendKind, owner?: string | null): IFormTarget {
  const [picked, setPicked] = React.useState<string | null>(null);
  const target = pickTarget(info, picked ?? owner);
  const targetInfo = React.useMemo(() => infoForTarget(info, target), [info, target]);
  const several = (info?.targets.length ?? 0) > 1;
  return {
    target,
    kind: target?.kind ?? fallbackKind,
    info: targetInfo,
    several,
    choose: setPicked,
    requestTarget: several ? target?.name : undefined
  };
}
