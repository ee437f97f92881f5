/** What the client specs share: the spied server, its JSON answers, and the routes the client called. */
import { ServerConnection } from '@jupyterlab/services';

/**
 * In a client spec's describe: settings for a server under a `/user/me/`
 * base URL (a token only where a test needs one), the API's URL under it
 * (`base`), and `ServerConnection.makeRequest` spied afresh for each test
 * and restored after it (read the spy through the getter).
 */
export function spiedServer(options: { token?: string } = {}): {
  readonly settings: ServerConnection.ISettings;
  readonly base: string;
  readonly makeRequest: jest.SpyInstance;
} {
  const settings = ServerConnection.makeSettings({ baseUrl: 'http://localhost:8888/user/me/', ...options });
  let makeRequest: jest.SpyInstance | null = null;
  beforeEach(() => {
    makeRequest = jest.spyOn(ServerConnection, 'makeRequest');
  });
  afterEach(() => makeRequest?.mockRestore());
  return {
    settings,
    base: 'http://localhost:8888/user/me/aqua-ext/',
    get makeRequest(): jest.SpyInstance {
      if (!makeRequest) {
        throw new Error('spiedServer(): the spy exists only while a test runs');
      }
      return makeRequest;
    }
  };
}

/** A JSON answer of the server. */
export function json(status: number, body: unknown, statusText = ''): Response {
  return new Response(JSON.stringify(body), {
    status,
    statusText,
    headers: { 'Content-Type': 'application/json' }
  });
}

/** Each request's method and route below `base` ("GET finetunes/ftj-1"), in the order they were made. */
export function routesCalled(makeRequest: jest.SpyInstance, base: string): string[] {
  return makeRequest.mock.calls.map(
    ([url, init]) => `${(init as RequestInit).method} ${String(url).slice(base.length)}`
  );
}
