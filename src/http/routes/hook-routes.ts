import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { CallKind } from '../../domain/calls/call-endpoint.js';
import { UNKNOWN_TOKEN_CODE, type CallOutcomes } from '../../domain/calls/call-intake.js';
import type { IncomingCall } from '../../domain/calls/incoming-call.js';
import type { Action } from '../../domain/actions/action.js';
import { type ErrorCode, isHoistError } from '../../domain/errors.js';
import type { AppDeps } from '../app-deps.js';
import { ErrorBody } from '../schemas/error-schema.js';
import { ActionRef, CallAnswer, Enqueued } from '../schemas/action-schema.js';
import { actionUrl } from '../presenters.js';
import { sendError } from '../error-handler.js';
import { RateLimiter } from '../../domain/rate-limiter.js';
import { SECRET_URL_PREFIXES } from '../redact.js';
import { RefusalSummary } from '../refusal-summary.js';

export const HOOK_BODY_LIMIT = 1024 * 1024;

// Built from the list redactPath redacts, so no secret URL escapes it.
const HOOK_URL = `${SECRET_URL_PREFIXES.hooks}/:token`;
const SCALE_HOOK_URL = `${SECRET_URL_PREFIXES.hooks}/:token/:count`;
const REGISTRY_URL = `${SECRET_URL_PREFIXES.registryEvents}/:token`;

/** The 404 code each kind of URL has always answered for an unknown or revoked token. */
const NOT_FOUND_CODE: Record<CallKind, ErrorCode> = {
  hook: 'webhook_not_found',
  registry: 'not_found',
};

/**
 * The public, unauthenticated endpoint. Any content type (or none) is taken
 * as raw bytes; bodies over 1 MiB are refused from Content-Length before
 * they are read.
 */
export async function hookRoutes(app: FastifyInstance, deps: AppDeps) {
  // Fastify answers 415 to a Content-Type header it cannot parse before any parser runs.
  // Bodies here are raw bytes whatever their type, so the header the caller sent is kept
  // aside for the delivery record and replaced by one Fastify accepts.
  const sentContentType = new WeakMap<FastifyRequest, string>();
  app.addHook('onRequest', async (request) => {
    const type = request.raw.headers['content-type'];
    if (type === undefined) return;
    sentContentType.set(request, type);
    request.raw.headers['content-type'] = 'application/octet-stream';
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    '*',
    { parseAs: 'buffer', bodyLimit: HOOK_BODY_LIMIT },
    (_req, body, done) => done(null, body),
  );
  const hooks = app.withTypeProvider<TypeBoxTypeProvider>();
  const limiter = deps.unknownTokenLimiter ?? new RateLimiter();
  const refusals = new RefusalSummary(deps.logger);
  app.addHook('onClose', async () => refusals.close());

  /**
   * Unknown and revoked tokens of any kind: the same 404 body, and one per-address limit.
   * Past the limit a flood is answered as cheaply as can be: no error object, no access log
   * line (a summary line a minute instead).
   */
  const unknownToken = (
    request: FastifyRequest,
    reply: FastifyReply,
    code: ErrorCode,
    message: string,
  ) => {
    const address = request.ip ?? 'unknown';
    const verdict = limiter.take(address);
    if (!verdict.allowed) {
      refusals.count(address);
      request.skipAccessLog = true;
      // A registry or CI job that honours Retry-After tries again later.
      reply.header('retry-after', String(verdict.retryAfterSeconds));
      return sendError(
        reply,
        429,
        'rate_limited',
        `Too many calls to unknown webhook URLs from this address; retry after ${verdict.retryAfterSeconds} s.`,
      );
    }
    return sendError(reply, 404, code, message);
  };

  const incoming = (request: FastifyRequest): IncomingCall => ({
    remoteAddress: request.ip ?? null,
    userAgent: request.headers['user-agent'] ?? null,
    contentType: sentContentType.get(request) ?? null,
    body: Buffer.isBuffer(request.body) ? request.body : null,
    headers: singleValued(request.headers),
  });
  const ref = (action: Pick<Action, 'id' | 'state'>) => ({
    id: action.id,
    state: action.state,
    url: actionUrl(action.id, deps.publicUrl),
  });

  /**
   * One road for every secret URL: the domain raises UNKNOWN_TOKEN_CODE for an unknown or
   * revoked token of any kind. The 404's code is the one each kind has always answered.
   */
  const take =
    <K extends CallKind>(
      kind: K,
      send: (reply: FastifyReply, outcome: CallOutcomes[K]) => FastifyReply,
    ) =>
    async (
      request: FastifyRequest<{ Params: { token: string; count?: string } }>,
      reply: FastifyReply,
    ) => {
      try {
        const outcome = await deps.intake.receive(
          kind,
          request.params.token,
          incoming(request),
          request.params.count,
        );
        return send(reply, outcome);
      } catch (error) {
        if (isHoistError(error) && error.code === UNKNOWN_TOKEN_CODE) {
          return unknownToken(request, reply, NOT_FOUND_CODE[kind], error.message);
        }
        throw error;
      }
    };
  const hookCall = take('hook', (reply, outcome) => {
    switch (outcome.kind) {
      case 'enqueued':
        return reply.code(202).send({ action: ref(outcome.action), coalesced: outcome.coalesced });
      case 'ignored':
        return reply.code(200).send({ ignored: true, reason: outcome.reason });
      case 'duplicate':
        return reply
          .code(200)
          .send({ duplicate: true, action: outcome.action ? ref(outcome.action) : null });
    }
  });
  const registryCall = take('registry', (reply, outcome) => {
    switch (outcome.kind) {
      case 'accepted':
        return reply.code(202).send({ actions: outcome.actions.map(ref) });
      case 'ignored':
        return reply.code(200).send({ ignored: true, reason: outcome.reason });
      case 'duplicate':
        return reply.code(200).send({ duplicate: true, actions: outcome.actions.map(ref) });
    }
  });
  const response = {
    200: CallAnswer,
    202: Enqueued,
    400: ErrorBody,
    401: ErrorBody,
    404: ErrorBody,
    413: ErrorBody,
    429: ErrorBody,
    503: ErrorBody,
  };

  hooks.post(
    HOOK_URL,
    {
      bodyLimit: HOOK_BODY_LIMIT,
      schema: {
        summary: 'Call a webhook handler',
        description:
          "Redeploys the handler's service (REDEPLOY) or adds one replica (SCALEUP). Unauthenticated: the URL is the secret. Answers before anything talks to Docker.",
        tags: ['hooks'],
        params: Type.Object({ token: Type.String() }),
        response,
      },
    },
    hookCall,
  );

  hooks.post(
    SCALE_HOOK_URL,
    {
      bodyLimit: HOOK_BODY_LIMIT,
      schema: {
        summary: 'Call a SCALEUP handler to add N replicas',
        description:
          "N is from 1 to the handler's maxScale (default 10). Calls are never coalesced.",
        tags: ['hooks'],
        params: Type.Object({ token: Type.String(), count: Type.String() }),
        response,
      },
    },
    hookCall,
  );

  hooks.post(
    REGISTRY_URL,
    {
      bodyLimit: HOOK_BODY_LIMIT,
      schema: {
        summary: 'Receive a registry notification (autoredeploy)',
        description:
          "Point a registry's notifications here (a secret URL from POST /api/v1/registries). Each manifest push redeploys every service with autoredeploy on that runs the pushed repo:tag.",
        tags: ['hooks'],
        params: Type.Object({ token: Type.String() }),
        response: {
          200: Type.Object({
            ignored: Type.Optional(Type.Boolean()),
            duplicate: Type.Optional(Type.Boolean()),
            reason: Type.Optional(Type.String()),
            actions: Type.Optional(Type.Array(ActionRef)),
          }),
          202: Type.Object({ actions: Type.Array(ActionRef) }),
          404: ErrorBody,
          413: ErrorBody,
          429: ErrorBody,
          503: ErrorBody,
        },
      },
    },
    registryCall,
  );

  for (const url of [HOOK_URL, SCALE_HOOK_URL, REGISTRY_URL]) {
    hooks.route({
      method: ['GET', 'HEAD', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'],
      url,
      schema: { hide: true },
      handler: async (_request, reply) => {
        reply.header('allow', 'POST');
        return sendError(reply, 405, 'method_not_allowed', 'Webhook URLs accept only POST.');
      },
    });
  }
}

/** Node gives repeated headers as arrays; signatures and delivery ids are single-valued. */
function singleValued(headers: FastifyRequest['headers']): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name] = Array.isArray(value) ? value[0] : value;
  }
  return out;
}
