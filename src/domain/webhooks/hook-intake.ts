import { newRecordId } from '../record-id.js';
import type { Clock } from '../clock.js';
import { isoNow } from '../clock.js';
import { HoistError, RateLimitedError } from '../errors.js';
import { RateLimiter } from '../rate-limiter.js';
import type { CallStore, CallTx } from '../ports/store.js';
import { hashSecretToken } from '../secret-token.js';
import { enqueueRedeploy, enqueueScale, type Enqueued } from '../actions/action-queue.js';
import type { Action } from '../actions/action.js';
import { parsePayload } from '../payloads/parse-payload.js';
import { judgePush, type PushVerdict } from '../payloads/match-push.js';
import { describePush } from '../payloads/describe-push.js';
import type { ParsedPayload } from '../payloads/payload.js';
import type { Delivery } from './delivery.js';
import { verifySignature } from './signature.js';
import type { Webhook } from './webhook.js';

export interface IncomingCall {
  remoteAddress: string | null;
  userAgent: string | null;
  contentType: string | null;
  body: Buffer | null;
  /** Lower-case names: signatures and delivery ids travel in headers. */
  headers: Record<string, string | undefined>;
}

/** What came of a call: queued (or joined), ignored with a reason, or a repeat of one already seen. */
export type CallOutcome =
  | ({ kind: 'enqueued' } & Enqueued)
  | { kind: 'ignored'; reason: string }
  | { kind: 'duplicate'; action: Action | null };

/** One message for unknown and revoked tokens alike, so a caller cannot tell them apart. */
export const UNKNOWN_HOOK_MESSAGE = 'No webhook handler has this URL. It may have been revoked.';

/** At most this much of a call's body reaches the new containers (an environment variable). */
export const TRIGGER_BODY_LIMIT = 64 * 1024;

/**
 * The public call path. It only touches the store: the delivery is recorded and
 * the action enqueued in one transaction, and the worker is woken afterwards.
 * Nothing here talks to Docker: a payload is matched against the image and
 * digest the store last saw the service run.
 */
export class HookIntake {
  /** Handlers with a rateLimitPerMinute, by id (in memory: a restart forgets the counts). */
  private readonly handlerLimiter: RateLimiter;

  constructor(
    private readonly deps: { store: CallStore; clock: Clock; onEnqueued: (action: Action) => void },
  ) {
    this.handlerLimiter = new RateLimiter({ clock: deps.clock });
  }

  /**
   * `count` is the N of `POST /hooks/{token}/N`: how many replicas a SCALEUP
   * handler adds (default 1, at most the handler's maxScale).
   */
  async receive(token: string, call: IncomingCall, count?: string): Promise<CallOutcome> {
    const { store } = this.deps;
    const tokenHash = hashSecretToken(token);
    // One transaction from the token look-up to the delivery: a handler revoked
    // meanwhile cannot slip a call in, and the store may commit many calls at once.
    const outcome = await store.transaction((tx) => this.take(tx, tokenHash, call, count));
    if ('refused' in outcome) throw outcome.refused;
    if (outcome.kind === 'enqueued' && !outcome.coalesced) this.deps.onEnqueued(outcome.action);
    return outcome;
  }

  /** The call's whole decision, inside the caller's transaction; a refusal is recorded, then returned. */
  private async take(
    tx: CallTx,
    tokenHash: string,
    call: IncomingCall,
    count: string | undefined,
  ): Promise<CallOutcome | { refused: HoistError }> {
    const { clock } = this.deps;
    const webhook = await tx.findActiveWebhookByTokenHash(tokenHash);
    if (!webhook) {
      return { refused: new HoistError('webhook_not_found', UNKNOWN_HOOK_MESSAGE) };
    }
    // Only now: a body sent to a URL that is no handler's costs nothing to read (1 MiB of JSON is
    // milliseconds of CPU).
    const payload = parsePayload({
      contentType: call.contentType,
      body: call.body,
      headers: call.headers,
    });
    const receivedAt = isoNow(clock);
    const push = payload.pushes[0] ?? null;
    const delivery: Delivery = {
      id: newRecordId(),
      webhookId: webhook.id,
      serviceId: webhook.serviceId,
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
    const record = async (patch: Partial<Delivery>) => {
      await tx.insertDelivery({ ...delivery, ...patch });
      await tx.markWebhookCalled(webhook.id, receivedAt);
    };
    const refuse = async (reason: string, error: HoistError) => {
      // The key stays with the first delivery that carried it; a refusal must not claim it.
      await record({ outcome: 'rejected', reason, deliveryKey: null });
      return { refused: error };
    };

    if (webhook.signingSecret) {
      const verdict = verifySignature({
        secret: webhook.signingSecret,
        headers: call.headers,
        body: call.body ?? Buffer.alloc(0),
        now: clock.now(),
      });
      if (!verdict.ok) {
        return refuse(
          `signature: ${verdict.reason}`,
          new HoistError(
            'signature_invalid',
            `This handler needs a signed call: ${verdict.reason}. Sign the body with the handler's secret (Standard Webhooks or X-Hub-Signature-256).`,
          ),
        );
      }
    }
    const countRefusal = countProblem(webhook.operation, webhook.maxScale, count);
    if (countRefusal) return refuse(countRefusal, new HoistError('bad_request', countRefusal));
    // Counted after the signature: forged calls must not use up a handler's limit.
    if (webhook.rateLimitPerMinute !== null) {
      const limit = webhook.rateLimitPerMinute;
      const verdict = this.handlerLimiter.take(webhook.id, limit);
      if (!verdict.allowed) {
        return refuse(
          `rate limited: more than ${limit} calls a minute`,
          new RateLimitedError(
            `This handler takes at most ${limit} calls a minute; retry after ${verdict.retryAfterSeconds} s.`,
            verdict.retryAfterSeconds,
          ),
        );
      }
    }

    if (payload.deliveryKey) {
      const first = await tx.findDeliveryByKey(webhook.id, payload.deliveryKey);
      if (first) {
        const reason = `a repeat of the delivery received at ${first.receivedAt}`;
        await record({ outcome: 'ignored', reason, deliveryKey: null, callbackUrl: null });
        return {
          kind: 'duplicate',
          action: first.actionId ? await tx.getAction(first.actionId) : null,
        };
      }
    }
    const verdict = await this.judge(tx, webhook, payload);
    if ('ignore' in verdict) {
      await record({ outcome: 'ignored', reason: verdict.ignore, callbackUrl: null });
      return { kind: 'ignored', reason: verdict.ignore };
    }
    const trigger = {
      kind: 'webhook' as const,
      webhookId: webhook.id,
      webhookName: webhook.name,
    };
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
            options: {
              reuseVolumes: true,
              ...(verdict.expectedDigest ? { expectedDigest: verdict.expectedDigest } : {}),
              ...(webhook.passBody && call.body && call.body.length > 0
                ? { triggerBody: triggerBodyOf(call.body) }
                : {}),
            },
          });
    await record({
      outcome: enqueued.coalesced ? 'coalesced' : 'accepted',
      actionId: enqueued.action.id,
    });
    return { kind: 'enqueued', ...enqueued };
  }

  /**
   * A redeploy call must not redeploy for a push of another image, or of the
   * digest the service runs; a push of its own tag says which digest to expect.
   */
  private async judge(tx: CallTx, webhook: Webhook, payload: ParsedPayload): Promise<PushVerdict> {
    // A plain trigger names no image, so there is nothing to match (and no read to make).
    if (webhook.operation !== 'REDEPLOY' || payload.kind === 'plain')
      return { expectedDigest: null };
    const service = await tx.getService(webhook.serviceId);
    return service ? judgePush(service, payload) : { expectedDigest: null };
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
  const type = (call.contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'application/json' || type.endsWith('+json')) return 'json';
  if (type === 'application/x-www-form-urlencoded' || type === 'multipart/form-data') return 'form';
  if (type.startsWith('text/')) return 'text';
  return 'other';
}
