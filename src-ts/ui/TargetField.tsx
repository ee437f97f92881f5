import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import type { IFormTarget } from './hooks/useFormTarget';
import { SelectField } from './FormField';

/**
 * "Target": where a form creates its resource, shown only when several
 * targets are enabled; an unavailable one is listed, disabled, with why.
 */
export function TargetField(props: {
  id: string;
  formTarget: IFormTarget;
  disabled?: boolean;
  hint?: string;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { formTarget, trans } = props;
  if (!formTarget.several) {
    return null;
  }
  return (
    <SelectField
      id={props.id}
      field="target"
      label={trans.__('Target')}
      hint={formTarget.locked ? trans.__('Set by what it is made from, which lives on this target.') : props.hint}
      selectClassName="jp-AquaExt-TargetField"
      value={formTarget.target?.name ?? ''}
      disabled={props.disabled || formTarget.locked}
      onChange={formTarget.choose}
    >
      {formTarget.targets.map(target => (
        <option key={target.name} value={target.name} disabled={!target.ready} title={target.problem ?? undefined}>
          {target.ready
            ? target.label
            : trans.__('%1 (unavailable: %2)', target.label, target.problem || trans.__('not ready'))}
        </option>
      ))}
    </SelectField>
  );
}
