import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { Nullable } from '../schemas/nullable.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppDeps } from '../app-deps.js';
import { errorResponses } from '../schemas/error-schema.js';

const EngineStatus = Type.Object({
  id: Type.String(),
  host: Type.String(),
  reachable: Type.Boolean(),
  mode: Nullable(Type.String({ description: 'standalone or swarm' })),
  version: Nullable(Type.String()),
  apiVersion: Nullable(Type.String()),
  error: Nullable(Type.String({ description: 'Why it is unreachable and what to do' })),
});

export async function engineRoutes(app: FastifyInstance, deps: AppDeps) {
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/engines',
    {
      schema: {
        summary: 'List engines and whether they answer',
        tags: ['engines'],
        response: { 200: Type.Object({ engines: Type.Array(EngineStatus) }), ...errorResponses },
      },
    },
    async () => ({ engines: await deps.engines() }),
  );
}
