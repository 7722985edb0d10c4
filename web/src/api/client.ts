import type {
  Action,
  ActionState,
  ActionWithLog,
  AuditEvent,
  CreatedWebhook,
  CreateWebhookRequest,
  Delivery,
  Engine,
  Enqueued,
  Service,
  ServiceSettings,
  Webhook,
} from './types';

const TOKEN_KEY = 'hoist.apiToken';

/** An error answer of the API (`{"error": {"code", "message"}}`), or a failure to reach it (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Any failure as an ApiError, for the UI's error notes. */
export function asApiError(reason: unknown): ApiError {
  return reason instanceof ApiError
    ? reason
    : new ApiError(0, 'unexpected', reason instanceof Error ? reason.message : 'Failed.');
}

/** The API token lives in sessionStorage: gone when the tab closes, never in a cookie. */
export const session = {
  token: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  save: (token: string) => sessionStorage.setItem(TOKEN_KEY, token),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

let onUnauthorized: (message: string) => void = () => {};

/** Called with the API's message whenever it refuses the token: the app goes back to sign-in. */
export function setUnauthorizedHandler(handler: (message: string) => void): void {
  onUnauthorized = handler;
}

/** Tells the app the token was refused (for callers that read responses themselves). */
export function reportUnauthorized(message: string): void {
  session.clear();
  onUnauthorized(message);
}

interface RequestOptions {
  body?: unknown;
  signal?: AbortSignal;
  /** A token to try instead of the session's (sign-in); a 401 then does not sign out. */
  token?: string;
}

async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const token = options.token ?? session.token() ?? '';
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw new ApiError(0, 'network', 'Hoist did not answer. Is the server running?');
  }
  const text = await response.text();
  if (options.signal?.aborted) throw new DOMException('Aborted', 'AbortError');
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // A proxy's HTML error page, say: reported below by its status.
  }
  if (response.ok) return body as T;
  const error = (body as { error?: { code?: string; message?: string } } | null)?.error;
  const apiError = new ApiError(
    response.status,
    error?.code ?? `http_${response.status}`,
    error?.message ?? `Hoist answered HTTP ${response.status}.`,
  );
  if (response.status === 401 && options.token === undefined) reportUnauthorized(apiError.message);
  throw apiError;
}

const enc = encodeURIComponent;

/** A page of a paged list: its items, and the path of the next page (null on the last). */
export type Paged<T extends object> = T & { next: string | null };

/** Every call the UI makes: the public API under /api/v1, nothing else. */
export const api = {
  engines: (token?: string) =>
    request<{ engines: Engine[] }>('GET', '/api/v1/engines', token ? { token } : {}),

  services: (signal?: AbortSignal) =>
    request<{ services: Service[] }>('GET', '/api/v1/services', { signal }),

  service: (id: string, signal?: AbortSignal) =>
    request<Service>('GET', `/api/v1/services/${enc(id)}`, { signal }),

  updateService: (id: string, settings: ServiceSettings) =>
    request<Service>('PATCH', `/api/v1/services/${enc(id)}`, { body: settings }),

  redeploy: (id: string) =>
    request<Enqueued>('POST', `/api/v1/services/${enc(id)}/redeploy`, { body: {} }),

  webhooks: (serviceId: string, signal?: AbortSignal) =>
    request<{ webhooks: Webhook[] }>('GET', `/api/v1/services/${enc(serviceId)}/webhooks`, {
      signal,
    }),

  createWebhook: (serviceId: string, body: CreateWebhookRequest) =>
    request<CreatedWebhook>('POST', `/api/v1/services/${enc(serviceId)}/webhooks`, { body }),

  deliveries: (serviceId: string, webhookId: string, limit: number, signal?: AbortSignal) =>
    request<Paged<{ deliveries: Delivery[] }>>(
      'GET',
      `/api/v1/services/${enc(serviceId)}/webhooks/${enc(webhookId)}/deliveries?limit=${limit}`,
      { signal },
    ),

  revokeWebhook: (serviceId: string, webhookId: string) =>
    request<null>('DELETE', `/api/v1/services/${enc(serviceId)}/webhooks/${enc(webhookId)}`),

  actions: (
    query: { service?: string; state?: ActionState; limit?: number },
    signal?: AbortSignal,
  ) => {
    const params = new URLSearchParams();
    if (query.service) params.set('service', query.service);
    if (query.state) params.set('state', query.state);
    if (query.limit) params.set('limit', String(query.limit));
    return request<Paged<{ actions: Action[] }>>('GET', `/api/v1/actions?${params}`, { signal });
  },

  audit: (query: { actor?: string; service?: string; limit?: number }, signal?: AbortSignal) => {
    const params = new URLSearchParams();
    if (query.actor) params.set('actor', query.actor);
    if (query.service) params.set('service', query.service);
    if (query.limit) params.set('limit', String(query.limit));
    return request<Paged<{ events: AuditEvent[] }>>('GET', `/api/v1/audit?${params}`, { signal });
  },

  /** The next page of a paged list: the path its `next` names. */
  page: <T extends Paged<object>>(next: string) => request<T>('GET', next),

  action: (id: string, signal?: AbortSignal) =>
    request<ActionWithLog>('GET', `/api/v1/actions/${enc(id)}`, { signal }),
};
