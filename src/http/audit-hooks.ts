/**
 * The audit log's HTTP side. Every /api/v1 route that changes something
 * declares `config: { audit }` (a write route without it stops the server from
 * starting, as a route without an access rule does): what the change is called
 * and what it is about. Once the route has succeeded, the event is written
 * with who sent the request (the principal), their token and address, before
 * the answer leaves, so a client that reads the audit log next finds it.
 */
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import type { AuditObjectKind } from '../domain/audit/audit-event.js';
import type { AuditTrail } from '../domain/audit/audit-trail.js';

export interface AuditRule {
  /** e.g. handler.created; `.failed` is appended for recorded failures. */
  action: string;
  object: AuditObjectKind;
  /**
   * Where the object's id is: the key of the answer that holds the new object
   * (`{id, name}` or `{id, username}`), or else a path parameter (default `id`);
   * `self` is the caller's own user.
   */
  answerKey?: string;
  param?: string;
  self?: boolean;
  /** A short note from the request and its answer. */
  detail?: (request: FastifyRequest, answer: unknown) => string | null;
  /** Also record these failure statuses (sign-in: 401 and 429). */
  failures?: number[];
}

declare module 'fastify' {
  interface FastifyContextConfig {
    audit?: AuditRule;
  }
  interface FastifyRequest {
    /** The audited route's object's name, read before the handler ran (deletes remove it). */
    auditName: string | null;
    /** The audited route's answer, before serialization. */
    auditAnswer: unknown;
  }
}

const READS = new Set(['GET', 'HEAD']);

/** For onRoute: a route that changes something must say how it is audited; a read must not. */
export function requireAuditRule(route: RouteOptions): void {
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  const writes = methods.some((m) => !READS.has(m));
  if (writes && route.config?.audit === undefined) {
    throw new Error(
      `${methods.join(',')} ${route.url} changes something but declares no audit rule: add config: { audit: ... } (http/audit-hooks.ts)`,
    );
  }
}

export function registerAuditHooks(api: FastifyInstance, audit: AuditTrail): void {
  api.decorateRequest('auditName', null);
  api.decorateRequest('auditAnswer', null);

  api.addHook('preHandler', async (request) => {
    const rule = request.routeOptions.config.audit;
    const id = rule && !rule.answerKey && !rule.self ? paramOf(request, rule) : null;
    if (rule && id) request.auditName = await audit.nameOf(rule.object, id);
  });

  api.addHook('preSerialization', async (request, _reply, payload) => {
    if (request.routeOptions.config.audit) request.auditAnswer = payload;
    return payload;
  });

  api.addHook('onSend', async (request, reply, payload) => {
    const rule = request.routeOptions.config.audit;
    if (!rule) return payload;
    const failed = reply.statusCode >= 400;
    if (failed && !rule.failures?.includes(reply.statusCode)) return payload;
    const object = objectOf(request, rule);
    await audit.record({
      actor: actorOf(request),
      actorKind: 'user',
      tokenName: request.principal?.token.name ?? null,
      address: request.ip ?? null,
      action: failed ? `${rule.action}.failed` : rule.action,
      objectKind: rule.object,
      ...object,
      serviceId: serviceOf(request, rule, object.objectId),
      detail: failed
        ? `answered ${reply.statusCode}`
        : (rule.detail?.(request, request.auditAnswer) ?? null),
    });
    return payload;
  });
}

/** The user who sent it; for sign-in, the username given. */
function actorOf(request: FastifyRequest): string {
  if (request.principal) return request.principal.user.username;
  const body = request.body as { username?: unknown } | undefined;
  return typeof body?.username === 'string' ? body.username : 'anonymous';
}

/** The service: the one a /services/:id/... route names, or the object when it is one. */
function serviceOf(
  request: FastifyRequest,
  rule: AuditRule,
  objectId: string | null,
): string | null {
  if (request.routeOptions.url?.startsWith('/api/v1/services/:id')) {
    return (request.params as { id?: string }).id ?? null;
  }
  return rule.object === 'service' ? objectId : null;
}

function paramOf(request: FastifyRequest, rule: AuditRule): string | null {
  const params = request.params as Record<string, string | undefined>;
  return params[rule.param ?? 'id'] ?? null;
}

function objectOf(
  request: FastifyRequest,
  rule: AuditRule,
): { objectId: string | null; objectName: string | null } {
  if (rule.self && request.principal) {
    return { objectId: request.principal.user.id, objectName: request.principal.user.username };
  }
  if (rule.answerKey) {
    const answer = request.auditAnswer as Record<string, unknown> | null;
    const object = answer?.[rule.answerKey] as
      { id?: string; name?: string; username?: string } | undefined;
    return { objectId: object?.id ?? null, objectName: object?.name ?? object?.username ?? null };
  }
  return { objectId: paramOf(request, rule), objectName: request.auditName };
}

/** The action an answer names ({action: {id}}), as the CLI shows it: its first 8 characters. */
export function queuedAction(answer: unknown): string | null {
  const id = (answer as { action?: { id?: string } } | null)?.action?.id;
  return id ? `action ${id.slice(0, 8)}` : null;
}

/**
 * A request body's settings as `key=value` pairs, for the event's detail; a password is
 * only said to be set. With `keys`, only those.
 */
export function settingsText(body: unknown, keys?: string[]): string | null {
  if (body === null || typeof body !== 'object') return null;
  const pairs = Object.entries(body as Record<string, unknown>)
    .filter(([key]) => keys === undefined || keys.includes(key))
    .map(([key, value]) =>
      key === 'password' ? 'password set' : `${key}=${JSON.stringify(value)}`,
    );
  return pairs.length > 0 ? pairs.join(', ') : null;
}

/** The scopes of a token an answer holds ({apiToken: {scopes}}). */
export function scopesText(answer: unknown): string | null {
  const scopes = (answer as { apiToken?: { scopes?: string[] } } | null)?.apiToken?.scopes;
  return scopes ? `scopes ${scopes.join(',')}` : null;
}
