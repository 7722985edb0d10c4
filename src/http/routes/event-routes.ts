import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppDeps } from '../app-deps.js';
import { errorResponses } from '../schemas/error-schema.js';
import { presentAction } from '../presenters.js';

const HEARTBEAT_MS = 15_000;

/**
 * Server-sent events: one `action` event (the action as GET /api/v1/actions
 * shows it) each time an action is queued, starts or ends. Authenticated like
 * every API route, so browsers read it with fetch() rather than EventSource.
 */
export async function eventRoutes(app: FastifyInstance, deps: AppDeps) {
  // Open streams would hold the server open on shutdown: end them first.
  const open = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of open) end();
  });

  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/events',
    {
      config: { access: 'read' },
      schema: {
        summary: 'Follow actions live (text/event-stream)',
        description:
          'Each message is `event: action` with the action as JSON in `data`. A comment line every 15 s keeps proxies from closing the stream.',
        tags: ['actions'],
        querystring: Type.Object({
          service: Type.Optional(Type.String({ format: 'uuid', description: 'Only this service' })),
        }),
        response: {
          200: Type.String({ description: 'text/event-stream' }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const { service } = request.query;
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      raw.write(': connected\n\n');
      const unsubscribe = deps.events.subscribe((action) => {
        if (service && action.serviceId !== service) return;
        raw.write(
          `event: action\ndata: ${JSON.stringify(presentAction(action, deps.publicUrl))}\n\n`,
        );
      });
      const heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), HEARTBEAT_MS);
      const close = () => {
        clearInterval(heartbeat);
        unsubscribe();
        open.delete(end);
      };
      const end = () => {
        close();
        raw.end();
      };
      open.add(end);
      request.raw.on('close', close);
      raw.on('error', close);
    },
  );
}
