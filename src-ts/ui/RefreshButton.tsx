import * as React from 'react';

import { Button, refreshIcon } from '@jupyterlab/ui-components';
import type { TranslationBundle } from '@jupyterlab/translation';

/** "Refresh" with its icon: load again what the page shows; `title` says what. */
export function RefreshButton(props: { trans: TranslationBundle; title: string; onClick: () => void }): JSX.Element {
  return (
    <Button className="jp-mod-styled jp-AquaExt-button" onClick={props.onClick} title={props.title}>
      <refreshIcon.react tag="span" className="jp-AquaExt-buttonIcon" />
      {props.trans.__('Refresh')}
    </Button>
  );
}
