import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import { AquaApiError } from '../../api/errors';
import type { FieldError } from '../../api/types';
import { describeError } from '../../shared/errors';
import { placeFieldErrors, type IPlacedFieldErrors } from '../../shared/fieldErrors';
import { useMountedRef } from './useMountedRef';

export type FieldErrors<F extends string> = Partial<Record<F, string>>;

/** Where a refusal's errors go; `quiet`: shown elsewhere, so no message for the whole form. */
export interface IPlacedRefusal<F extends string> extends IPlacedFieldErrors<F> {
  quiet?: boolean;
}

export interface IFormSubmitOptions<F extends string> {
  trans: TranslationBundle;
  /** The request's field names: a 400's field errors land under these inputs. */
  fields: readonly F[];
  /**
   * A form's own reading of a refusal (a 409, a 404, a dataset's bad lines…);
   * undefined falls back to the field errors of the answer, or its message.
   */
  placeRefusal?: (reason: AquaApiError) => IPlacedRefusal<F> | undefined;
  /** Called whenever errors are shown (to open a collapsed section that has one). */
  onShow?: (errors: FieldErrors<F>) => void;
}

export interface ISubmitSteps<T> {
  /** Check the form here (`showErrors`); false: not sent. */
  validate: () => boolean;
  /** Send it; null: stopped without an answer to act on (`alive` is false once the dialog is gone). */
  send: (alive: () => boolean) => Promise<T | null>;
  /** What the answer does (only while the dialog is still there). */
  done: (result: T) => void | Promise<void>;
}

export interface IFormSubmit<F extends string> {
  /** Errors under the inputs. */
  errors: FieldErrors<F>;
  /** Errors of the answer that name no input. */
  otherErrors: FieldError[];
  /** A message for the whole form. */
  error: string | null;
  /** The refusal behind `error` (an OCI authorization error links to its setup check), or null. */
  failure: unknown;
  /** While the request is on its way: inputs and Close are disabled. */
  submitting: boolean;
  /** Show these errors under the inputs (replacing the last); true when there are none. */
  showErrors: (errors: FieldErrors<F>) => boolean;
  /** An input changed: its error goes. */
  clearErrors: (fields: readonly F[]) => void;
  /** One more error under one input (an upload that failed, for example). */
  addError: (field: F, message: string) => void;
  /** The message for the whole form, and the refusal it tells of (for its setup check link). */
  setError: (message: string | null, cause?: unknown) => void;
  /** Validate, send, and place what a refusal says; a second submit while one runs is ignored. */
  submit: <T>(event: React.FormEvent | null, steps: ISubmitSteps<T>) => Promise<void>;
}

/**
 * The one submit flow of the create dialogs (deploy, fine-tune, evaluate,
 * register): client-side errors under the inputs, one request at a time,
 * a 400's field errors under the inputs they name, and any other refusal as
 * a message for the whole form.
 */
export function useFormSubmit<F extends string>(options: IFormSubmitOptions<F>): IFormSubmit<F> {
  const [errors, setErrors] = React.useState<FieldErrors<F>>({});
  const [otherErrors, setOtherErrors] = React.useState<FieldError[]>([]);
  const [error, setMessage] = React.useState<string | null>(null);
  const [failure, setFailure] = React.useState<unknown>(null);
  const [submitting, setSubmitting] = React.useState(false);
  const running = React.useRef(false);
  const mounted = useMountedRef();
  const latest = React.useRef(options);
  latest.current = options;

  const setError = React.useCallback((message: string | null, cause: unknown = null): void => {
    setMessage(message);
    setFailure(cause);
  }, []);

  const showErrors = React.useCallback((next: FieldErrors<F>): boolean => {
    setErrors(next);
    latest.current.onShow?.(next);
    return Object.keys(next).length === 0;
  }, []);

  const clearErrors = React.useCallback((fields: readonly F[]): void => {
    setErrors(previous => {
      if (!fields.some(field => previous[field])) {
        return previous;
      }
      const next = { ...previous };
      fields.forEach(field => delete next[field]);
      return next;
    });
  }, []);

  /** Place a refusal: under the inputs it names, or as a message for the whole form. */
  const refused = React.useCallback(
    (reason: unknown): void => {
      const { trans, fields, placeRefusal } = latest.current;
      let placed: IPlacedRefusal<F> | undefined;
      if (reason instanceof AquaApiError) {
        placed = placeRefusal?.(reason);
        if (!placed && reason.fields && reason.fields.length > 0) {
          placed = placeFieldErrors(reason.fields, fields);
        }
      }
      if (!placed) {
        setError(describeError(reason, trans), reason);
        return;
      }
      showErrors(placed.byField);
      setOtherErrors(placed.other);
      if (!placed.quiet && placed.other.length === 0 && Object.keys(placed.byField).length === 0) {
        setError(describeError(reason, trans), reason);
      }
    },
    [setError, showErrors]
  );

  const addError = React.useCallback((field: F, message: string): void => {
    setErrors(previous => ({ ...previous, [field]: message }));
  }, []);

  const submit = React.useCallback(
    async <T>(event: React.FormEvent | null, steps: ISubmitSteps<T>): Promise<void> => {
      event?.preventDefault();
      if (running.current) {
        return;
      }
      setOtherErrors([]);
      setError(null);
      if (!steps.validate()) {
        return;
      }
      running.current = true;
      setSubmitting(true);
      const alive = (): boolean => mounted.current;
      let result: T | null = null;
      try {
        result = await steps.send(alive);
      } catch (reason) {
        if (mounted.current) {
          refused(reason);
        }
      } finally {
        running.current = false;
        if (mounted.current) {
          setSubmitting(false);
        }
      }
      if (result !== null && mounted.current) {
        await steps.done(result);
      }
    },
    [mounted, refused, setError]
  );

  return { errors, otherErrors, error, failure, submitting, showErrors, clearErrors, addError, setError, submit };
}
