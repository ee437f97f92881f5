/** The server's refusals as the client raises them, for the specs that make a route fail. */
import { AquaApiError } from '../api/errors';

/** The reason phrase the server sends with each status the specs use. */
const REASONS = { 400: 'Bad Request', 404: 'Not Found', 409: 'Conflict', 502: 'Bad Gateway' } as const;

type ErrorExtra = Omit<ConstructorParameters<typeof AquaApiError>[0], 'status' | 'message' | 'reason'>;

/** An error answer of the server: the status with its reason phrase, the message it shows, and what else it carries. */
export function apiError(status: keyof typeof REASONS, message: string, extra: ErrorExtra = {}): AquaApiError {
  return new AquaApiError({ status, message, reason: REASONS[status], ...extra });
}
