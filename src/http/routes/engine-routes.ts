import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppDeps } from '../app-deps.js';
import { errorResponses } from '../schemas/error-schema.js';
import { EngineStatus } from '../schemas/engine-schema.js';

export async function engineRoutes(app: FastifyInstance, deps: AppDeps) {
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/engines',
    {
      config: { access: 'read' },
      schema: {
        summary: 'List engines and whether they answer',
        tags: ['engines'],
        response: { 200: Type.Object({ engines: Type.Array(EngineStatus) }), ...errorResponses },
      },
    },
    async () => ({ engines: await deps.engines() }),
  );
}
