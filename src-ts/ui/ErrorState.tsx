import * as React from 'react';

import { Button, refreshIcon } from '@jupyterlab/ui-components';
import type { TranslationBundle } from '@jupyterlab/translation';

import { AquaApiError } from '../api/errors';
import { describeError } from '../shared/errors';
import { SetupLink } from './SetupLink';

export interface IErrorStateProps {
  error: unknown;
  trans: TranslationBundle;
  /** Shown as a "Retry" button when given. */
  onRetry?: () => void;
  /** A heading above the message. */
  title?: string;
  className?: string;
}

/** An error box with the server's message and an optional Retry button. */
export function ErrorState(props: IErrorStateProps): JSX.Element {
  const { error, trans, onRetry, title } = props;
  const requestId = error instanceof AquaApiError ? error.requestId : null;
  return (
    <div className={['jp-AquaExt-ErrorState', props.className ?? ''].join(' ').trim()} role="alert">
      {title && <div className="jp-AquaExt-ErrorState-title">{title}</div>}
      <div className="jp-AquaExt-ErrorState-message">{describeError(error, trans)}</div>
      {requestId && <div className="jp-AquaExt-ErrorState-requestId">{trans.__('Request id: %1', requestId)}</div>}
      <SetupLink error={error} trans={trans} />
      {onRetry && (
        <Button className="jp-mod-styled jp-AquaExt-button" onClick={onRetry} title={trans.__('Retry')}>
          <refreshIcon.react tag="span" className="jp-AquaExt-buttonIcon" />
          {trans.__('Retry')}
        </Button>
      )}
    </div>
  );
}
