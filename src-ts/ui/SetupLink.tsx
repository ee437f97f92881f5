/**
 * The way from an OCI authorization error to its fix: an error whose server
 * answer names a setup check (`setup_check`) shows an "Open OCI setup" button
 * that opens the setup view at that check. The panel provides how to open it
 * (ui/ knows no feature); without a provider the button is not shown.
 */
import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import { AquaApiError } from '../api/errors';

/** Open the OCI setup view at a check (its key); the panel provides it. */
export type OpenSetupCheck = (check: string) => void;

export const SetupLinkContext = React.createContext<OpenSetupCheck | null>(null);

/** The setup check an error points at, or null. */
export function setupCheckOf(error: unknown): string | null {
  return error instanceof AquaApiError ? error.setupCheck : null;
}

export function SetupLink(props: { error: unknown; trans: TranslationBundle }): JSX.Element | null {
  const open = React.useContext(SetupLinkContext);
  const check = setupCheckOf(props.error);
  if (!open || !check) {
    return null;
  }
  return (
    <button
      type="button"
      className="jp-mod-styled jp-AquaExt-button jp-AquaExt-SetupLink"
      title={props.trans.__('Show the OCI setup check that covers this refusal, with the policy that fixes it')}
      onClick={() => open(check)}
    >
      {props.trans.__('Open OCI setup')}
    </button>
  );
}
