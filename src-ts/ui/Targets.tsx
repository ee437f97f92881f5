/**
 * The targets a server enables (`GET info` → `targets`: local, OCI…), as the
 * panel shares them with every list and form: which target owns a row (a
 * badge, only when more than one target is enabled) and which target could
 * not answer a list (a notice; the other targets' rows still show).
 */
import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import type { BackendDescription, TargetProblem } from '../api/types';
import { Badge } from './Badge';

/** The enabled targets (empty until `GET info` answered); the panel provides them. */
export const TargetsContext = React.createContext<readonly BackendDescription[]>([]);

export function useTargets(): readonly BackendDescription[] {
  return React.useContext(TargetsContext);
}

/** A target's label ("Local (this machine)", "OCI Data Science"), or its name when unknown. */
export function targetLabel(targets: readonly BackendDescription[], name: string): string {
  return targets.find(target => target.name === name)?.label ?? name;
}

/** Which target owns a resource; nothing when only one target is enabled. */
export function TargetBadge(props: { target: string }): JSX.Element | null {
  const targets = useTargets();
  if (targets.length < 2) {
    return null;
  }
  return (
    <Badge className="jp-AquaExt-TargetBadge" variant="muted" title={targetLabel(targets, props.target)}>
      {props.target}
    </Badge>
  );
}

/** Targets whose items a list misses, and why; the list itself still shows the others' items. */
export function TargetProblems(props: {
  problems: readonly TargetProblem[] | undefined;
  trans: TranslationBundle;
}): JSX.Element | null {
  const targets = useTargets();
  const { problems, trans } = props;
  if (!problems || problems.length === 0) {
    return null;
  }
  return (
    <ul className="jp-AquaExt-TargetProblems" role="status" aria-label={trans.__('Targets that did not answer')}>
      {problems.map(problem => (
        <li key={problem.target} className="jp-AquaExt-TargetProblems-item">
          {trans.__('%1 is missing from this list: %2', targetLabel(targets, problem.target), problem.message)}
        </li>
      ))}
    </ul>
  );
}
