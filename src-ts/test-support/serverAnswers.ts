/** What the client specs share: the server's JSON answers, and the routes a spied `makeRequest` was called with. */

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
