import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import { isoNow } from '../clock.js';
import { HoistError } from '../errors.js';
import type { Store } from '../ports/store.js';
import { hashSecretToken } from '../secret-token.js';
import { enqueueRedeploy, enqueueScale, type Enqueued } from '../actions/action-queue.js';
import type { Action } from '../actions/action.js';
import type { Delivery } from './delivery.js';
import type { Webhook } from './webhook.js';

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
  constructor(
    private readonly deps: { store: Store; clock: Clock; onEnqueued: (action: Action) => void },
  ) {}

  /**
   * `count` is the N of `POST /hooks/{token}/N`: how many replicas a SCALEUP
   * handler adds (default 1, at most the handler's maxScale).
   */
  async receive(token: string, call: IncomingCall, count?: string): Promise<Enqueued> {
    const { store, clock } = this.deps;
    const webhook = await store.findWebhookByTokenHash(hashSecretToken(token));
    if (!webhook || webhook.revokedAt) {
      throw new HoistError('webhook_not_found', UNKNOWN_HOOK_MESSAGE);
    }
    const receivedAt = isoNow(clock);
    const delivery: Delivery = {
      id: randomUUID(),
      webhookId: webhook.id,
      serviceId: webhook.serviceId,
      receivedAt,
      remoteAddress: call.remoteAddress,
      userAgent: call.userAgent,
      contentType: call.contentType,
      payloadKind: payloadKind(call),
      outcome: 'accepted',
      reason: null,
      actionId: null,
    };
    const refusal = countProblem(webhook.operation, webhook.maxScale, count);
    if (refusal) {
      await store.transaction(async (tx) => {
        await tx.insertDelivery({ ...delivery, outcome: 'rejected', reason: refusal });
        await tx.markWebhookCalled(webhook.id, receivedAt);
      });
      throw new HoistError('bad_request', refusal);
    }
    const trigger = { kind: 'webhook' as const, webhookId: webhook.id, webhookName: webhook.name };
    const result = await store.transaction(async (tx) => {
      const enqueued =
        webhook.operation === 'SCALEUP'
          ? await enqueueScale(tx, clock, {
              serviceId: webhook.serviceId,
              trigger,
              options: { add: count === undefined ? 1 : Number(count) },
            })
          : await enqueueRedeploy(tx, clock, {
              serviceId: webhook.serviceId,
              trigger,
              options: { reuseVolumes: true },
            });
      await tx.insertDelivery({
        ...delivery,
        outcome: enqueued.coalesced ? 'coalesced' : 'accepted',
        actionId: enqueued.action.id,
      });
      await tx.markWebhookCalled(webhook.id, receivedAt);
      return enqueued;
    });
    if (!result.coalesced) this.deps.onEnqueued(result.action);
    return result;
  }
}

/** Why the count part of a call's URL is refused, or null when it is fine. */
function countProblem(
  operation: Webhook['operation'],
  maxScale: number,
  count: string | undefined,
): string | null {
  if (count === undefined) return null;
  if (operation !== 'SCALEUP') {
    return 'This handler redeploys its service; its URL takes no count. POST to /hooks/<token> alone.';
  }
  const n = Number(count);
  if (!/^\d+$/.test(count) || n < 1 || n > maxScale) {
    return `A call of this handler adds 1 to ${maxScale} replicas: /hooks/<token>/N with N from 1 to ${maxScale}, not "${count.slice(0, 20)}".`;
  }
  return null;
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
