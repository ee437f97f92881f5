import * as React from 'react';

/**
 * A "Copied" flag for a copy button: true right after `mark()`, false again
 * 1.5 s later (a second copy restarts the wait).
 */
export function useCopiedFlag(durationMs = 1500): [boolean, () => void] {
  const [copied, setCopied] = React.useState(0);
  React.useEffect(() => {
    if (!copied) {
      return;
    }
    const timer = setTimeout(() => setCopied(0), durationMs);
    return () => clearTimeout(timer);
  }, [copied, durationMs]);
  const mark = React.useCallback(() => setCopied(n => n + 1), []);
  return [copied > 0, mark];
}
