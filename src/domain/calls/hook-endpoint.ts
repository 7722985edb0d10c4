/**
 * Handler URLs (`/hooks/{token}`, `/hooks/{token}/N`): one service each,
 * redeployed or scaled up. A handler may require a signature (either scheme, or
 * Standard Webhooks only), pass the body to the new containers (then a body no
 * environment variable can hold is refused) and limit its calls a minute; each
 * call is recorded as a delivery and counted on the handler.
 */
import { callerText } from '../caller-text.js';
import type { Clock } from '../clock.js';
import { HoistError, RateLimitedError } from '../errors.js';
import { RateLimiter } from '../rate-limiter.js';
import { newRecordId } from '../record-id.js';
import { enqueueRedeploy, enqueueScale, type Enqueued } from '../actions/action-queue.js';
import type { Action } from '../actions/action.js';
import { describePush } from '../payloads/describe-push.js';
import { mediaType } from '../payloads/media-type.js';
import type { CallTx } from '../ports/store.js';
import type { Delivery } from '../webhooks/delivery.js';
import { verifySignature } from '../webhooks/signature.js';
import type { CallHandler, Webhook } from '../webhooks/webhook.js';
import {
  UNKNOWN_TOKEN_CODE,
  type CallEndpoint,
  type CallResult,
  type CallService,
  type TakenCall,
} from './call-endpoint.js';
import type { IncomingCall } from './incoming-call.js';

/** What came of a handler call: queued (or joined), ignored with a reason, or a repeat of one already seen. */
export type HookOutcome =
  | ({ kind: 'enqueued' } & Enqueued)
  | { kind: 'ignored'; reason: string }
  | { kind: 'duplicate'; action: Action | null };

/** One message for unknown and revoked tokens alike, so a caller cannot tell them apart. */
export const UNKNOWN_HOOK_MESSAGE = 'No webhook handler has this URL. It may have been revoked.';

/** At most this much of a call's body reaches the new containers (an environment variable). */
export const TRIGGER_BODY_LIMIT = 64 * 1024;

type Handler = CallHandler;

export class HookEndpoint implements CallEndpoint<Handler, HookOutcome> {
  readonly unknown = new HoistError(UNKNOWN_TOKEN_CODE, UNKNOWN_HOOK_MESSAGE);
  /** Handlers with a rateLimitPerMinute, by id (in memory: a restart forgets the counts). */
  readonly #limiter: RateLimiter;

  constructor(clock: Clock) {
    this.#limiter = new RateLimiter({ clock });
  }

  find(tx: CallTx, tokenHash: string): Promise<Handler | null> {
    return tx.findActiveWebhookByTokenHash(tokenHash);
  }

  refusal({ target, call, count }: TakenCall<Handler>, clock: Clock) {
    if (target.signingSecret) {
      const verdict = verifySignature({
        secret: target.signingSecret,
        headers: call.headers,
        body: call.body ?? Buffer.alloc(0),
        now: clock.now(),
        accepts: target.signatureScheme,
      });
      if (!verdict.ok) {
        const schemes =
          target.signatureScheme === 'standard-webhooks'
            ? 'Standard Webhooks'
            : 'Standard Webhooks or X-Hub-Signature-256';
        return {
          reason: `signature: ${verdict.reason}`,
          error: new HoistError(
            'signature_invalid',
            `This handler needs a signed call: ${verdict.reason}. Sign the body with the handler's secret (${schemes}).`,
          ),
        };
      }
    }
    const bodyRefusal = bodyProblem(target, call);
    if (bodyRefusal) return bodyRefusal;
    const countRefusal = countProblem(target.operation, target.maxScale, count);
    if (countRefusal)
      return { reason: countRefusal, error: new HoistError('bad_request', countRefusal) };
    // Counted after the signature: forged calls must not use up a handler's limit.
    if (target.rateLimitPerMinute !== null) {
      const limit = target.rateLimitPerMinute;
      const verdict = this.#limiter.take(target.id, limit);
      if (!verdict.allowed) {
        return {
          reason: `rate limited: more than ${limit} calls a minute`,
          error: new RateLimitedError(
            `This handler takes at most ${limit} calls a minute; retry after ${verdict.retryAfterSeconds} s.`,
            verdict.retryAfterSeconds,
          ),
        };
      }
    }
    return null;
  }

  async findFirst(tx: CallTx, target: Handler, deliveryKey: string) {
    const first = await tx.findDeliveryByKey(target.id, deliveryKey);
    return first
      ? { receivedAt: first.receivedAt, actionIds: first.actionId ? [first.actionId] : [] }
      : null;
  }

  /** A plain trigger (Tutum's behaviour): a call of the URL is reason enough. */
  plainReason(): null {
    return null;
  }

  /** SCALEUP scales whatever a payload names; a redeploy must not follow a push of another image. */
  matchesPushes(target: Handler): boolean {
    return target.operation === 'REDEPLOY';
  }

  async services(tx: CallTx, { target, payload }: TakenCall<Handler>): Promise<CallService[]> {
    // A plain trigger names no image, so there is nothing to match (and no read to make).
    if (!this.matchesPushes(target) || payload.kind === 'plain') {
      return [{ id: target.serviceId, running: null }];
    }
    return [{ id: target.serviceId, running: await tx.getService(target.serviceId) }];
  }

  nothingMatched(_taken: TakenCall<Handler>, reasons: string[]): string {
    return reasons[0] ?? 'the handler has no service';
  }

  enqueue(
    tx: CallTx,
    clock: Clock,
    { target, call, count }: TakenCall<Handler>,
    service: { id: string; expectedDigest: string | null },
  ): Promise<Enqueued> {
    const trigger = { kind: 'webhook' as const, webhookId: target.id, webhookName: target.name };
    if (target.operation === 'SCALEUP') {
      return enqueueScale(tx, clock, {
        serviceId: service.id,
        trigger,
        options: { add: count === undefined ? 1 : Number(count) },
      });
    }
    return enqueueRedeploy(tx, clock, {
      serviceId: service.id,
      trigger,
      options: {
        reuseVolumes: true,
        ...(service.expectedDigest ? { expectedDigest: service.expectedDigest } : {}),
        ...(target.passBody && call.body && call.body.length > 0
          ? { triggerBody: triggerBodyOf(call.body) }
          : {}),
      },
    });
  }

  async record(tx: CallTx, taken: TakenCall<Handler>, result: CallResult): Promise<void> {
    await tx.insertDelivery({ ...deliveryOf(taken), ...deliveryPatch(result) });
    await tx.markWebhookCalled(taken.target.id, taken.receivedAt);
  }

  answer(result: Exclude<CallResult, { kind: 'refused' }>): HookOutcome {
    switch (result.kind) {
      case 'enqueued': {
        // A handler acts on its one service.
        const [first] = result.enqueued as [Enqueued];
        return { kind: 'enqueued', ...first };
      }
      case 'ignored':
        return { kind: 'ignored', reason: result.reason };
      case 'duplicate':
        return { kind: 'duplicate', action: result.actions[0] ?? null };
    }
  }
}

function deliveryOf({ target, call, payload, receivedAt }: TakenCall<Handler>): Delivery {
  const push = payload.pushes[0] ?? null;
  return {
    id: newRecordId(),
    webhookId: target.id,
    serviceId: target.serviceId,
    receivedAt,
    remoteAddress: call.remoteAddress,
    userAgent: call.userAgent,
    contentType: call.contentType,
    payloadKind: payload.kind === 'plain' ? plainKind(call) : payload.kind,
    outcome: 'accepted',
    reason: null,
    actionId: null,
    deliveryKey: payload.deliveryKey,
    pushed: push ? describePush(push) : null,
    digest: push?.digest ?? null,
    callbackUrl: payload.callbackUrl,
    callbackResult: null,
  };
}

/**
 * How a result is written on the delivery. The delivery key stays with the
 * first delivery that carried it: a refusal or a repeat must not claim it; only
 * a call that queued something keeps the callback URL.
 */
function deliveryPatch(result: CallResult): Partial<Delivery> {
  switch (result.kind) {
    case 'refused':
      return { outcome: 'rejected', reason: result.reason, deliveryKey: null };
    case 'duplicate':
      return {
        outcome: 'ignored',
        reason: `a repeat of the delivery received at ${result.firstReceivedAt}`,
        deliveryKey: null,
        callbackUrl: null,
      };
    case 'ignored':
      return { outcome: 'ignored', reason: result.reason, callbackUrl: null };
    case 'enqueued': {
      const [first] = result.enqueued as [Enqueued];
      return { outcome: first.coalesced ? 'coalesced' : 'accepted', actionId: first.action.id };
    }
  }
}

/**
 * Why a body cannot be passed to the containers: a NUL byte. An environment
 * variable cannot hold one (runc refuses to start the container), so taking
 * the call would let anyone with the URL fail the redeploy it joins.
 */
function bodyProblem(target: Handler, call: IncomingCall) {
  if (!target.passBody || !call.body?.includes(0)) return null;
  const reason = 'body: it holds a NUL byte, which HOIST_TRIGGER_BODY cannot carry';
  return {
    reason,
    error: new HoistError(
      'bad_request',
      "This handler passes the call's body to the new containers as the environment variable HOIST_TRIGGER_BODY, which cannot hold a NUL (\\0) byte. Send the body without NUL bytes.",
    ),
  };
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
    return `A call of this handler adds 1 to ${maxScale} replicas: /hooks/<token>/N with N from 1 to ${maxScale}, not "${callerText(count)}".`;
  }
  return null;
}

/**
 * At most TRIGGER_BODY_LIMIT bytes of the body as UTF-8 text. Decoding a cut
 * character (or invalid bytes) yields U+FFFD, three bytes each, so the text is
 * measured again once decoded and cut at a character boundary.
 */
function triggerBodyOf(body: Buffer): string {
  const text = Buffer.from(body.subarray(0, TRIGGER_BODY_LIMIT).toString('utf8'), 'utf8');
  let end = Math.min(text.length, TRIGGER_BODY_LIMIT);
  while (end < text.length && end > 0 && ((text[end] ?? 0) & 0xc0) === 0x80) end--;
  return text.subarray(0, end).toString('utf8');
}

/** A coarse label of a body no registry sent: how it came, for the delivery log. */
function plainKind(call: IncomingCall): string {
  if (!call.body || call.body.length === 0) return 'empty';
  const type = mediaType(call.contentType);
  if (type === 'application/json' || type.endsWith('+json')) return 'json';
  if (type === 'application/x-www-form-urlencoded' || type === 'multipart/form-data') return 'form';
  if (type.startsWith('text/')) return 'text';
  return 'other';
}
