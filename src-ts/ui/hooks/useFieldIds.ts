import * as React from 'react';

/**
 * Element ids for a form's inputs, unique per form instance:
 * `jp-AquaExt-<form>-<instance>-<name>` (labels, hints and errors derive from them).
 */
export function useFieldIds(form: string): (name: string) => string {
  const instance = React.useId().replace(/:/g, '');
  return React.useCallback((name: string) => `jp-AquaExt-${form}-${instance}-${name}`, [form, instance]);
}
