import * as React from 'react';

/**
 * True while the component is mounted: an answer that arrives after it is
 * gone (dialog closed, detail left) must not set its state.
 */
export function useMountedRef(): React.MutableRefObject<boolean> {
  const mounted = React.useRef(true);
  React.useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  return mounted;
}
