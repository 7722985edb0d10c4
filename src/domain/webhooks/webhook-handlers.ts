import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import { isoNow } from '../clock.js';
import { HoistError } from '../errors.js';
import { readPage, type Page, type Position } from '../paging.js';
import type { Store } from '../ports/store.js';
import { generateSecretToken, hashSecretToken, tokenPrefix } from '../secret-token.js';
import type { ServiceCatalog } from '../services/service-catalog.js';
import {
  MAX_RATE_LIMIT,
  type AcceptedSignatures,
  type Webhook,
  type WebhookOperation,
} from './webhook.js';
import type { Delivery } from './delivery.js';
import { generateSigningSecret } from './signature.js';

export interface CreatedWebhook {
  webhook: Webhook;
  /** The full secret URL: returned once, never stored. */
  url: string;
  /** For a signed handler: the key its calls are signed with, shown only here. */
  signingSecret?: string;
}

const NAME_PATTERN = /^[\p{L}\p{N}][\p{L}\p{N} ._-]{0,63}$/u;

/** Creating, listing and revoking a service's webhook handlers. */
export class WebhookHandlers {
  constructor(
    private readonly deps: {
      store: Store;
      catalog: ServiceCatalog;
      clock: Clock;
      publicUrl: string;
    },
  ) {}

  async create(
    serviceId: string,
    input: {
      name: string;
      operation?: WebhookOperation;
      maxScale?: number;
      /** Calls must be signed (Standard Webhooks or GitHub's X-Hub-Signature-256). */
      signed?: boolean;
      /** A signed handler's accepted signatures (default `any`). */
      signatureScheme?: AcceptedSignatures;
      /** Give the call's body to the new containers as HOIST_TRIGGER_BODY. */
      passBody?: boolean;
      /** At most this many calls a minute (default: no limit). */
      rateLimitPerMinute?: number;
    },
  ): Promise<CreatedWebhook> {
    const { store, catalog, clock, publicUrl } = this.deps;
    await catalog.record(serviceId);
    const name = input.name.trim();
    if (!NAME_PATTERN.test(name)) {
      throw new HoistError(
        'bad_request',
        'A webhook name is 1 to 64 letters, digits, spaces, dots, dashes or underscores, starting with a letter or digit.',
      );
    }
    if (
      input.maxScale !== undefined &&
      !(Number.isInteger(input.maxScale) && input.maxScale >= 1 && input.maxScale <= 100)
    ) {
      throw new HoistError('bad_request', 'maxScale is a whole number from 1 to 100.');
    }
    const limit = input.rateLimitPerMinute;
    if (
      limit !== undefined &&
      !(Number.isInteger(limit) && limit >= 1 && limit <= MAX_RATE_LIMIT)
    ) {
      throw new HoistError(
        'bad_request',
        `rateLimitPerMinute is a whole number from 1 to ${MAX_RATE_LIMIT}; leave it out for no limit.`,
      );
    }
    const scheme = input.signatureScheme ?? 'any';
    if (scheme !== 'any' && !input.signed) {
      throw new HoistError(
        'bad_request',
        `signatureScheme "${scheme}" applies to signed handlers: add "signed": true.`,
      );
    }
    if (input.passBody && input.operation === 'SCALEUP') {
      throw new HoistError(
        'bad_request',
        'passBody applies to REDEPLOY handlers: a SCALEUP call copies existing containers and has no new containers to give a body to.',
      );
    }
    const token = generateSecretToken();
    const webhook: Webhook = {
      id: randomUUID(),
      serviceId,
      name,
      operation: input.operation ?? 'REDEPLOY',
      tokenPrefix: tokenPrefix(token),
      createdAt: isoNow(clock),
      revokedAt: null,
      lastCalledAt: null,
      callCount: 0,
      maxScale: input.maxScale ?? 10,
      signed: input.signed === true,
      signatureScheme: scheme,
      passBody: input.passBody === true,
      rateLimitPerMinute: limit ?? null,
    };
    const signingSecret = input.signed ? generateSigningSecret() : null;
    await store.transaction(async (tx) => {
      if (await tx.findActiveWebhookByName(serviceId, name)) {
        throw new HoistError(
          'webhook_name_taken',
          `This service already has a webhook named "${name}". Pick another name or revoke that one first.`,
        );
      }
      await tx.insertWebhook({ ...webhook, tokenHash: hashSecretToken(token), signingSecret });
    });
    return {
      webhook,
      url: `${publicUrl}/hooks/${token}`,
      ...(signingSecret ? { signingSecret } : {}),
    };
  }

  async list(serviceId: string): Promise<Webhook[]> {
    await this.deps.catalog.record(serviceId);
    return this.deps.store.listWebhooks(serviceId);
  }

  async get(serviceId: string, webhookId: string): Promise<Webhook> {
    await this.deps.catalog.record(serviceId);
    const webhook = await this.deps.store.getWebhook(webhookId);
    if (!webhook || webhook.serviceId !== serviceId) {
      throw new HoistError(
        'webhook_not_found',
        `Service ${serviceId} has no webhook ${webhookId}. List them with GET /api/v1/services/${serviceId}/webhooks.`,
      );
    }
    return webhook;
  }

  /** A page of the handler's deliveries, newest first (paging.ts). */
  async deliveries(
    serviceId: string,
    webhookId: string,
    limit: number,
    before?: Position,
  ): Promise<Page<Delivery>> {
    await this.get(serviceId, webhookId);
    return readPage(
      limit,
      before,
      (n, from) => this.deps.store.listDeliveries(webhookId, n, from),
      (delivery) => ({ at: delivery.receivedAt, id: delivery.id }),
    );
  }

  /** Revoking is immediate and idempotent: the URL answers 404 from the next call on. */
  async revoke(serviceId: string, webhookId: string): Promise<void> {
    const webhook = await this.get(serviceId, webhookId);
    if (!webhook.revokedAt) {
      await this.deps.store.revokeWebhook(webhook.id, isoNow(this.deps.clock));
    }
  }
}
