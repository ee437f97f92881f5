import * as React from 'react';

export interface IFetched<T> {
  value: T | null;
  /** The last load's error; a value loaded before stays shown. */
  error: unknown;
  /** A load is on its way (the value shown, if any, is the one before). */
  loading: boolean;
  /** Take a value an action answered with (activate, cancel…) without loading again. */
  setValue: (value: T) => void;
}

/**
 * One thing loaded with `load` (keep it memoized; null: nothing to load), again
 * whenever `reloadKey` changes (a newer state in the list, a retry); an answer
 * that arrives after a newer load started, or after unmount, is dropped.
 */
export function useFetched<T>(
  load: (() => Promise<T>) | null,
  reloadKey: unknown,
  onLoaded?: (value: T) => void
): IFetched<T> {
  const [value, setValue] = React.useState<T | null>(null);
  const [error, setError] = React.useState<unknown>(null);
  const [loading, setLoading] = React.useState(load !== null);
  const loaded = React.useRef(onLoaded);
  loaded.current = onLoaded;

  React.useEffect(() => {
    if (!load) {
      return;
    }
    let current = true;
    setLoading(true);
    load()
      .then(result => {
        if (current) {
          setValue(result);
          setError(null);
          loaded.current?.(result);
        }
      })
      .catch(reason => current && setError(reason))
      .finally(() => current && setLoading(false));
    return () => {
      current = false;
    };
  }, [load, reloadKey]);

  return { value, error, loading, setValue };
}
