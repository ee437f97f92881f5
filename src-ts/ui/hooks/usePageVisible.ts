import * as React from 'react';

/**
 * Whether the browser tab is shown: pollers stop while it is hidden (nobody
 * sees their answers, and a background tab should not keep the server busy).
 */
export function usePageVisible(): boolean {
  const [visible, setVisible] = React.useState(() => typeof document === 'undefined' || !document.hidden);
  React.useEffect(() => {
    const onChange = (): void => setVisible(!document.hidden);
    document.addEventListener('visibilitychange', onChange);
    return () => document.removeEventListener('visibilitychange', onChange);
  }, []);
  return visible;
}
