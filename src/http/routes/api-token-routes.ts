import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppDeps } from '../app-deps.js';
import { scopesText } from '../audit-hooks.js';
import { ApiToken, CreatedToken, CreateTokenBody } from '../schemas/api-token-schema.js';
import { errorResponses } from '../schemas/error-schema.js';

/** Each user's own API tokens; admins see and revoke everyone's. */
export async function apiTokenRoutes(app: FastifyInstance, deps: AppDeps) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    '/tokens',
    {
      config: { access: 'signed-in' },
      schema: {
        summary: "List your API tokens (everyone's with ?all=true and the admin scope)",
        tags: ['tokens'],
        querystring: Type.Object({ all: Type.Optional(Type.Boolean()) }),
        response: { 200: Type.Object({ tokens: Type.Array(ApiToken) }), ...errorResponses },
      },
    },
    async (request) => ({
      tokens: await deps.apiTokens.list(request.principal, request.query.all === true),
    }),
  );

  api.post(
    '/tokens',
    {
      config: {
        access: 'signed-in',
        audit: {
          action: 'token.created',
          object: 'token',
          answerKey: 'apiToken',
          detail: (_request, answer) => scopesText(answer),
        },
      },
      schema: {
        summary: 'Create an API token for yourself',
        description:
          'Its scopes are at most what your role allows and what the token you call with has. The answer holds the token, shown only this once.',
        tags: ['tokens'],
        body: CreateTokenBody,
        response: { 201: CreatedToken, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { token, secret } = await deps.apiTokens.create(
        request.principal.user,
        request.body,
        request.principal,
      );
      return reply.code(201).send({ apiToken: token, token: secret });
    },
  );

  api.delete(
    '/tokens/:id',
    {
      config: { access: 'signed-in', audit: { action: 'token.revoked', object: 'token' } },
      schema: {
        summary: "Revoke one of your API tokens (anyone's with the admin scope); at once",
        tags: ['tokens'],
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await deps.apiTokens.revoke(request.principal, request.params.id);
      return reply.code(204).send(null);
    },
  );
}
