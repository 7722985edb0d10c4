import Fastify, {
  LogController,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { Type } from 'typebox';
import type { Principal } from '../domain/auth/principal.js';
import { checkAccess, requireAccessRule } from './access.js';
import { registerAuditHooks, requireAuditRule } from './audit-hooks.js';
import type { AppDeps } from './app-deps.js';
import { clientErrorHandler, requireHost } from './client-errors.js';
import { errorHandler, sendError } from './error-handler.js';
import { answerExpectations } from './expect-continue.js';
import { redactPath, SECRET_URL_PREFIXES } from './redact.js';
import { apiDocsCsp, htmlSecurityHeaders } from './security-headers.js';
import { actionRoutes } from './routes/action-routes.js';
import { apiTokenRoutes } from './routes/api-token-routes.js';
import { auditRoutes } from './routes/audit-routes.js';
import { engineRoutes } from './routes/engine-routes.js';
import { eventRoutes } from './routes/event-routes.js';
import { HOOK_BODY_LIMIT, hookRoutes } from './routes/hook-routes.js';
import { metricsRoutes } from './routes/metrics-routes.js';
import { serviceRoutes } from './routes/service-routes.js';
import { registryRoutes } from './routes/registry-routes.js';
import { uiRoutes } from './routes/ui-routes.js';
import { userRoutes } from './routes/user-routes.js';
import { webhookRoutes } from './routes/webhook-routes.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by a route that logs the request another way: refused floods are summed up. */
    skipAccessLog: boolean;
  }
  interface FastifyInstance {
    /** Every route registered, for the test that checks each one needs a token. */
    registeredRoutes: { method: string; url: string }[];
  }
}

/** Fastify's default, named: the API's JSON bodies are small. */
const API_BODY_LIMIT = 1024 * 1024;

/** The access log's line for a request: its path is redacted, since secret URLs carry tokens. */
function accessLog(request: FastifyRequest, reply: FastifyReply): void {
  if (request.skipAccessLog) return;
  request.log.info(
    {
      method: request.method,
      url: redactPath(request.url),
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime),
    },
    'request',
  );
}

/**
 * An API route's querystring schema with every parameter it does not declare refused (an
 * empty one for a route that declares none), as unknown body fields are: `?offset=100` or a
 * mistyped `?stat=Failed` would otherwise be ignored and answer another list than the one
 * asked for. Only under /api/v1: /hooks/ and registry endpoint URLs take whatever query a
 * registry or CI job adds.
 */
function strictQuery(schema: unknown): object {
  return { ...(schema ?? Type.Object({})), additionalProperties: false };
}

/** Builds the whole HTTP server, for main and for the tests alike. Does not listen. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  // Slow clients: a socket idle this long is closed (connectionTimeout), and headers and
  // body must both have arrived within it even when trickled (headersTimeout,
  // requestTimeout), checked every second or sooner.
  const timeoutMs = deps.requestTimeoutMs ?? 30_000;
  const http = {
    headersTimeout: timeoutMs,
    connectionsCheckingInterval: Math.max(100, Math.min(1_000, Math.floor(timeoutMs / 4))),
    // Checked by the requireHost hook, which answers in the API's error format.
    requireHostHeader: false,
  };
  const app = Fastify({
    loggerInstance: deps.logger,
    // The default request log prints raw URLs, and /hooks/ URLs are secrets.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: false,
    bodyLimit: API_BODY_LIMIT,
    connectionTimeout: timeoutMs,
    requestTimeout: timeoutMs,
    keepAliveTimeout: Math.min(5_000, timeoutMs),
    // Fastify hands `http` only to a plain server; an HTTPS one gets the same limits with its pair.
    ...(deps.tls ? { https: { ...http, ...deps.tls } } : { http }),
    clientErrorHandler: clientErrorHandler(timeoutMs),
    // Fastify answers a path it cannot decode, or a too long parameter, itself: quoting the
    // path and running no hooks (no access log line). Answered here. Neither these messages
    // nor the 404's quote the path: a secret URL mistyped past what redactPath knows
    // (/hook/<token>) would be echoed; the caller has its path, the access log the redacted one.
    frameworkErrors: (error, request, reply) => {
      const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
      void sendError(
        reply,
        tooLong ? 414 : 400,
        'bad_request',
        tooLong
          ? 'A part of the path is too long; check the URL.'
          : 'The path is not a valid URL: a % must start an escape such as %2F.',
      );
      accessLog(request, reply);
    },
    // Fastify's default (removeAdditional: true) silently drops unknown fields: a typo such
    // as {"reuse_volume": false} would redeploy keeping the volumes. Refuse it with a 400.
    ajv: { customOptions: { removeAdditional: false } },
  });

  const secretPrefixes = Object.values(SECRET_URL_PREFIXES).map((prefix) => `${prefix}/`);
  answerExpectations(app.server, (url) =>
    secretPrefixes.some((prefix) => url.startsWith(prefix)) ? HOOK_BODY_LIMIT : API_BODY_LIMIT,
  );

  app.decorate('registeredRoutes', []);
  app.decorateRequest('skipAccessLog', false);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) app.registeredRoutes.push({ method, url: route.url });
  });
  app.addHook('onRequest', requireHost);
  app.addHook('onResponse', async (request, reply) => accessLog(request, reply));
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) =>
    sendError(
      reply,
      404,
      'not_found',
      `No route for ${request.method} at this path; check the URL. The API is described at /api/docs.`,
    ),
  );

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Hoist',
        version: '0.1.0',
        description:
          'Secret webhook URLs that redeploy Docker services. Management routes need a bearer token.',
      },
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } },
      },
    },
  });
  // Only the scopes that serve HTML (the docs, the UI) carry the headers hook: /hooks/ calls never run it.
  await app.register(async (docs) => {
    docs.addHook('onSend', htmlSecurityHeaders);
    await docs.register(swaggerUi, {
      routePrefix: '/api/docs',
      staticCSP: true,
      transformStaticCSP: apiDocsCsp,
    });
  });

  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    try {
      await deps.ready();
      return { status: 'ready' };
    } catch (error) {
      return sendError(reply, 503, 'not_ready', `Not ready: ${(error as Error).message}`);
    }
  });

  await metricsRoutes(app, deps.metrics);

  await app.register(async (hooks) => hookRoutes(hooks, deps));

  await app.register(
    async (api) => {
      api.addHook('onRoute', (route) => {
        requireAccessRule(route);
        requireAuditRule(route);
        route.schema = {
          ...route.schema,
          security: route.config?.access === 'public' ? [] : [{ bearerAuth: [] }],
          querystring: strictQuery(route.schema?.querystring),
        };
      });
      // Fastify wants a decoration declared before it is set; every route but a public one sets it.
      api.decorateRequest('principal', null as unknown as Principal);
      api.addHook('onRequest', checkAccess(deps.apiTokens));
      registerAuditHooks(api, deps.audit);
      // Many clients send Content-Type: application/json on every request, bodiless DELETEs
      // and POSTs too. An empty body is no body: routes that take none accept it, and routes
      // that need one say it is empty (error-handler.ts).
      const parseJson = api.getDefaultJsonParser('error', 'error');
      api.removeContentTypeParser('application/json');
      api.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
        const text = body.toString();
        if (text === '') done(null, undefined);
        else parseJson(request, text, done);
      });
      await engineRoutes(api, deps);
      await serviceRoutes(api, deps);
      await webhookRoutes(api, deps);
      await actionRoutes(api, deps);
      await eventRoutes(api, deps);
      await registryRoutes(api, deps);
      await apiTokenRoutes(api, deps);
      await userRoutes(api, deps);
      await auditRoutes(api, deps);
    },
    { prefix: '/api/v1' },
  );

  await app.register(async (ui) => {
    ui.addHook('onSend', htmlSecurityHeaders);
    await uiRoutes(ui);
  });

  return app;
}
