import type { TranslationBundle } from '@jupyterlab/translation';

import { AquaApiError, SERVER_MISSING_MESSAGE } from '../api/errors';

/** The text to show for an error: the server's message, never a stack trace. */
export function describeError(error: unknown, trans: TranslationBundle): string {
  if (error instanceof AquaApiError) {
    if (error.serverMissing) {
      return trans.__(SERVER_MISSING_MESSAGE);
    }
    return error.message || trans.__('The request failed (%1).', error.reason || String(error.status));
  }
  if (error instanceof Error && error.message) {
    return error.message;
  }
  return trans.__('Something went wrong.');
}
