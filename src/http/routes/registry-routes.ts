import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppDeps } from '../app-deps.js';
import { errorResponses } from '../schemas/error-schema.js';
import { Registry, RegistryCall } from '../schemas/delivery-schema.js';
import { DEFAULT_PAGE_LIMIT, NextPage, PageQuery } from '../schemas/page-schema.js';
import { decodeCursor, nextPageUrl } from '../page-cursor.js';

const Params = Type.Object({ id: Type.String({ format: 'uuid' }) });

/** Registry endpoints: the secret URLs a registry's notifications point at (autoredeploy). */
export async function registryRoutes(app: FastifyInstance, deps: AppDeps) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.post(
    '/registries',
    {
      config: {
        access: 'manage',
        audit: { action: 'registry.created', object: 'registry', answerKey: 'registry' },
      },
      schema: {
        summary: 'Create a registry endpoint',
        description:
          "The answer holds its secret URL, shown only this once: put it in the registry's notifications endpoints.",
        tags: ['registries'],
        body: Type.Object(
          { name: Type.String({ minLength: 1, maxLength: 64 }) },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({ registry: Registry, url: Type.String() }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => reply.code(201).send(await deps.registries.create(request.body.name)),
  );

  api.get(
    '/registries',
    {
      config: { access: 'read' },
      schema: {
        summary: 'List registry endpoints (revoked ones included)',
        tags: ['registries'],
        response: { 200: Type.Object({ registries: Type.Array(Registry) }), ...errorResponses },
      },
    },
    async () => ({ registries: await deps.registries.list() }),
  );

  api.delete(
    '/registries/:id',
    {
      config: { access: 'manage', audit: { action: 'registry.revoked', object: 'registry' } },
      schema: {
        summary: 'Revoke a registry endpoint',
        tags: ['registries'],
        params: Params,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await deps.registries.revoke(request.params.id);
      return reply.code(204).send(null);
    },
  );

  api.get(
    '/registries/:id/calls',
    {
      config: { access: 'read' },
      schema: {
        summary: "A registry endpoint's calls, newest first, a page at a time",
        tags: ['registries'],
        params: Params,
        querystring: Type.Object(PageQuery),
        response: {
          200: Type.Object({ calls: Type.Array(RegistryCall), next: NextPage }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const page = await deps.registries.calls(
        request.params.id,
        request.query.limit ?? DEFAULT_PAGE_LIMIT,
        decodeCursor(request.query.before),
      );
      return { calls: page.items, next: nextPageUrl(request, page.next) };
    },
  );
}
