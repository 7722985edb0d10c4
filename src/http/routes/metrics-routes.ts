import type { FastifyInstance } from 'fastify';
import { bearerToken } from '../../domain/auth/api-tokens.js';
import { HoistError } from '../../domain/errors.js';
import { hashSecretToken } from '../../domain/secret-token.js';
import type { AppDeps } from '../app-deps.js';
import { sendError } from '../error-handler.js';

/**
 * `GET /metrics` for Prometheus. Its own token (HOIST_METRICS_TOKEN), not an
 * API token: a scraper's credential must open nothing else. Hidden from the
 * API docs, like /healthz: it is for monitoring, not for API clients.
 */
export async function metricsRoutes(app: FastifyInstance, metrics: AppDeps['metrics']) {
  if (!metrics) {
    // Said here, or the web UI's catch-all would answer with its page.
    app.get('/metrics', { schema: { hide: true } }, async (_request, reply) =>
      sendError(
        reply,
        404,
        'not_found',
        'Metrics are off. Set HOIST_METRICS=true, or HOIST_METRICS_TOKEN to serve them behind a token.',
      ),
    );
    return;
  }
  // Compared as hashes, as API tokens are: the time a comparison takes tells nothing of the token.
  const expected = metrics.token === null ? null : hashSecretToken(metrics.token);
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    if (expected) {
      const given = bearerToken(request.headers.authorization);
      if (given === null || hashSecretToken(given) !== expected) {
        throw new HoistError(
          'unauthorized',
          'GET /metrics needs "Authorization: Bearer <HOIST_METRICS_TOKEN>": give Prometheus the token as authorization.credentials (see the README).',
        );
      }
    }
    const page = await metrics.page.render();
    return reply.type(page.contentType).send(page.body);
  });
}
