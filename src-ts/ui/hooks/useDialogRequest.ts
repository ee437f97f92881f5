import * as React from 'react';

import { useMountedRef } from './useMountedRef';

export interface IDialogRequest {
  /** While the request is on its way: the dialog's inputs and buttons are disabled. */
  busy: boolean;
  /** The last request's refusal (shown in the dialog until the next one), or null. */
  failure: unknown;
  setFailure: (failure: unknown) => void;
  /** Run `request`; what it throws becomes `failure`. Nothing is set once the dialog is gone. */
  run: (request: (alive: () => boolean) => Promise<void>) => Promise<void>;
}

/**
 * The one request of a dialog that is not a form to submit (test, import,
 * export): busy while it runs, its refusal kept for the dialog to show.
 */
export function useDialogRequest(): IDialogRequest {
  const mounted = useMountedRef();
  const [busy, setBusy] = React.useState(false);
  const [failure, setFailure] = React.useState<unknown>(null);

  const run = React.useCallback(
    async (request: (alive: () => boolean) => Promise<void>): Promise<void> => {
      setBusy(true);
      setFailure(null);
      try {
        await request(() => mounted.current);
      } catch (reason) {
        if (mounted.current) {
          setFailure(reason);
        }
      } finally {
        if (mounted.current) {
          setBusy(false);
        }
      }
    },
    [mounted]
  );

  return { busy, failure, setFailure, run };
}
