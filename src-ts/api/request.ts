import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { AquaApiError } from './errors';

/** Every route of the server extension lives under `<base_url>/aqua-ext/`. */
export const API_NAMESPACE = 'aqua-ext';

/**
 * Call the aqua_ext REST API.
 *
 * @param endPoint - path relative to `<base_url>/aqua-ext/`, with its query string
 * @param init - fetch options (method, body, signal)
 * @param settings - the server connection settings (base URL, token, XSRF)
 * @returns the decoded JSON body, or `undefined` for an empty answer (204)
 * @throws AquaApiError on a network failure or a non-2xx answer
 */
export async function requestAPI<T>(
  endPoint = '',
  init: RequestInit = {},
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Promise<T> {
  const url = URLExt.join(settings.baseUrl, API_NAMESPACE, endPoint);
  // 'no-cache' always revalidates with the server, like JupyterLab's default
  // 'no-store', but without the `?<timestamp>` cache-buster that 'no-store'
  // appends (the API validates its query strings strictly).
  const request: RequestInit = { cache: 'no-cache', ...init };
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, request, settings);
  } catch (error) {
    if (isAbort(error)) {
      throw error;
    }
    throw AquaApiError.network(error);
  }

  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    if (isAbort(error)) {
      throw error;
    }
    throw AquaApiError.network(error);
  }
  let data: unknown = undefined;
  if (text.length > 0) {
    try {
      data = JSON.parse(text);
    } catch {
      data = text;
    }
  }

  if (!response.ok) {
    throw AquaApiError.fromResponse(response, data);
  }
  return data as T;
}

function isAbort(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError';
}
