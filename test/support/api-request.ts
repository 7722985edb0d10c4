/** One authenticated JSON request to a Hoist server's API, as the test servers' `api()` make it. */
export async function apiRequest<T>(
  url: string,
  token: string,
  method: string,
  route: string,
  body?: unknown,
  options: { timeoutMs?: number } = {},
): Promise<{ status: number; body: T }> {
  const response = await fetch(url + route, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    ...(options.timeoutMs === undefined ? {} : { signal: AbortSignal.timeout(options.timeoutMs) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
}
