import * as React from 'react';

/**
 * A ref that holds this render's value: an effect that runs only when some
 * other input changes reads the latest values through it without re-running
 * when they change.
 */
export function useLatest<T>(value: T): React.MutableRefObject<T> {
  const ref = React.useRef(value);
  ref.current = value;
  return ref;
}
