import * as React from 'react';

import type { FieldErrors } from './useFormSubmit';

/** A dialog's "Advanced options" (`AdvancedOptions`): open or not, as the user or the form leaves it. */
export interface IAdvancedOptions<F extends string> {
  open: boolean;
  setOpen: (open: boolean) => void;
  /** `useFormSubmit`'s `onShow`: opens the section when an error lands on one of its inputs. */
  openOnError: (shown: FieldErrors<F>) => void;
}

/**
 * The open state of a dialog's "Advanced options", whose inputs are `fields`:
 * collapsed at first, and opened whenever the form shows an error on one of
 * them, so that no error stays hidden in a closed section.
 */
export function useAdvancedOptions<F extends string>(fields: readonly F[]): IAdvancedOptions<F> {
  const [open, setOpen] = React.useState(false);
  const openOnError = React.useCallback(
    (shown: FieldErrors<F>) => {
      if (fields.some(field => shown[field])) {
        setOpen(true);
      }
    },
    [fields]
  );
  return { open, setOpen, openOnError };
}
