import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import { ErrorState } from './ErrorState';

/** A spinner and what is loading ("Loading deployments…"), announced as a status. */
export function Loading(props: { children: React.ReactNode }): JSX.Element {
  return (
    <div className="jp-AquaExt-loading" role="status">
      <span className="jp-AquaExt-spinner" aria-hidden="true" />
      {props.children}
    </div>
  );
}

/**
 * What is loaded and loaded again while it shows (a list, a page of rows, a
 * memory fit): why the last load failed, with its Retry, above what an
 * earlier load brought, which stays; the spinner only until a first value
 * arrives. (A detail page shows only its first load's failure: `DetailLoadState`.)
 */
export function Loaded<T>(props: {
  trans: TranslationBundle;
  /** The last value loaded; null until one arrives. */
  value: T | null;
  error: unknown;
  /** What the spinner says ("Loading rows…"). */
  loading: string;
  onRetry: () => void;
  errorTitle?: string;
  errorClassName?: string;
  children: (value: T) => React.ReactNode;
}): JSX.Element {
  const { value, error } = props;
  return (
    <>
      {error !== null && (
        <ErrorState
          error={error}
          trans={props.trans}
          title={props.errorTitle}
          onRetry={props.onRetry}
          className={props.errorClassName}
        />
      )}
      {value === null && error === null && <Loading>{props.loading}</Loading>}
      {value !== null && props.children(value)}
    </>
  );
}
