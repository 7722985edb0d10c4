import type {
  Action,
  ActionState,
  ActionWithLog,
  ApiToken,
  AuditEvent,
  CreatedToken,
  CreatedUser,
  CreatedWebhook,
  CreateServiceRequest,
  CreateTokenRequest,
  CreateUserRequest,
  CreateWebhookRequest,
  Engine,
  Enqueued,
  Me,
  Service,
  ServiceSettings,
  SignInRequest,
  UpdateUserRequest,
  User,
  Webhook,
} from './api-types.js';
import { ApiError, CliError } from './cli-error.js';

const REQUEST_TIMEOUT_MS = 30_000;

/**
 * A page of a paged list: its items and the path of the next page, null on the
 * last. Servers older than paging send no `next`: their one page is all there is.
 */
export type Paged<T extends object> = T & { next?: string | null };

/**
 * The Hoist HTTP API, as the CLI uses it: one method per route, typed with
 * the wire shapes derived from the API's schemas (./api-types.ts). Every
 * failure becomes a CliError whose message says what happened and what to do.
 *
 * @example
 *   const client = new ApiClient('http://localhost:8080', token);
 *   const { services } = await client.listServices();
 *
 * Without a token (null) it sends no Authorization header: for signing in.
 */
export class ApiClient {
  readonly baseUrl: string;

  constructor(
    baseUrl: string,
    private readonly token: string | null,
  ) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  /** A new API token for a username and password; needs no token. */
  signIn(body: SignInRequest) {
    return this.request<{ user: User; token: string }>('POST', '/api/v1/sign-in', body);
  }

  me() {
    return this.request<Me>('GET', '/api/v1/me');
  }

  changeOwnPassword(current: string, password: string) {
    return this.request<null>('POST', '/api/v1/me/password', { current, password });
  }

  listTokens(options: { all?: boolean } = {}) {
    return this.request<{ tokens: ApiToken[] }>(
      'GET',
      `/api/v1/tokens${options.all ? '?all=true' : ''}`,
    );
  }

  createToken(body: CreateTokenRequest) {
    return this.request<CreatedToken>('POST', '/api/v1/tokens', body);
  }

  revokeToken(id: string) {
    return this.request<null>('DELETE', `/api/v1/tokens/${enc(id)}`);
  }

  listUsers() {
    return this.request<{ users: User[] }>('GET', '/api/v1/users');
  }

  createUser(body: CreateUserRequest) {
    return this.request<CreatedUser>('POST', '/api/v1/users', body);
  }

  updateUser(id: string, body: UpdateUserRequest) {
    return this.request<{ user: User }>('PATCH', `/api/v1/users/${enc(id)}`, body);
  }

  deleteUser(id: string) {
    return this.request<null>('DELETE', `/api/v1/users/${enc(id)}`);
  }

  listEngines() {
    return this.request<{ engines: Engine[] }>('GET', '/api/v1/engines');
  }

  listServices() {
    return this.request<{ services: Service[] }>('GET', '/api/v1/services');
  }

  getService(id: string) {
    return this.request<Service>('GET', `/api/v1/services/${enc(id)}`);
  }

  createService(body: CreateServiceRequest) {
    return this.request<Service>('POST', '/api/v1/services', body);
  }

  updateService(id: string, settings: ServiceSettings) {
    return this.request<Service>('PATCH', `/api/v1/services/${enc(id)}`, settings);
  }

  deleteService(id: string) {
    return this.request<null>('DELETE', `/api/v1/services/${enc(id)}`);
  }

  redeployService(id: string, options: { reuseVolumes: boolean }) {
    return this.request<Enqueued>('POST', `/api/v1/services/${enc(id)}/redeploy`, {
      reuse_volumes: options.reuseVolumes,
    });
  }

  scaleService(id: string, replicas: number) {
    return this.request<Enqueued>('POST', `/api/v1/services/${enc(id)}/scale`, { replicas });
  }

  listWebhooks(serviceId: string) {
    return this.request<{ webhooks: Webhook[] }>(
      'GET',
      `/api/v1/services/${enc(serviceId)}/webhooks`,
    );
  }

  createWebhook(serviceId: string, body: CreateWebhookRequest) {
    return this.request<CreatedWebhook>(
      'POST',
      `/api/v1/services/${enc(serviceId)}/webhooks`,
      body,
    );
  }

  revokeWebhook(serviceId: string, webhookId: string) {
    return this.request<null>(
      'DELETE',
      `/api/v1/services/${enc(serviceId)}/webhooks/${enc(webhookId)}`,
    );
  }

  listActions(query: { service?: string; state?: ActionState; limit?: number } = {}) {
    const params = new URLSearchParams();
    if (query.service) params.set('service', query.service);
    if (query.state) params.set('state', query.state);
    if (query.limit) params.set('limit', String(query.limit));
    const search = params.size > 0 ? `?${params}` : '';
    return this.request<Paged<{ actions: Action[] }>>('GET', `/api/v1/actions${search}`);
  }

  listAudit(
    query: {
      actor?: string;
      service?: string;
      object?: string;
      since?: string;
      limit?: number;
    } = {},
  ) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) params.set(key, String(value));
    }
    const search = params.size > 0 ? `?${params}` : '';
    return this.request<Paged<{ events: AuditEvent[] }>>('GET', `/api/v1/audit${search}`);
  }

  /** The page a paged list's `next` names (a path on this server, with its query). */
  nextPage<T extends Paged<object>>(next: string) {
    return this.request<T>('GET', next);
  }

  getAction(id: string) {
    return this.request<ActionWithLog>('GET', `/api/v1/actions/${enc(id)}`);
  }

  private async request<T>(method: string, route: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(this.baseUrl + route, {
        method,
        headers: {
          accept: 'application/json',
          ...(this.token === null ? {} : { authorization: `Bearer ${this.token}` }),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      throw unreachable(this.baseUrl, error);
    }
    const text = await response.text();
    if (response.ok) return (text ? JSON.parse(text) : null) as T;
    throw apiError(this.baseUrl, response, text);
  }
}

/** The error for a request that got no HTTP answer at all. */
export class UnreachableError extends CliError {
  override name = 'UnreachableError';
}

function unreachable(baseUrl: string, error: unknown): CliError {
  const err = error as Error & { cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError') {
    return new UnreachableError(
      `Hoist at ${baseUrl} did not answer within ${REQUEST_TIMEOUT_MS / 1000} s.`,
    );
  }
  const why = err.cause?.code ?? err.cause?.message ?? err.message;
  return new UnreachableError(
    `cannot reach Hoist at ${baseUrl} (${why}): is \`hoist server\` running? Set HOIST_URL or run \`hoist login URL\`.`,
  );
}

function apiError(baseUrl: string, response: Response, text: string): CliError {
  let parsed: unknown = null;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not Hoist's JSON: a proxy's page, or not Hoist at all.
  }
  const error = (parsed as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  const code = typeof error?.code === 'string' ? error.code : null;
  const message = typeof error?.message === 'string' ? error.message : null;
  if (code === null || message === null) {
    return new ApiError(
      response.status,
      'http_error',
      `${baseUrl} answered HTTP ${response.status} ${response.statusText} without a Hoist error body: is HOIST_URL the address of a Hoist server?`,
    );
  }
  if (response.status === 429) {
    const retryAfter = Number(response.headers.get('retry-after'));
    return new ApiError(
      429,
      code,
      message,
      Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
    );
  }
  if (response.status === 401) {
    return new ApiError(
      401,
      code,
      `${message} Run \`hoist login ${baseUrl}\` with a valid API token, or set HOIST_TOKEN.`,
    );
  }
  return new ApiError(response.status, code, message);
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}
