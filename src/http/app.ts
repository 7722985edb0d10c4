import Fastify, {
  LogController,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { ApiToken } from '../domain/auth/api-token.js';
import type { AppDeps } from './app-deps.js';
import { errorHandler, sendError } from './error-handler.js';
import { redactPath } from './redact.js';
import { apiDocsCsp, htmlSecurityHeaders } from './security-headers.js';
import { actionRoutes } from './routes/action-routes.js';
import { apiTokenRoutes } from './routes/api-token-routes.js';
import { engineRoutes } from './routes/engine-routes.js';
import { eventRoutes } from './routes/event-routes.js';
import { hookRoutes } from './routes/hook-routes.js';
import { metricsRoutes } from './routes/metrics-routes.js';
import { serviceRoutes } from './routes/service-routes.js';
import { registryRoutes } from './routes/registry-routes.js';
import { uiRoutes } from './routes/ui-routes.js';
import { webhookRoutes } from './routes/webhook-routes.js';

declare module 'fastify' {
  interface FastifyRequest {
    apiToken: ApiToken;
  }
  interface FastifyInstance {
    /** Every route registered, for the test that checks each one needs a token. */
    registeredRoutes: { method: string; url: string }[];
  }
}

/** The access log's line for a request: its path is redacted, since secret URLs carry tokens. */
function accessLog(request: FastifyRequest, reply: FastifyReply): void {
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

/** Builds the whole HTTP server, for main and for the tests alike. Does not listen. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  // Slow clients: a socket idle this long is closed (connectionTimeout), and headers and
  // body must both have arrived within it even when trickled (headersTimeout,
  // requestTimeout), checked every second or sooner.
  const timeoutMs = deps.requestTimeoutMs ?? 30_000;
  const http = {
    headersTimeout: timeoutMs,
    connectionsCheckingInterval: Math.max(100, Math.min(1_000, Math.floor(timeoutMs / 4))),
  };
  const app = Fastify({
    loggerInstance: deps.logger,
    // The default request log prints raw URLs, and /hooks/ URLs are secrets.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: false,
    connectionTimeout: timeoutMs,
    requestTimeout: timeoutMs,
    keepAliveTimeout: Math.min(5_000, timeoutMs),
    // Fastify hands `http` only to a plain server; an HTTPS one gets the same limits with its pair.
    ...(deps.tls ? { https: { ...http, ...deps.tls } } : { http }),
    // Fastify answers a path it cannot decode, or a too long parameter, itself: quoting the
    // path (a token would be echoed) and running no hooks (no access log line). Answered here.
    frameworkErrors: (error, request, reply) => {
      const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
      const path = redactPath(request.url);
      void sendError(
        reply,
        tooLong ? 414 : 400,
        'bad_request',
        tooLong
          ? `A part of the path ${path} is too long; check the URL.`
          : `The path ${path} is not a valid URL: a % must start an escape such as %2F.`,
      );
      accessLog(request, reply);
    },
    // Fastify's default (removeAdditional: true) silently drops unknown fields: a typo such
    // as {"reuse_volume": false} would redeploy keeping the volumes. Refuse it with a 400.
    ajv: { customOptions: { removeAdditional: false } },
  });

  app.decorate('registeredRoutes', []);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) app.registeredRoutes.push({ method, url: route.url });
  });
  app.addHook('onResponse', async (request, reply) => accessLog(request, reply));
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) =>
    sendError(
      reply,
      404,
      'not_found',
      `No route ${request.method} ${redactPath(request.url.split('?')[0] ?? '')}. The API is described at /api/docs.`,
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
        route.schema = { ...route.schema, security: [{ bearerAuth: [] }] };
      });
      api.addHook('onRequest', async (request) => {
        request.apiToken = await deps.apiTokens.authenticate(request.headers.authorization);
      });
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
    },
    { prefix: '/api/v1' },
  );

  await app.register(async (ui) => {
    ui.addHook('onSend', htmlSecurityHeaders);
    await uiRoutes(ui);
  });

  return app;
}
