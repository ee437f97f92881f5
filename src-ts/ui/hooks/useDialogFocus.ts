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

/** Where a failed submit sends the focus: the first input with an error, else the form's error message. */
export function focusFirstError(form: HTMLElement | null): void {
  const target =
    form?.querySelector<HTMLElement>('[aria-invalid="true"]') ??
    form?.querySelector<HTMLElement>('.jp-AquaExt-FormErrors-list, .jp-AquaExt-FormErrors-message');
  target?.focus();
}

/**
 * Call the returned function once a submit has ended: after the errors it showed are
 * rendered, the focus goes to the first of them. Without it the focus stays on the submit
 * button, disabled while sending, so keyboard users are left on the page's body.
 */
export function useSubmitErrorFocus(form: React.RefObject<HTMLElement | null>): () => void {
  const [ended, setEnded] = React.useState(0);
  React.useEffect(() => {
    if (ended > 0) {
      focusFirstError(form.current);
    }
  }, [ended, form]);
  return React.useCallback(() => setEnded(n => n + 1), []);
}

/**
 * A view opened in place of what had the focus (a card opened with Enter, which then goes
 * away): its heading takes the focus when it is shown, unless the user has put it somewhere.
 */
export function useHeadingFocus(heading: React.RefObject<HTMLElement | null>): void {
  React.useEffect(() => {
    const active = document.activeElement;
    if (!active || active === document.body || !active.isConnected) {
      heading.current?.focus();
    }
  }, [heading]);
}
