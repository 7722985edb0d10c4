import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppDeps } from '../app-deps.js';
import { settingsText } from '../audit-hooks.js';
import { errorResponses } from '../schemas/error-schema.js';
import {
  CreatedUser,
  CreateUserBody,
  Me,
  PasswordChangeBody,
  SignInBody,
  UpdateUserBody,
  User,
} from '../schemas/user-schema.js';

const Params = Type.Object({ id: Type.String({ format: 'uuid' }) });

/** Users (admins), the caller's own account, and signing in with a password. */
export async function userRoutes(app: FastifyInstance, deps: AppDeps) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.post(
    '/sign-in',
    {
      config: {
        access: 'public',
        audit: { action: 'sign_in', object: 'user', answerKey: 'user', failures: [401, 429] },
      },
      schema: {
        summary: 'Sign in with a username and password; answers a new API token for you',
        description:
          'For `hoist login`. Failed sign-ins are limited per username and per client address (429 with Retry-After); the answer never says whether the username exists.',
        tags: ['users'],
        body: SignInBody,
        response: {
          201: Type.Object({ user: User, token: Type.String() }),
          429: errorResponses[401],
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const { user, secret } = await deps.users.signIn(request.body, request.ip);
      return reply.code(201).send({ user, token: secret });
    },
  );

  api.get(
    '/me',
    {
      config: { access: 'signed-in' },
      schema: {
        summary: 'Who you are, and what the token you call with may do',
        tags: ['users'],
        response: { 200: Me, ...errorResponses },
      },
    },
    async (request) => ({
      user: request.principal.user,
      token: { id: request.principal.token.id, name: request.principal.token.name },
      scopes: request.principal.scopes,
    }),
  );

  api.post(
    '/me/password',
    {
      config: {
        access: 'signed-in',
        audit: { action: 'user.password_changed', object: 'user', self: true },
      },
      schema: {
        summary: 'Change your password, giving the current one',
        tags: ['users'],
        body: PasswordChangeBody,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await deps.users.changeOwnPassword(
        request.principal,
        request.body.current,
        request.body.password,
      );
      return reply.code(204).send(null);
    },
  );

  api.get(
    '/users',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'List users',
        tags: ['users'],
        response: { 200: Type.Object({ users: Type.Array(User) }), ...errorResponses },
      },
    },
    async () => ({ users: await deps.users.list() }),
  );

  api.post(
    '/users',
    {
      config: {
        access: 'admin',
        audit: {
          action: 'user.created',
          object: 'user',
          answerKey: 'user',
          detail: (request) => settingsText(request.body, ['role']),
        },
      },
      schema: {
        summary: 'Create a user',
        description: 'Without a password, one is generated and answered, only this once.',
        tags: ['users'],
        body: CreateUserBody,
        response: { 201: CreatedUser, ...errorResponses },
      },
    },
    async (request, reply) => reply.code(201).send(await deps.users.create(request.body)),
  );

  api.patch(
    '/users/:id',
    {
      config: {
        access: 'admin',
        audit: {
          action: 'user.changed',
          object: 'user',
          detail: (request) => settingsText(request.body, ['role', 'password']),
        },
      },
      schema: {
        summary: "Change a user's role or set their password",
        description:
          "A role change applies to the user's tokens at once. The last admin stays an admin.",
        tags: ['users'],
        params: Params,
        body: UpdateUserBody,
        response: { 200: Type.Object({ user: User }), ...errorResponses },
      },
    },
    async (request) => ({ user: await deps.users.update(request.params.id, request.body) }),
  );

  api.delete(
    '/users/:id',
    {
      config: { access: 'admin', audit: { action: 'user.removed', object: 'user' } },
      schema: {
        summary: 'Remove a user and their tokens',
        tags: ['users'],
        params: Params,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await deps.users.remove(request.params.id);
      return reply.code(204).send(null);
    },
  );
}
