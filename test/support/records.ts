/**
 * Builders of the records the store keeps for webhook handlers and their
 * calls, shared by the unit tests and the benchmarks' seeding. Plain functions:
 * importing this module has no side effects (unlike unit-fixture.ts, which
 * registers an afterEach hook).
 */
import { randomUUID } from 'node:crypto';
import { newRecordId } from '../../src/domain/record-id.js';
import type { Action } from '../../src/domain/actions/action.js';
import type { Position } from '../../src/domain/paging.js';
import type { Delivery } from '../../src/domain/webhooks/delivery.js';
import type { CallHandler, WebhookWithHash } from '../../src/domain/webhooks/webhook.js';

/**
 * A handler record as store.insertWebhook takes it: an active, unsigned
 * REDEPLOY handler `ci`, never called, made now, with a random id (as
 * WebhookHandlers makes them) and a random token hash, unless overridden.
 * The id, hash and time are only made when not given.
 */
/** What a call reads of this handler (CallHandler): the fields taking it needs, and no more. */
export function callHandlerOf(handler: WebhookWithHash): CallHandler {
  const { id, serviceId, name, operation, maxScale, signatureScheme, passBody } = handler;
  const { rateLimitPerMinute, signingSecret } = handler;
  return {
    id,
    serviceId,
    name,
    operation,
    maxScale,
    signatureScheme,
    passBody,
    rateLimitPerMinute,
    signingSecret,
  };
}

export function webhookRecord(
  serviceId: string,
  overrides: Partial<WebhookWithHash> = {},
): WebhookWithHash {
  const {
    id = randomUUID(),
    tokenHash = randomUUID().replaceAll('-', ''),
    createdAt = new Date().toISOString(),
    ...rest
  } = overrides;
  return {
    id,
    serviceId,
    name: 'ci',
    operation: 'REDEPLOY',
    tokenPrefix: 'abcd1234',
    tokenHash,
    createdAt,
    revokedAt: null,
    lastCalledAt: null,
    callCount: 0,
    maxScale: 10,
    signed: false,
    signatureScheme: 'any',
    passBody: false,
    rateLimitPerMinute: null,
    signingSecret: null,
    ...rest,
  };
}

/**
 * A delivery record of a call of the handler: an accepted call with an empty
 * body from 192.0.2.1, received now, with a record id (as CallIntake makes
 * them), unless overridden. The id and time are only made when not given.
 */
export function deliveryRecord(
  webhookId: string,
  serviceId: string,
  overrides: Partial<Delivery> = {},
): Delivery {
  const { id = newRecordId(), receivedAt = new Date().toISOString(), ...rest } = overrides;
  return {
    id,
    webhookId,
    serviceId,
    receivedAt,
    remoteAddress: '192.0.2.1',
    userAgent: 'test',
    contentType: null,
    payloadKind: 'empty',
    outcome: 'accepted',
    reason: null,
    actionId: null,
    deliveryKey: null,
    pushed: null,
    digest: null,
    callbackUrl: null,
    callbackResult: null,
    ...rest,
  };
}

/**
 * An action record as store.insertAction takes it: a Pending redeploy started by the admin
 * token through the API, keeping volumes, made now with a random id, unless overridden.
 */
export function actionRecord(serviceId: string, overrides: Partial<Action> = {}): Action {
  const { id = randomUUID(), createdAt = new Date().toISOString(), ...rest } = overrides;
  return {
    id,
    serviceId,
    type: 'redeploy',
    state: 'Pending',
    trigger: { kind: 'api', tokenName: 'admin' },
    options: { reuseVolumes: true },
    imageRef: null,
    digestBefore: null,
    digestAfter: null,
    createdAt,
    startedAt: null,
    endedAt: null,
    reason: null,
    attempts: 0,
    progress: null,
    ...rest,
  };
}

/** An ISO time `n` seconds after a fixed origin (2025-01-01), long before any real call. */
export function at(n: number): string {
  return new Date(Date.UTC(2025, 0, 1) + n * 1000).toISOString();
}

/**
 * A copy of `items` newest first by (time, id), as every paged list is
 * ordered. Byte order, as SQLite compares text; localeCompare would not.
 */
export function newestFirst<T>(items: readonly T[], position: (item: T) => Position): T[] {
  return [...items].sort((a, b) => {
    const [x, y] = [position(a), position(b)];
    if (x.at !== y.at) return x.at < y.at ? 1 : -1;
    return x.id < y.id ? 1 : x.id > y.id ? -1 : 0;
  });
}
