import * as React from 'react';

/**
 * A dialog's focus: its first input on open, back to whatever had it before
 * on close (keyboard users land where they were).
 */
export function useDialogFocus(first: React.RefObject<HTMLElement | null>): void {
  React.useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    first.current?.focus();
    return () => {
      previous?.focus?.();
    };
    // Only on open and close (the ref stays the same): later focus moves are the user's.
  }, [first]);
}
