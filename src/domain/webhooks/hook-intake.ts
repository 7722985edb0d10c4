import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import { isoNow } from '../clock.js';
import { HoistError } from '../errors.js';
import type { Store } from '../ports/store.js';
import { hashSecretToken } from '../secret-token.js';
import { enqueueRedeploy, type Enqueued } from '../actions/action-queue.js';
import type { Delivery } from './delivery.js';

export interface IncomingCall {
  remoteAddress: string | null;
  userAgent: string | null;
  contentType: string | null;
  body: Buffer | null;
}

/** One message for unknown and revoked tokens alike, so a caller cannot tell them apart. */
export const UNKNOWN_HOOK_MESSAGE = 'No webhook handler has this URL. It may have been revoked.';

/**
 * The public call path. It only touches the store: the delivery is recorded and
 * the action enqueued in one transaction, and the worker is woken afterwards.
 * Nothing here talks to Docker.
 */
export class HookIntake {
  constructor(private readonly deps: { store: Store; clock: Clock; onEnqueued: () => void }) {}

  async receive(token: string, call: IncomingCall): Promise<Enqueued> {
    const { store, clock } = this.deps;
    const webhook = await store.findWebhookByTokenHash(hashSecretToken(token));
    if (!webhook || webhook.revokedAt) {
      throw new HoistError('webhook_not_found', UNKNOWN_HOOK_MESSAGE);
    }
    const receivedAt = isoNow(clock);
    const result = await store.transaction(async (tx) => {
      const enqueued = await enqueueRedeploy(tx, clock, {
        serviceId: webhook.serviceId,
        trigger: { kind: 'webhook', webhookId: webhook.id, webhookName: webhook.name },
        options: { reuseVolumes: true },
      });
      const delivery: Delivery = {
        id: randomUUID(),
        webhookId: webhook.id,
        serviceId: webhook.serviceId,
        receivedAt,
        remoteAddress: call.remoteAddress,
        userAgent: call.userAgent,
        contentType: call.contentType,
        payloadKind: payloadKind(call),
        outcome: enqueued.coalesced ? 'coalesced' : 'accepted',
        reason: null,
        actionId: enqueued.action.id,
      };
      await tx.insertDelivery(delivery);
      await tx.markWebhookCalled(webhook.id, receivedAt);
      return enqueued;
    });
    this.deps.onEnqueued();
    return result;
  }
}

/** A coarse label of what the caller sent; registry payloads are understood in a later step. */
function payloadKind(call: IncomingCall): string {
  if (!call.body || call.body.length === 0) return 'empty';
  const type = (call.contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'application/json' || type.endsWith('+json')) return 'json';
  if (type === 'application/x-www-form-urlencoded' || type === 'multipart/form-data') return 'form';
  if (type.startsWith('text/')) return 'text';
  return 'other';
}
