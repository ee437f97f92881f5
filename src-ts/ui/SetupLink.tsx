/**
 * An error's "Open OCI setup" button: shown when the failure (an error answer,
 * or a failed operation) names a setup check and the panel can open the setup
 * view at it (setupLinks.ts holds the rule).
 */
import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import { SetupLinkContext, setupCheckOf, setupLinkText } from './setupLinks';

export function SetupLink(props: { error: unknown; trans: TranslationBundle }): JSX.Element | null {
  const open = React.useContext(SetupLinkContext);
  const check = setupCheckOf(props.error);
  if (!open || !check) {
    return null;
  }
  const { label, caption } = setupLinkText(props.trans);
  return (
    <button
      type="button"
      className="jp-mod-styled jp-AquaExt-button jp-AquaExt-SetupLink"
      title={caption}
      onClick={() => open(check)}
    >
      {label}
    </button>
  );
}
