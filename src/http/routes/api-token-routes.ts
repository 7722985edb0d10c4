import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppDeps } from '../app-deps.js';
import { ApiToken } from '../schemas/api-token-schema.js';
import { errorResponses } from '../schemas/error-schema.js';

export async function apiTokenRoutes(app: FastifyInstance, deps: AppDeps) {
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/tokens',
    {
      schema: {
        summary: 'List API tokens, with when each was last used',
        tags: ['tokens'],
        response: { 200: Type.Object({ tokens: Type.Array(ApiToken) }), ...errorResponses },
      },
    },
    async () => ({ tokens: await deps.apiTokens.list() }),
  );
}
