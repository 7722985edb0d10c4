import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppDeps } from '../app-deps.js';
import { decodeCursor, nextPageUrl } from '../page-cursor.js';
import { AuditEvent } from '../schemas/audit-schema.js';
import { errorResponses } from '../schemas/error-schema.js';
import { DEFAULT_PAGE_LIMIT, NextPage, PageQuery } from '../schemas/page-schema.js';

export async function auditRoutes(app: FastifyInstance, deps: AppDeps) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    '/audit',
    {
      config: { access: 'read' },
      schema: {
        summary: 'The audit log: who changed what, when and from where, newest first',
        description:
          "Admins see every event; others see all but other users' accounts (their users and tokens).",
        tags: ['audit'],
        querystring: Type.Object({
          actor: Type.Optional(
            Type.String({ minLength: 1, description: 'e.g. otto, or "handler ci"' }),
          ),
          object: Type.Optional(Type.String({ minLength: 1, description: 'An object id' })),
          service: Type.Optional(
            Type.String({
              format: 'uuid',
              description: "A service: its own and its handlers' events",
            }),
          ),
          since: Type.Optional(Type.String({ format: 'date-time', description: 'At or after' })),
          until: Type.Optional(Type.String({ format: 'date-time', description: 'Before' })),
          ...PageQuery,
        }),
        response: {
          200: Type.Object({ events: Type.Array(AuditEvent), next: NextPage }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { actor, object, service, since, until, limit, before } = request.query;
      const page = await deps.audit.list(
        request.principal,
        {
          ...(actor ? { actor } : {}),
          ...(object ? { objectId: object } : {}),
          ...(service ? { serviceId: service } : {}),
          // Stored times are toISOString's: compare like with like.
          ...(since ? { since: new Date(since).toISOString() } : {}),
          ...(until ? { until: new Date(until).toISOString() } : {}),
        },
        limit ?? DEFAULT_PAGE_LIMIT,
        decodeCursor(before),
      );
      return { events: page.items, next: nextPageUrl(request, page.next) };
    },
  );
}
