import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { UNKNOWN_HOOK_MESSAGE } from '../../domain/webhooks/hook-intake.js';
import { isHoistError } from '../../domain/errors.js';
import type { AppDeps } from '../app-deps.js';
import { ErrorBody } from '../schemas/error-schema.js';
import { Enqueued } from '../schemas/action-schema.js';
import { actionUrl } from '../presenters.js';
import { sendError } from '../error-handler.js';

export const HOOK_BODY_LIMIT = 1024 * 1024;

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

  const handler = async (
    request: FastifyRequest<{ Params: { token: string; count?: string } }>,
    reply: FastifyReply,
  ) => {
    try {
      const { action, coalesced } = await deps.intake.receive(
        request.params.token,
        {
          remoteAddress: request.ip ?? null,
          userAgent: request.headers['user-agent'] ?? null,
          contentType: sentContentType.get(request) ?? null,
          body: Buffer.isBuffer(request.body) ? request.body : null,
        },
        request.params.count,
      );
      return reply.code(202).send({
        action: { id: action.id, state: action.state, url: actionUrl(action.id, deps.publicUrl) },
        coalesced,
      });
    } catch (error) {
      if (isHoistError(error) && error.code === 'webhook_not_found') {
        return sendError(reply, 404, 'webhook_not_found', UNKNOWN_HOOK_MESSAGE);
      }
      throw error;
    }
  };
  const response = { 202: Enqueued, 400: ErrorBody, 404: ErrorBody, 413: ErrorBody };

  hooks.post(
    '/hooks/:token',
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
    handler,
  );

  hooks.post(
    '/hooks/:token/:count',
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
    handler,
  );

  for (const url of ['/hooks/:token', '/hooks/:token/:count']) {
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
