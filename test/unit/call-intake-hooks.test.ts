/**
 * The public call path's decisions: who is refused (and how alike), how a
 * burst coalesces, what a delivery records. Real SQLite store, no engine.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CallIntake } from '../../src/domain/calls/call-intake.js';
import { UNKNOWN_HOOK_MESSAGE, type HookOutcome } from '../../src/domain/calls/hook-endpoint.js';
import type { IncomingCall } from '../../src/domain/calls/incoming-call.js';
import { RateLimitedError } from '../../src/domain/errors.js';
import { standardWebhooksHeaders } from '../support/registry-payloads.js';
import type { Store } from '../../src/domain/ports/store.js';
import type { ServiceRecord } from '../../src/domain/services/service.js';
import type { WebhookHandlers } from '../../src/domain/webhooks/webhook-handlers.js';
import type { Webhook } from '../../src/domain/webhooks/webhook.js';
import { FakeClock } from '../support/fake-engine.js';
import { refusal } from '../support/refusal.js';
import {
  addService,
  hoistItself,
  hookToken,
  newWebhookHandlers,
  openStores,
} from '../support/unit-fixture.js';

interface Fixture {
  store: Store;
  clock: FakeClock;
  intake: EnqueuingIntake;
  handlers: WebhookHandlers;
  service: ServiceRecord;
  webhook: Webhook;
  token: string;
  wakeUps: number;
}

async function fixture(): Promise<Fixture> {
  // The call path runs on the call store, as in the server.
  const { store, calls } = await openStores();
  const clock = new FakeClock();
  const handlers = newWebhookHandlers(store, clock);
  const service = await addService(store, clock); // compose shop/web
  const created = await handlers.create(service.id, { name: 'docker hub' });
  const token = tokenOf(created.url);
  const f: Fixture = {
    store,
    clock,
    handlers,
    service,
    webhook: created.webhook,
    token,
    wakeUps: 0,
    intake: new EnqueuingIntake(
      new CallIntake({
        store: calls,
        clock,
        engineId: 'local',
        itself: hoistItself(store, clock),
        onEnqueued: () => f.wakeUps++,
      }),
    ),
  };
  return f;
}

/**
 * These tests are about calls that queue something (plain triggers, SCALEUP):
 * an answer other than 'enqueued' fails them. Payload matching has its own tests.
 */
class EnqueuingIntake {
  constructor(private readonly intake: CallIntake) {}

  async receive(
    kind: 'hook',
    token: string,
    call: IncomingCall,
    count?: string,
  ): Promise<Extract<HookOutcome, { kind: 'enqueued' }>> {
    const outcome = await this.intake.receive(kind, token, call, count);
    assert.equal(outcome.kind, 'enqueued', JSON.stringify(outcome));
    return outcome as Extract<HookOutcome, { kind: 'enqueued' }>;
  }
}

function tokenOf(url: string): string {
  const token = hookToken(url);
  assert.ok(token.length > 0);
  return token;
}

function call(overrides: Partial<IncomingCall> = {}): IncomingCall {
  return {
    remoteAddress: '203.0.113.7',
    userAgent: 'Go-http-client/1.1',
    contentType: 'application/json',
    body: Buffer.from('{"ref":"refs/heads/main"}'),
    headers: {},
    ...overrides,
  };
}

describe('CallIntake, handler URLs', () => {
  it('refuses unknown and revoked tokens alike, recording nothing', async () => {
    const f = await fixture();
    const unknown = await refusal(f.intake.receive('hook', 'x'.repeat(43), call()));
    await f.handlers.revoke(f.service.id, f.webhook.id);
    const revoked = await refusal(f.intake.receive('hook', f.token, call()));

    assert.equal(unknown.code, 'webhook_not_found');
    assert.equal(revoked.code, 'webhook_not_found');
    assert.equal(revoked.message, unknown.message);
    assert.equal(revoked.message, UNKNOWN_HOOK_MESSAGE);
    assert.deepEqual(await f.store.listActions({ serviceId: f.service.id }), []);
    assert.deepEqual(await f.store.listDeliveries(f.webhook.id, 10), []);
    assert.equal(f.wakeUps, 0);
  });

  it('accepts a call: a Pending redeploy triggered by the handler, the worker woken', async () => {
    const f = await fixture();
    const result = await f.intake.receive('hook', f.token, call());

    assert.equal(result.coalesced, false);
    assert.equal(result.action.state, 'Pending');
    assert.equal(result.action.serviceId, f.service.id);
    assert.equal(result.action.type, 'redeploy');
    assert.deepEqual(result.action.trigger, {
      kind: 'webhook',
      webhookId: f.webhook.id,
      webhookName: 'docker hub',
    });
    const stored = await f.store.getAction(result.action.id);
    assert.equal(stored?.state, 'Pending');
    const log = await f.store.getActionLog(result.action.id);
    assert.deepEqual(
      log.map((e) => e.message),
      [`Requested by webhook "docker hub" (${f.webhook.id})`],
    );
    assert.equal(f.wakeUps, 1);
  });

  it('records the delivery (remote address, user agent, payload kind) and counts the call', async () => {
    const f = await fixture();
    const result = await f.intake.receive('hook', f.token, call());
    f.clock.advance(60_000);
    await f.intake.receive(
      'hook',
      f.token,
      call({
        remoteAddress: null,
        userAgent: 'curl/8.5.0',
        contentType: 'application/x-www-form-urlencoded',
        body: Buffer.from('a=1'),
      }),
    );
    f.clock.advance(60_000);
    await f.intake.receive(
      'hook',
      f.token,
      call({ contentType: null, body: null, userAgent: null }),
    );

    const deliveries = await f.store.listDeliveries(f.webhook.id, 10);
    assert.equal(deliveries.length, 3);
    const [third, second, first] = deliveries; // newest first
    assert.deepEqual(
      { ...first, id: undefined },
      {
        id: undefined,
        webhookId: f.webhook.id,
        serviceId: f.service.id,
        receivedAt: '2025-01-01T00:00:00.000Z',
        remoteAddress: '203.0.113.7',
        userAgent: 'Go-http-client/1.1',
        contentType: 'application/json',
        payloadKind: 'json',
        outcome: 'accepted',
        reason: null,
        actionId: result.action.id,
        deliveryKey: null,
        pushed: null,
        digest: null,
        callbackUrl: null,
        callbackResult: null,
      },
    );
    assert.equal(second?.payloadKind, 'form');
    assert.equal(second?.remoteAddress, null);
    assert.equal(second?.userAgent, 'curl/8.5.0');
    assert.equal(second?.outcome, 'coalesced');
    assert.equal(second?.actionId, result.action.id);
    assert.equal(third?.payloadKind, 'empty');

    const webhook = await f.store.getWebhook(f.webhook.id);
    assert.equal(webhook?.callCount, 3);
    assert.equal(webhook?.lastCalledAt, '2025-01-01T00:02:00.000Z');
  });

  it('turns 50 concurrent calls into one Pending action and 50 deliveries (49 coalesced)', async () => {
    const f = await fixture();
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        f.intake.receive('hook', f.token, call({ remoteAddress: `198.51.100.${i}` })),
      ),
    );

    const actions = await f.store.listActions({ serviceId: f.service.id });
    assert.equal(actions.length, 1);
    const [action] = actions;
    assert.equal(action?.state, 'Pending');
    assert.ok(results.every((r) => r.action.id === action?.id));
    assert.equal(results.filter((r) => !r.coalesced).length, 1);

    const deliveries = await f.store.listDeliveries(f.webhook.id, 100);
    assert.equal(deliveries.length, 50);
    assert.equal(deliveries.filter((d) => d.outcome === 'accepted').length, 1);
    assert.equal(deliveries.filter((d) => d.outcome === 'coalesced').length, 49);
    assert.ok(deliveries.every((d) => d.actionId === action?.id));
    assert.equal(new Set(deliveries.map((d) => d.remoteAddress)).size, 50);
    assert.equal((await f.store.getWebhook(f.webhook.id))?.callCount, 50);
  });

  it('makes exactly one follow-up for a burst of calls during an In progress redeploy', async () => {
    const f = await fixture();
    const first = await f.intake.receive('hook', f.token, call());
    const claimed = await f.store.claimNextAction(f.clock.now().toISOString());
    assert.equal(claimed?.id, first.action.id);

    f.clock.advance(1000);
    const burst = await Promise.all(
      Array.from({ length: 10 }, () => f.intake.receive('hook', f.token, call())),
    );

    const followUps = new Set(burst.map((r) => r.action.id));
    assert.equal(followUps.size, 1);
    assert.ok(!followUps.has(first.action.id));
    assert.equal(burst.filter((r) => !r.coalesced).length, 1);
    const actions = await f.store.listActions({ serviceId: f.service.id });
    assert.deepEqual(actions.map((a) => a.state).sort(), ['In progress', 'Pending']);
    assert.equal((await f.store.getAction(first.action.id))?.state, 'In progress');
  });

  it('starts a new action once the previous one has ended', async () => {
    const f = await fixture();
    const first = await f.intake.receive('hook', f.token, call());
    await f.store.claimNextAction(f.clock.now().toISOString());
    await f.store.updateAction(first.action.id, { state: 'Success' });
    const second = await f.intake.receive('hook', f.token, call());
    assert.equal(second.coalesced, false);
    assert.notEqual(second.action.id, first.action.id);
  });

  it('keeps handlers of different services apart', async () => {
    const f = await fixture();
    const other = await addService(f.store, f.clock, {
      kind: 'container',
      key: 'cache',
      name: 'cache',
    });
    const otherHook = await f.handlers.create(other.id, { name: 'docker hub' });
    const a = await f.intake.receive('hook', f.token, call());
    const b = await f.intake.receive('hook', tokenOf(otherHook.url), call());
    assert.equal(b.coalesced, false);
    assert.notEqual(a.action.id, b.action.id);
    assert.equal(b.action.serviceId, other.id);
  });
});

describe('CallIntake, handler URLs: SCALEUP handlers', () => {
  async function scaleUp(
    f: Fixture,
    maxScale?: number,
  ): Promise<{ webhook: Webhook; token: string }> {
    const created = await f.handlers.create(f.service.id, {
      name: 'autoscaler',
      operation: 'SCALEUP',
      maxScale,
    });
    return { webhook: created.webhook, token: tokenOf(created.url) };
  }

  it('turns five calls into five Pending scale actions that add 1 each, none coalesced', async () => {
    const f = await fixture();
    const hook = await scaleUp(f);

    const results = [];
    for (let i = 0; i < 5; i++) results.push(await f.intake.receive('hook', hook.token, call()));

    assert.ok(results.every((r) => !r.coalesced));
    assert.equal(new Set(results.map((r) => r.action.id)).size, 5);
    const actions = await f.store.listActions({ serviceId: f.service.id });
    assert.equal(actions.length, 5);
    for (const action of actions) {
      assert.equal(action.type, 'scale');
      assert.equal(action.state, 'Pending');
      assert.deepEqual(action.options, { add: 1 });
      assert.deepEqual(action.trigger, {
        kind: 'webhook',
        webhookId: hook.webhook.id,
        webhookName: 'autoscaler',
      });
    }
    const deliveries = await f.store.listDeliveries(hook.webhook.id, 10);
    assert.equal(deliveries.length, 5);
    assert.ok(deliveries.every((d) => d.outcome === 'accepted'));
    assert.equal(f.wakeUps, 5);
  });

  it('gives actions made together ids that their 8-character short form tells apart', async () => {
    // The CLI shows and accepts that short form; ids beginning with the time would share it.
    const f = await fixture();
    const hook = await scaleUp(f);
    const ids = [];
    for (let i = 0; i < 20; i++)
      ids.push((await f.intake.receive('hook', hook.token, call())).action.id);
    assert.equal(new Set(ids.map((id) => id.slice(0, 8))).size, 20);
  });

  it('does not coalesce five concurrent calls either', async () => {
    const f = await fixture();
    const hook = await scaleUp(f);
    await Promise.all(
      Array.from({ length: 5 }, () => f.intake.receive('hook', hook.token, call())),
    );
    const actions = await f.store.listActions({ serviceId: f.service.id });
    assert.equal(actions.filter((a) => a.type === 'scale' && a.state === 'Pending').length, 5);
  });

  it('queues a scale next to a Pending redeploy without joining it', async () => {
    const f = await fixture();
    const hook = await scaleUp(f);
    const redeploy = await f.intake.receive('hook', f.token, call());
    const scale = await f.intake.receive('hook', hook.token, call());
    assert.equal(scale.coalesced, false);
    assert.notEqual(scale.action.id, redeploy.action.id);
    assert.equal(scale.action.type, 'scale');
  });

  it('adds the count of the URL', async () => {
    const f = await fixture();
    const hook = await scaleUp(f);
    const result = await f.intake.receive('hook', hook.token, call(), '3');
    assert.deepEqual(result.action.options, { add: 3 });
    assert.deepEqual((await f.store.getAction(result.action.id))?.options, { add: 3 });
  });

  it('accepts a count up to the handler\u2019s own maximum', async () => {
    const f = await fixture();
    const hook = await scaleUp(f, 4);
    const result = await f.intake.receive('hook', hook.token, call(), '4');
    assert.deepEqual(result.action.options, { add: 4 });
    const refused = await refusal(f.intake.receive('hook', hook.token, call(), '5'));
    assert.equal(refused.code, 'bad_request');
    assert.match(refused.message, /1 to 4/);
  });

  for (const count of ['11', '0', 'three', '-1', '2.5', '', '1e1']) {
    it(`refuses the count "${count}" with a clear message and records a rejected delivery`, async () => {
      const f = await fixture();
      const hook = await scaleUp(f);

      const error = await refusal(f.intake.receive('hook', hook.token, call(), count));

      assert.equal(error.code, 'bad_request');
      assert.match(error.message, /adds 1 to 10 replicas/);
      assert.match(error.message, /\/hooks\/<token>\/N with N from 1 to 10/);
      assert.deepEqual(await f.store.listActions({ serviceId: f.service.id }), []);
      const deliveries = await f.store.listDeliveries(hook.webhook.id, 10);
      assert.equal(deliveries.length, 1);
      assert.equal(deliveries[0]?.outcome, 'rejected');
      assert.equal(deliveries[0]?.reason, error.message);
      assert.equal(deliveries[0]?.actionId, null);
      assert.equal(f.wakeUps, 0);
    });
  }

  it('quotes a bad count escaped and bounded, in the answer and the delivery', async () => {
    const f = await fixture();
    const hook = await scaleUp(f);
    const count = `1\u0000\n${'9'.repeat(300)}`;

    const error = await refusal(f.intake.receive('hook', hook.token, call(), count));

    assert.equal(error.code, 'bad_request');
    assert.match(error.message, /not "1\\u0000\\u000a9{100,}…"\.$/);
    assert.doesNotMatch(error.message, /\p{Cc}/u);
    assert.ok(error.message.length < 300, error.message);
    const [delivery] = await f.store.listDeliveries(hook.webhook.id, 10);
    assert.equal(delivery?.reason, error.message);
  });

  it('refuses a count on a REDEPLOY handler, recording a rejected delivery', async () => {
    const f = await fixture();

    const error = await refusal(f.intake.receive('hook', f.token, call(), '2'));

    assert.equal(error.code, 'bad_request');
    assert.match(error.message, /takes no count/);
    assert.deepEqual(await f.store.listActions({ serviceId: f.service.id }), []);
    const deliveries = await f.store.listDeliveries(f.webhook.id, 10);
    assert.deepEqual(
      deliveries.map((d) => d.outcome),
      ['rejected'],
    );
  });

  it('answers an unknown token with a count as any unknown token', async () => {
    const f = await fixture();
    const error = await refusal(f.intake.receive('hook', 'y'.repeat(43), call(), '2'));
    assert.equal(error.code, 'webhook_not_found');
    assert.equal(error.message, UNKNOWN_HOOK_MESSAGE);
  });

  it('answers a revoked SCALEUP handler with a bad count as unknown, recording nothing', async () => {
    const f = await fixture();
    const hook = await scaleUp(f);
    await f.handlers.revoke(f.service.id, hook.webhook.id);
    const error = await refusal(f.intake.receive('hook', hook.token, call(), 'zzz'));
    assert.equal(error.code, 'webhook_not_found');
    assert.deepEqual(await f.store.listDeliveries(hook.webhook.id, 10), []);
  });
});

describe('CallIntake, handler URLs: a handler with a rate limit', () => {
  it('takes rateLimitPerMinute calls, then refuses with a retry time and records the refusal', async () => {
    const f = await fixture();
    const limited = await f.handlers.create(f.service.id, { name: 'ci', rateLimitPerMinute: 2 });
    assert.equal(limited.webhook.rateLimitPerMinute, 2);
    const token = tokenOf(limited.url);

    await f.intake.receive('hook', token, call());
    await f.intake.receive('hook', token, call());
    const error = await refusal(f.intake.receive('hook', token, call()));
    assert.ok(error instanceof RateLimitedError);
    assert.equal(error.code, 'rate_limited');
    assert.equal(error.retryAfterSeconds, 30, 'one call back every 60/2 s');
    assert.match(error.message, /at most 2 calls a minute; retry after 30 s/);

    const deliveries = await f.store.listDeliveries(limited.webhook.id, 10);
    assert.deepEqual(deliveries.map((d) => `${d.outcome}: ${d.reason}`).sort(), [
      'accepted: null',
      'coalesced: null',
      'rejected: rate limited: more than 2 calls a minute',
    ]);
    // Other handlers, limited or not, are counted apart.
    await f.intake.receive('hook', f.token, call());

    f.clock.advance(30_000);
    await f.intake.receive('hook', token, call());
    await refusal(f.intake.receive('hook', token, call()));
  });

  it('counts only calls that pass the signature check: forged calls do not use up the limit', async () => {
    const f = await fixture();
    const signed = await f.handlers.create(f.service.id, {
      name: 'signed',
      signed: true,
      rateLimitPerMinute: 1,
    });
    const token = tokenOf(signed.url);
    for (let i = 0; i < 3; i++) {
      assert.equal(
        (await refusal(f.intake.receive('hook', token, call()))).code,
        'signature_invalid',
      );
    }
    const body = Buffer.from('{"ref":"refs/heads/main"}');
    const headers = () =>
      standardWebhooksHeaders(signed.signingSecret as string, body, {
        timestamp: Math.floor(f.clock.now().getTime() / 1000),
      });
    await f.intake.receive('hook', token, call({ body, headers: headers() }));
    const second = await refusal(
      f.intake.receive('hook', token, call({ body, headers: headers() })),
    );
    assert.equal(second.code, 'rate_limited');
  });

  it('refuses a limit that is not a whole number from 1 to 100000', async () => {
    const f = await fixture();
    for (const rateLimitPerMinute of [0, -1, 1.5, 100_001]) {
      await assert.rejects(
        f.handlers.create(f.service.id, { name: `bad ${rateLimitPerMinute}`, rateLimitPerMinute }),
        /rateLimitPerMinute is a whole number from 1 to 100000/,
      );
    }
  });
});
