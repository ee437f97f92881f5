/**
 * The way from an OCI authorization refusal to its fix, in one place. A
 * failure points at the OCI setup check that covers it when the server says
 * so: an error answer's `setup_check`, or a background operation that failed
 * with one. An inline error shows it as the "Open OCI setup" button
 * (SetupLink.tsx); a notification carries it as an action with the same
 * label. The panel provides how to open the setup view (ui/ knows no
 * feature); without a provider neither is offered.
 */
import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import { AquaApiError } from '../api/errors';
import type { Operation } from '../api/types';
import type { INotifyAction, Notify } from '../shared/callbacks';
import { describeError } from '../shared/errors';
import { useLatest } from './hooks/useLatest';

/** Open the OCI setup view at a check (its key); the panel provides it. */
export type OpenSetupCheck = (check: string) => void;

export const SetupLinkContext = React.createContext<OpenSetupCheck | null>(null);

/** The setup check a failure points at (an error answer, or a failed operation), or null. */
export function setupCheckOf(failure: unknown): string | null {
  if (failure instanceof AquaApiError) {
    return failure.setupCheck;
  }
  if (isFailedOperation(failure)) {
    return failure.setup_check ?? null;
  }
  return null;
}

function isFailedOperation(value: unknown): value is Operation {
  const candidate = value as Partial<Operation> | null;
  return typeof candidate === 'object' && candidate !== null && candidate.state === 'FAILED';
}

/** The words of the way to the setup check, the same on a button and on a notification. */
export function setupLinkText(trans: TranslationBundle): { label: string; caption: string } {
  return {
    label: trans.__('Open OCI setup'),
    caption: trans.__('Show the OCI setup check that covers this refusal, with the policy that fixes it')
  };
}

/** A notification's action that opens the setup view at `check`. */
export function setupAction(check: string, open: OpenSetupCheck, trans: TranslationBundle): INotifyAction {
  return { ...setupLinkText(trans), callback: () => open(check) };
}

/**
 * Notify a failure with `message`; when `failure` is an OCI refusal (and the
 * panel can open the setup view) the notification offers its setup check.
 */
export function notifyFailure(
  notify: Notify,
  message: string,
  failure: unknown,
  trans: TranslationBundle,
  open: OpenSetupCheck | null
): void {
  const check = setupCheckOf(failure);
  if (check && open) {
    notify(message, 'error', { actions: [setupAction(check, open, trans)] });
  } else {
    notify(message, 'error');
  }
}

/** Notify an error with the server's message (`describeError`), and its setup check when it has one. */
export function notifyError(
  notify: Notify,
  error: unknown,
  trans: TranslationBundle,
  open: OpenSetupCheck | null
): void {
  notifyFailure(notify, describeError(error, trans), error, trans, open);
}

/** `notifyError` for a component: the setup view's opener is the panel's (SetupLinkContext). */
export function useNotifyError(notify: Notify, trans: TranslationBundle): (error: unknown) => void {
  const open = React.useContext(SetupLinkContext);
  const latest = useLatest({ notify, trans, open });
  return React.useCallback(
    (error: unknown) => notifyError(latest.current.notify, error, latest.current.trans, latest.current.open),
    [latest]
  );
}
