import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppDeps } from '../app-deps.js';
import { queuedAction, settingsText } from '../audit-hooks.js';
import { errorResponses } from '../schemas/error-schema.js';
import {
  CreateServiceBody,
  ScaleBody,
  Service,
  ServiceParams,
  ServiceSettingsBody,
} from '../schemas/service-schema.js';
import { Enqueued } from '../schemas/action-schema.js';
import { actionUrl } from '../presenters.js';

export async function serviceRoutes(app: FastifyInstance, deps: AppDeps) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    '/services',
    {
      config: { access: 'read' },
      schema: {
        summary: 'List services on the engine',
        tags: ['services'],
        querystring: Type.Object({
          q: Type.Optional(Type.String({ description: 'Part of a name or image reference' })),
          engine: Type.Optional(Type.String({ description: 'Engine id (only "local" today)' })),
        }),
        response: { 200: Type.Object({ services: Type.Array(Service) }), ...errorResponses },
      },
    },
    async (request) => {
      const { q, engine } = request.query;
      const services = await deps.catalog.list(q === undefined ? {} : { q });
      return { services: engine ? services.filter((s) => s.engineId === engine) : services };
    },
  );

  api.get(
    '/services/:id',
    {
      config: { access: 'read' },
      schema: {
        summary: 'Show one service',
        tags: ['services'],
        params: ServiceParams,
        response: { 200: Service, ...errorResponses },
      },
    },
    async (request) => deps.catalog.get(request.params.id),
  );

  api.post(
    '/services/:id/redeploy',
    {
      config: {
        access: 'deploy',
        audit: {
          action: 'service.redeploy_requested',
          object: 'service',
          detail: (_request, answer) => queuedAction(answer),
        },
      },
      schema: {
        summary: 'Redeploy a service now',
        description:
          'Pulls the newest image for its tag and replaces its containers one at a time.',
        tags: ['services'],
        params: ServiceParams,
        body: Type.Optional(
          Type.Object(
            {
              reuse_volumes: Type.Optional(
                Type.Boolean({
                  description: "Keep the old containers' anonymous volumes (default true)",
                }),
              ),
            },
            { additionalProperties: false },
          ),
        ),
        response: { 202: Enqueued, ...errorResponses },
      },
      // Fastify validates a missing body against the object schema (a 400); no body means defaults.
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request, reply) => {
      const { action, coalesced } = await deps.actions.requestRedeploy(
        request.params.id,
        { username: request.principal.user.username, tokenName: request.principal.token.name },
        { reuseVolumes: request.body?.reuse_volumes ?? true },
      );
      return reply.code(202).send({
        action: { id: action.id, state: action.state, url: actionUrl(action.id, deps.publicUrl) },
        coalesced,
      });
    },
  );

  api.post(
    '/services',
    {
      config: {
        access: 'manage',
        audit: { action: 'service.created', object: 'service', answerKey: 'service' },
      },
      schema: {
        summary: 'Create a service',
        description:
          'A Swarm service on a swarm engine; labelled containers (io.hoist.service, named name-1, name-2, ...) on a standalone one.',
        tags: ['services'],
        body: CreateServiceBody,
        response: { 201: Service, ...errorResponses },
      },
    },
    async (request, reply) => {
      const service = await deps.provisioning.create(request.body);
      return reply.code(201).send(service);
    },
  );

  api.delete(
    '/services/:id',
    {
      config: { access: 'manage', audit: { action: 'service.removed', object: 'service' } },
      schema: {
        summary: 'Delete a service Hoist created',
        description:
          'Anything Hoist did not create (no io.hoist.service label) answers 409 and is left alone.',
        tags: ['services'],
        params: ServiceParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await deps.provisioning.remove(request.params.id);
      return reply.code(204).send(null);
    },
  );

  api.post(
    '/services/:id/scale',
    {
      config: {
        access: 'deploy',
        audit: {
          action: 'service.scale_requested',
          object: 'service',
          detail: (request, answer) =>
            [settingsText(request.body), queuedAction(answer)].filter(Boolean).join('; '),
        },
      },
      schema: {
        summary: 'Set the number of replicas (Swarm) or containers (standalone)',
        tags: ['services'],
        params: ServiceParams,
        body: ScaleBody,
        response: { 202: Enqueued, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { action, coalesced } = await deps.actions.requestScale(
        request.params.id,
        { username: request.principal.user.username, tokenName: request.principal.token.name },
        request.body.replicas,
      );
      return reply.code(202).send({
        action: { id: action.id, state: action.state, url: actionUrl(action.id, deps.publicUrl) },
        coalesced,
      });
    },
  );

  api.patch(
    '/services/:id',
    {
      config: {
        access: 'manage',
        audit: {
          action: 'service.changed',
          object: 'service',
          detail: (request) => settingsText(request.body),
        },
      },
      schema: {
        summary: "Change a service's settings in Hoist",
        description:
          'autoredeploy: redeploy it whenever a registry endpoint reports a push of the repo:tag it runs. allowSelfRedeploy: on the service Hoist itself runs in (self: true), let handlers, registry pushes and the API redeploy, scale or remove it. Settings left out stay as they are.',
        tags: ['services'],
        params: ServiceParams,
        body: ServiceSettingsBody,
        response: { 200: Service, ...errorResponses },
      },
    },
    async (request) => deps.catalog.update(request.params.id, request.body),
  );
}
