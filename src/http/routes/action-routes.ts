import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppDeps } from '../app-deps.js';
import { errorResponses } from '../schemas/error-schema.js';
import { Action, ActionStateSchema, ActionWithLog } from '../schemas/action-schema.js';
import { DEFAULT_PAGE_LIMIT, NextPage, PageQuery } from '../schemas/page-schema.js';
import { decodeCursor, nextPageUrl } from '../page-cursor.js';
import { presentAction } from '../presenters.js';

export async function actionRoutes(app: FastifyInstance, deps: AppDeps) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    '/actions',
    {
      config: { access: 'read' },
      schema: {
        summary: 'List actions, newest first, a page at a time',
        tags: ['actions'],
        querystring: Type.Object({
          service: Type.Optional(Type.String({ format: 'uuid' })),
          state: Type.Optional(ActionStateSchema),
          ...PageQuery,
        }),
        response: {
          200: Type.Object({ actions: Type.Array(Action), next: NextPage }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { service, state, limit, before } = request.query;
      const page = await deps.actions.list({
        ...(service ? { serviceId: service } : {}),
        ...(state ? { state } : {}),
        limit: limit ?? DEFAULT_PAGE_LIMIT,
        before: decodeCursor(before),
      });
      return {
        actions: page.items.map((a) => presentAction(a, deps.publicUrl)),
        next: nextPageUrl(request, page.next),
      };
    },
  );

  api.get(
    '/actions/:id',
    {
      config: { access: 'read' },
      schema: {
        summary: 'Show one action with its log',
        tags: ['actions'],
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        response: { 200: ActionWithLog, ...errorResponses },
      },
    },
    async (request) => {
      const { action, log } = await deps.actions.get(request.params.id);
      return { ...presentAction(action, deps.publicUrl), log };
    },
  );
}
