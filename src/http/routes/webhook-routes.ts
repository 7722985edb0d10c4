import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppDeps } from '../app-deps.js';
import { errorResponses } from '../schemas/error-schema.js';
import { ServiceParams } from '../schemas/service-schema.js';
import { Delivery } from '../schemas/delivery-schema.js';
import { DEFAULT_PAGE_LIMIT, NextPage, PageQuery } from '../schemas/page-schema.js';
import { decodeCursor, nextPageUrl } from '../page-cursor.js';
import {
  CreatedWebhook,
  CreateWebhookBody,
  Webhook,
  WebhookParams,
} from '../schemas/webhook-schema.js';

export async function webhookRoutes(app: FastifyInstance, deps: AppDeps) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    '/services/:id/webhooks',
    {
      config: { access: 'read' },
      schema: {
        summary: "List a service's webhook handlers (revoked ones included)",
        tags: ['webhooks'],
        params: ServiceParams,
        response: { 200: Type.Object({ webhooks: Type.Array(Webhook) }), ...errorResponses },
      },
    },
    async (request) => ({ webhooks: await deps.webhooks.list(request.params.id) }),
  );

  api.post(
    '/services/:id/webhooks',
    {
      config: {
        access: 'manage',
        audit: { action: 'handler.created', object: 'handler', answerKey: 'webhook' },
      },
      schema: {
        summary: 'Create a webhook handler',
        description: 'The answer holds the secret URL. It is never shown again.',
        tags: ['webhooks'],
        params: ServiceParams,
        body: CreateWebhookBody,
        response: { 201: CreatedWebhook, ...errorResponses },
      },
    },
    async (request, reply) => {
      const created = await deps.webhooks.create(request.params.id, request.body);
      return reply.code(201).send(created);
    },
  );

  api.get(
    '/services/:id/webhooks/:wid',
    {
      config: { access: 'read' },
      schema: {
        summary: 'Show one webhook handler',
        tags: ['webhooks'],
        params: WebhookParams,
        response: { 200: Webhook, ...errorResponses },
      },
    },
    async (request) => deps.webhooks.get(request.params.id, request.params.wid),
  );

  api.delete(
    '/services/:id/webhooks/:wid',
    {
      config: {
        access: 'manage',
        audit: { action: 'handler.revoked', object: 'handler', param: 'wid' },
      },
      schema: {
        summary: 'Revoke a webhook handler',
        description: 'Its URL answers 404 from the next call on.',
        tags: ['webhooks'],
        params: WebhookParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await deps.webhooks.revoke(request.params.id, request.params.wid);
      return reply.code(204).send(null);
    },
  );

  api.get(
    '/services/:id/webhooks/:wid/deliveries',
    {
      config: { access: 'read' },
      schema: {
        summary: "A handler's deliveries, newest first, a page at a time",
        description:
          'Every call: when, from where, what payload it carried, and what came of it (accepted, coalesced, ignored and why, rejected and why).',
        tags: ['webhooks'],
        params: WebhookParams,
        querystring: Type.Object(PageQuery),
        response: {
          200: Type.Object({ deliveries: Type.Array(Delivery), next: NextPage }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const page = await deps.webhooks.deliveries(
        request.params.id,
        request.params.wid,
        request.query.limit ?? DEFAULT_PAGE_LIMIT,
        decodeCursor(request.query.before),
      );
      return { deliveries: page.items, next: nextPageUrl(request, page.next) };
    },
  );
}
