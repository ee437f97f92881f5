import * as React from 'react';

/** A spinner and what is loading ("Loading deployments…"), announced as a status. */
export function Loading(props: { children: React.ReactNode }): JSX.Element {
  return (
    <div className="jp-AquaExt-loading" role="status">
      <span className="jp-AquaExt-spinner" aria-hidden="true" />
      {props.children}
    </div>
  );
}
