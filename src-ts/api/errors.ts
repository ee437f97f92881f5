import type { ErrorBody, FieldError } from './types';

/**
 * What went wrong, in the terms the UI cares about.
 *
 * - `api`: the server extension answered with its JSON error shape.
 * - `server-missing`: nothing answered at `aqua-ext/…` (network failure, or a
 *   404 that is not ours), so the server extension is not installed or not
 *   enabled.
 * - `http`: some other non-JSON answer (a proxy error page, for example).
 */
export type AquaErrorKind = 'api' | 'server-missing' | 'http';

/** The message shown when the server extension cannot be reached. */
export const SERVER_MISSING_MESSAGE =
  'The aqua_ext server extension is not running: pip install aqua_ext and restart, check `jupyter server extension list`.';

/**
 * An error answered by (or on the way to) the aqua_ext REST API.
 *
 * Built from the server's one error shape
 * `{status, message, reason, fields?, request_id, setup_check?}`; its `message` is always
 * fit to show to a user (never an HTML page or a stack trace).
 */
export class AquaApiError extends Error {
  readonly status: number;
  readonly reason: string;
  readonly fields?: FieldError[];
  readonly requestId: string | null;
  readonly kind: AquaErrorKind;
  /** An authorization refusal by OCI: the key of the OCI setup check that covers the refused call. */
  readonly setupCheck: string | null;

  constructor(options: {
    status: number;
    message: string;
    reason: string;
    fields?: FieldError[] | null;
    requestId?: string | null;
    kind?: AquaErrorKind;
    setupCheck?: string | null;
  }) {
    super(options.message);
    this.name = 'AquaApiError';
    this.status = options.status;
    this.reason = options.reason;
    this.fields = options.fields ?? undefined;
    this.requestId = options.requestId ?? null;
    this.kind = options.kind ?? 'api';
    this.setupCheck = options.setupCheck ?? null;
    Object.setPrototypeOf(this, AquaApiError.prototype);
  }

  /** True when the server extension itself is missing or unreachable. */
  get serverMissing(): boolean {
    return this.kind === 'server-missing';
  }

  /** The request could not be sent or no answer came back. */
  static network(cause?: unknown): AquaApiError {
    const error = new AquaApiError({
      status: 0,
      message: SERVER_MISSING_MESSAGE,
      reason: 'Network Error',
      kind: 'server-missing'
    });
    if (cause !== undefined) {
      (error as { cause?: unknown }).cause = cause;
    }
    return error;
  }

  /**
   * Map a non-OK response and its decoded body (JSON value, raw text, or
   * undefined when empty) to an error.
   */
  static fromResponse(response: { status: number; statusText: string }, body: unknown): AquaApiError {
    if (isErrorBody(body)) {
      return new AquaApiError({
        status: body.status || response.status,
        message: body.message,
        reason: body.reason,
        fields: body.fields,
        requestId: body.request_id,
        setupCheck: body.setup_check
      });
    }
    if (response.status === 404) {
      // Jupyter's own "404: Not Found" page: no handler serves aqua-ext/….
      return new AquaApiError({
        status: 404,
        message: SERVER_MISSING_MESSAGE,
        reason: 'Not Found',
        kind: 'server-missing'
      });
    }
    const reason = response.statusText || 'Error';
    // Jupyter's APIHandler errors carry {message, reason} even outside our shape.
    const message =
      typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string'
        ? (body as { message: string }).message || reason
        : `The server answered ${response.status} ${reason}.`;
    return new AquaApiError({
      status: response.status,
      message,
      reason,
      kind: 'http'
    });
  }
}

/** Whether a decoded body has the contract's error shape. */
export function isErrorBody(body: unknown): body is ErrorBody {
  if (typeof body !== 'object' || body === null) {
    return false;
  }
  const candidate = body as Partial<ErrorBody>;
  return (
    typeof candidate.message === 'string' &&
    typeof candidate.reason === 'string' &&
    typeof candidate.status === 'number' &&
    typeof candidate.request_id === 'string'
  );
}
