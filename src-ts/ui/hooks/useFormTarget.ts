import * as React from 'react';

import type { BackendDescription, Info } from '../../api/types';
import { formKind, type BackendKind } from '../../shared/labels';
import { infoForTarget, pickTarget } from '../../shared/targets';
import { useLatest } from './useLatest';

export interface IFormTarget {
  /** The enabled targets to pick from (`GET info` → `targets`). */
  targets: readonly BackendDescription[];
  /** The chosen target (null until `GET info` answered). */
  target: BackendDescription | null;
  /** Its kind: what the form offers (local hardware or OCI shapes). */
  kind: BackendKind;
  /** `info` as the chosen target sees it (its hardware, its shapes). */
  info: Info | null;
  /** Several targets are enabled: the form shows the picker and names the target in its request. */
  several: boolean;
  /** The resource the form starts from fixes the target (a model lives on one target). */
  locked: boolean;
  choose: (name: string) => void;
  /** Whether an item (a model, a deployment to pick) lives on the chosen target. */
  holds: (item: { target: string }) => boolean;
  /** The `target` of the create request: only when the user had a choice. */
  requestTarget: string | undefined;
  /** The chosen target is OCI Generative AI: its resources have forms of their own, which the form hands off to. */
  genai: boolean;
}

/** `info` without its Generative AI targets, for a form that has no Generative AI counterpart. */
function withoutGenAi(info: Info | null): Info | null {
  if (!info || !info.targets.some(target => target.kind === 'genai')) {
    return info;
  }
  return { ...info, targets: info.targets.filter(target => target.kind !== 'genai') };
}

/**
 * The target a create form (deploy, fine-tune, evaluate, register) works on.
 * The server creates a resource on the target of what it is made from (a
 * model, a deployment) and refuses another, so a given `owner` fixes it;
 * otherwise the user picks one (the server's default first) and the form
 * offers only what lives there. `fallbackKind` serves until `GET info` answered.
 */
export function useFormTarget(
  allInfo: Info | null,
  fallbackKind: BackendKind,
  owner?: string | null,
  /** The first pick when nothing fixes the target (the form opened from a model the user may change). */
  initial?: string | null,
  /** The form hands a Generative AI target off to that target's own form, so it offers one. */
  offersGenAi = false
): IFormTarget {
  const [picked, setPicked] = React.useState<string | null>(initial ?? null);
  const info = React.useMemo(() => (offersGenAi ? allInfo : withoutGenAi(allInfo)), [allInfo, offersGenAi]);
  const target = pickTarget(info, owner ?? picked);
  const targetInfo = React.useMemo(() => infoForTarget(info, target), [info, target]);
  const several = (info?.targets.length ?? 0) > 1;
  return {
    targets: info?.targets ?? [],
    target,
    kind: target ? formKind(target.kind) : fallbackKind,
    info: targetInfo,
    several,
    locked: !!owner,
    choose: setPicked,
    holds: item => !several || !target || item.target === target.name,
    requestTarget: several ? target?.name : undefined,
    genai: target?.kind === 'genai'
  };
}

/**
 * Run the latest `onChange` after the user chose another target (never on the
 * first render): the form then offers what lives there.
 */
export function useTargetChange(formTarget: IFormTarget, onChange: () => void): void {
  const name = formTarget.target?.name ?? '';
  const shown = React.useRef(name);
  const latest = useLatest(onChange);
  React.useEffect(() => {
    if (shown.current !== name) {
      shown.current = name;
      latest.current();
    }
  }, [name, latest]);
}

/** Run the latest `handOff` once the user chose a Generative AI target: that target's own form takes over. */
export function useGenAiHandOff(formTarget: IFormTarget, handOff: () => void): void {
  const latest = useLatest(handOff);
  const { genai } = formTarget;
  React.useEffect(() => {
    if (genai) {
      latest.current();
    }
  }, [genai, latest]);
}
