/**
 * The call path's decisions on handler URLs about what a call carries: a registry's payload that
 * names the service's image redeploys it, one that names another image (or
 * the digest it already runs) is ignored with a reason, the same delivery
 * twice redeploys once, signed handlers refuse unsigned calls, the body
 * reaches the containers when asked (at most 64 KiB), and SCALEUP handlers do
 * not look at payloads. Real SQLite store, no engine.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CallIntake } from '../../src/domain/calls/call-intake.js';
import {
  TRIGGER_BODY_LIMIT,
  type HookOutcome as CallOutcome,
} from '../../src/domain/calls/hook-endpoint.js';
import type { IncomingCall } from '../../src/domain/calls/incoming-call.js';
import type { Store } from '../../src/domain/ports/store.js';
import type { ServiceRecord } from '../../src/domain/services/service.js';
import type { WebhookHandlers } from '../../src/domain/webhooks/webhook-handlers.js';
import type { Webhook } from '../../src/domain/webhooks/webhook.js';
import { FakeClock } from '../support/fake-engine.js';
import {
  REGISTRY_EVENTS_TYPE,
  dockerHubExamplePayload,
  dockerHubPayload,
  envelope,
  fakeDigest,
  gitHubSignature,
  pushEvents,
  registryEvent,
  standardWebhooksHeaders,
} from '../support/registry-payloads.js';
import { CALLER_TEXT_LIMIT } from '../../src/domain/caller-text.js';
import { refusal } from '../support/refusal.js';
import {
  addService,
  hoistItself,
  hookToken,
  newWebhookHandlers,
  openStores,
} from '../support/unit-fixture.js';

const REGISTRY = '127.0.0.1:5000';
const IMAGE = `${REGISTRY}/shop/app:latest`;
const RUNNING = fakeDigest('running');
const PUSHED = fakeDigest('pushed');

interface Fixture {
  store: Store;
  clock: FakeClock;
  intake: CallIntake;
  handlers: WebhookHandlers;
  service: ServiceRecord;
  wakeUps: string[];
  handler(options?: {
    name?: string;
    operation?: 'REDEPLOY' | 'SCALEUP';
    signed?: boolean;
    signatureScheme?: 'any' | 'standard-webhooks';
    passBody?: boolean;
  }): Promise<{ webhook: Webhook; token: string; signingSecret?: string }>;
}

async function fixture(
  image: { imageRef: string | null; digest: string | null } = {
    imageRef: IMAGE,
    digest: RUNNING,
  },
): Promise<Fixture> {
  // The call path runs on the call store, as in the server.
  const { store, calls } = await openStores();
  const clock = new FakeClock();
  const handlers = newWebhookHandlers(store, clock);
  const service = await addService(store, clock, {
    kind: 'container',
    key: 'shop-app',
    name: 'shop-app',
    ...image,
  });
  const wakeUps: string[] = [];
  let n = 0;
  return {
    store,
    clock,
    handlers,
    service,
    wakeUps,
    intake: new CallIntake({
      store: calls,
      clock,
      engineId: 'local',
      itself: hoistItself(store, clock),
      onEnqueued: (a) => wakeUps.push(a.id),
    }),
    async handler(options = {}) {
      const created = await handlers.create(service.id, {
        name: options.name ?? `hook ${++n}`,
        ...(options.operation ? { operation: options.operation } : {}),
        ...(options.signed ? { signed: true } : {}),
        ...(options.signatureScheme ? { signatureScheme: options.signatureScheme } : {}),
        ...(options.passBody ? { passBody: true } : {}),
      });
      return {
        webhook: created.webhook,
        token: hookToken(created.url),
        ...(created.signingSecret ? { signingSecret: created.signingSecret } : {}),
      };
    },
  };
}

function jsonCall(body: unknown, overrides: Partial<IncomingCall> = {}): IncomingCall {
  return {
    remoteAddress: '203.0.113.7',
    userAgent: 'Go-http-client/1.1',
    contentType: 'application/json',
    body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
    headers: {},
    ...overrides,
  };
}

function registryCall(body: unknown, headers: Record<string, string> = {}): IncomingCall {
  return jsonCall(body, {
    contentType: REGISTRY_EVENTS_TYPE,
    userAgent: 'Go-http-client/1.1',
    headers,
  });
}

function enqueued(outcome: CallOutcome): Extract<CallOutcome, { kind: 'enqueued' }> {
  assert.equal(outcome.kind, 'enqueued', JSON.stringify(outcome));
  return outcome as Extract<CallOutcome, { kind: 'enqueued' }>;
}

function ignored(outcome: CallOutcome): string {
  assert.equal(outcome.kind, 'ignored', JSON.stringify(outcome));
  return (outcome as Extract<CallOutcome, { kind: 'ignored' }>).reason;
}

function duplicate(outcome: CallOutcome): Extract<CallOutcome, { kind: 'duplicate' }> {
  assert.equal(outcome.kind, 'duplicate', JSON.stringify(outcome));
  return outcome as Extract<CallOutcome, { kind: 'duplicate' }>;
}

const appLatest = (digest = PUSHED) =>
  envelope(pushEvents({ host: REGISTRY, repository: 'shop/app', tag: 'latest', digest }));

describe('CallIntake, handler URLs: payloads that name an image', () => {
  it("ignores Docker Hub's documented example payload (another repository), recording why", async () => {
    const f = await fixture();
    const hook = await f.handler({ name: 'docker hub' });

    const reason = ignored(
      await f.intake.receive('hook', hook.token, jsonCall(dockerHubExamplePayload())),
    );

    assert.equal(
      reason,
      `pushed docker.io/svendowideit/testhook:latest; this service runs ${REGISTRY}/shop/app:latest`,
    );
    assert.deepEqual(await f.store.listActions({ serviceId: f.service.id }), []);
    assert.deepEqual(f.wakeUps, []);
    const [delivery, ...rest] = await f.store.listDeliveries(hook.webhook.id, 10);
    assert.equal(rest.length, 0);
    assert.equal(delivery?.outcome, 'ignored');
    assert.equal(delivery?.reason, reason);
    assert.equal(delivery?.payloadKind, 'dockerhub');
    assert.equal(delivery?.pushed, 'docker.io/svendowideit/testhook:latest');
    assert.equal(delivery?.actionId, null);
    assert.equal(delivery?.callbackUrl, null, 'an ignored push is never called back');
    assert.equal((await f.store.getWebhook(hook.webhook.id))?.callCount, 1);
  });

  it('redeploys for a Docker Hub push of the repository and tag the service runs, keeping the callback URL', async () => {
    const f = await fixture({ imageRef: 'hoisttest/app', digest: RUNNING });
    const hook = await f.handler();
    const payload = dockerHubPayload('hoisttest/app', 'latest');

    const result = enqueued(await f.intake.receive('hook', hook.token, jsonCall(payload)));

    assert.equal(result.coalesced, false);
    assert.deepEqual(f.wakeUps, [result.action.id]);
    const [delivery] = await f.store.listDeliveries(hook.webhook.id, 10);
    assert.equal(delivery?.outcome, 'accepted');
    assert.equal(delivery?.payloadKind, 'dockerhub');
    assert.equal(delivery?.pushed, 'docker.io/hoisttest/app:latest');
    assert.equal(delivery?.digest, null, 'Docker Hub names no digest');
    assert.equal(delivery?.callbackUrl, payload.callback_url);
    assert.equal(delivery?.deliveryKey, `dockerhub-callback:${String(payload.callback_url)}`);
  });

  it('ignores a Docker Hub push of another tag of the same repository', async () => {
    const f = await fixture({ imageRef: 'docker.io/hoisttest/app:latest', digest: null });
    const hook = await f.handler();
    const reason = ignored(
      await f.intake.receive(
        'hook',
        hook.token,
        jsonCall(dockerHubPayload('hoisttest/app', 'dev')),
      ),
    );
    assert.equal(
      reason,
      'pushed docker.io/hoisttest/app:dev; this service runs docker.io/hoisttest/app:latest',
    );
  });

  it('names a long repository a payload chose bounded, and never copies control characters into a reason', async () => {
    const f = await fixture();
    const hook = await f.handler();
    // 255 characters: the longest path Docker allows, so the push is read and named.
    const long = `hoisttest/${'a'.repeat(245)}`;
    const reason = ignored(
      await f.intake.receive('hook', hook.token, jsonCall(dockerHubPayload(long, 'latest'))),
    );
    const named = /^pushed (\S+); this service runs /.exec(reason)?.[1] ?? '';
    assert.equal(named.length, CALLER_TEXT_LIMIT, reason);
    assert.ok(named.startsWith('docker.io/hoisttest/aaa') && named.endsWith('a…'), named);
    assert.ok(!reason.includes(long), 'the whole name is not copied');

    const hostile = ignored(
      await f.intake.receive(
        'hook',
        hook.token,
        jsonCall(
          dockerHubPayload('hoisttest/app\u0000\n\u202eevil', `latest${'\u0007'.repeat(3)}`),
        ),
      ),
    );
    assert.doesNotMatch(hostile, /[\p{Cc}\p{Cf}]/u);
    assert.ok(hostile.length <= 200, hostile);
    const deliveries = await f.store.listDeliveries(hook.webhook.id, 10);
    assert.deepEqual(
      deliveries.map((d) => d.reason),
      [hostile, reason],
    );
  });

  it('redeploys for a registry notification of its repo:tag, whatever the blob events around it', async () => {
    const f = await fixture();
    const hook = await f.handler();

    const result = enqueued(await f.intake.receive('hook', hook.token, registryCall(appLatest())));

    assert.equal(result.action.type, 'redeploy');
    const [delivery] = await f.store.listDeliveries(hook.webhook.id, 10);
    assert.equal(delivery?.payloadKind, 'registry');
    assert.equal(delivery?.contentType, REGISTRY_EVENTS_TYPE);
    assert.equal(delivery?.pushed, `${REGISTRY}/shop/app:latest`);
    assert.equal(delivery?.digest, PUSHED);
    assert.equal(delivery?.outcome, 'accepted');
    assert.match(delivery?.deliveryKey ?? '', /^registry-event:/);
  });

  it('ignores a registry push of another tag, and of another repository', async () => {
    const f = await fixture();
    const hook = await f.handler();
    const dev = envelope(
      pushEvents({ host: REGISTRY, repository: 'shop/app', tag: 'dev', digest: PUSHED }),
    );
    const other = envelope(
      pushEvents({ host: REGISTRY, repository: 'shop/other', tag: 'latest', digest: PUSHED }),
    );
    const elsewhere = envelope(
      pushEvents({
        host: 'registry.example.com',
        repository: 'shop/app',
        tag: 'latest',
        digest: PUSHED,
      }),
    );

    assert.equal(
      ignored(await f.intake.receive('hook', hook.token, registryCall(dev))),
      `pushed ${REGISTRY}/shop/app:dev; this service runs ${REGISTRY}/shop/app:latest`,
    );
    assert.equal(
      ignored(await f.intake.receive('hook', hook.token, registryCall(other))),
      `pushed ${REGISTRY}/shop/other:latest; this service runs ${REGISTRY}/shop/app:latest`,
    );
    assert.equal(
      ignored(await f.intake.receive('hook', hook.token, registryCall(elsewhere))),
      `pushed registry.example.com/shop/app:latest; this service runs ${REGISTRY}/shop/app:latest`,
    );
    assert.deepEqual(await f.store.listActions({ serviceId: f.service.id }), []);
    const deliveries = await f.store.listDeliveries(hook.webhook.id, 10);
    assert.deepEqual(
      deliveries.map((d) => d.outcome),
      ['ignored', 'ignored', 'ignored'],
    );
  });

  it('ignores blob pushes and pulls: no tag was pushed', async () => {
    const f = await fixture();
    const hook = await f.handler();
    const blobsAndPulls = envelope([
      registryEvent({
        host: REGISTRY,
        repository: 'shop/app',
        mediaType: 'application/octet-stream',
      }),
      registryEvent({ host: REGISTRY, repository: 'shop/app', action: 'pull', tag: 'latest' }),
    ]);

    const reason = ignored(await f.intake.receive('hook', hook.token, registryCall(blobsAndPulls)));

    assert.match(reason, /^no tag was pushed \(2 blob, pull or untagged manifest events\)$/);
    assert.deepEqual(await f.store.listActions({ serviceId: f.service.id }), []);
  });

  it('ignores a push of the digest the service already runs, saying so', async () => {
    const f = await fixture();
    const hook = await f.handler();

    const reason = ignored(
      await f.intake.receive('hook', hook.token, registryCall(appLatest(RUNNING))),
    );

    assert.equal(reason, `already running ${RUNNING}`);
    const [delivery] = await f.store.listDeliveries(hook.webhook.id, 10);
    assert.equal(delivery?.outcome, 'ignored');
    assert.equal(delivery?.digest, RUNNING);
    assert.deepEqual(await f.store.listActions({ serviceId: f.service.id }), []);
  });

  it('ignores any push for a service whose image is unknown, and takes a plain call as a trigger', async () => {
    const f = await fixture({ imageRef: null, digest: null });
    const hook = await f.handler();

    const reason = ignored(await f.intake.receive('hook', hook.token, registryCall(appLatest())));
    assert.match(reason, /this service runs no known image/);
    enqueued(await f.intake.receive('hook', hook.token, jsonCall('')));
  });

  it('takes other bodies as plain triggers: empty, form, other JSON, invalid JSON, binary', async () => {
    const calls: [IncomingCall, string][] = [
      [jsonCall('', { contentType: null, body: null }), 'empty'],
      [jsonCall('a=1&b=2', { contentType: 'application/x-www-form-urlencoded' }), 'form'],
      [jsonCall({ ref: 'refs/heads/main', events: 'not a list' }), 'json'],
      [jsonCall('{"push_data": ', {}), 'json'],
      [
        jsonCall('', { contentType: 'application/octet-stream', body: Buffer.from([0xff, 0]) }),
        'other',
      ],
    ];
    for (const [incoming, kind] of calls) {
      const f = await fixture();
      const hook = await f.handler();
      enqueued(await f.intake.receive('hook', hook.token, incoming));
      const [delivery] = await f.store.listDeliveries(hook.webhook.id, 1);
      assert.equal(delivery?.payloadKind, kind);
      assert.equal(delivery?.pushed, null);
    }
  });
});

describe('CallIntake, handler URLs: the same delivery twice', () => {
  it('redeploys once for the same registry envelope sent twice; the repeat answers with the action', async () => {
    const f = await fixture();
    const hook = await f.handler();
    const body = appLatest();

    const first = enqueued(await f.intake.receive('hook', hook.token, registryCall(body)));
    f.clock.advance(1000);
    const repeat = duplicate(await f.intake.receive('hook', hook.token, registryCall(body)));

    assert.equal(repeat.action?.id, first.action.id);
    assert.equal((await f.store.listActions({ serviceId: f.service.id })).length, 1);
    assert.deepEqual(f.wakeUps, [first.action.id]);
    const [second, original] = await f.store.listDeliveries(hook.webhook.id, 10);
    assert.equal(original?.outcome, 'accepted');
    assert.equal(second?.outcome, 'ignored');
    assert.equal(second?.reason, 'a repeat of the delivery received at 2025-01-01T00:00:00.000Z');
    assert.equal(second?.deliveryKey, null, 'the key stays with the first delivery');
    assert.equal(second?.actionId, null);
  });

  it('stays a duplicate after the first action has ended: a retried delivery never redeploys again', async () => {
    const f = await fixture({ imageRef: 'shop/app:latest', digest: null });
    const hook = await f.handler();
    const payload = dockerHubPayload('shop/app', 'latest');

    const first = enqueued(await f.intake.receive('hook', hook.token, jsonCall(payload)));
    await f.store.claimNextAction(f.clock.now().toISOString());
    await f.store.updateAction(first.action.id, {
      state: 'Success',
      endedAt: f.clock.now().toISOString(),
    });
    f.clock.advance(60_000);
    const repeat = duplicate(await f.intake.receive('hook', hook.token, jsonCall(payload)));

    assert.equal(repeat.action?.id, first.action.id);
    assert.equal(repeat.action?.state, 'Success');
    assert.equal((await f.store.listActions({ serviceId: f.service.id })).length, 1);
    const [again] = await f.store.listDeliveries(hook.webhook.id, 1);
    assert.equal(again?.callbackUrl, null, 'only the first delivery is called back');
  });

  it('recognizes webhook-id and X-GitHub-Delivery as delivery ids on plain calls', async () => {
    for (const header of ['webhook-id', 'X-GitHub-Delivery']) {
      const f = await fixture();
      const hook = await f.handler();
      const headers = { [header]: 'delivery-72d3162e' };

      const first = enqueued(
        await f.intake.receive('hook', hook.token, jsonCall('{}', { headers })),
      );
      const repeat = duplicate(
        await f.intake.receive('hook', hook.token, jsonCall('{}', { headers })),
      );
      const other = enqueued(
        await f.intake.receive(
          'hook',
          hook.token,
          jsonCall('{}', { headers: { [header]: 'delivery-other' } }),
        ),
      );

      assert.equal(repeat.action?.id, first.action.id, header);
      assert.equal(other.coalesced, true, 'another delivery joins the Pending redeploy');
      assert.equal(other.action.id, first.action.id);
      assert.equal((await f.store.listActions({ serviceId: f.service.id })).length, 1);
    }
  });

  it('a newer push joining a waiting redeploy makes its digest the one expected', async () => {
    const f = await fixture();
    const hook = await f.handler();
    const v2 = fakeDigest('v2');
    const v3 = fakeDigest('v3');
    const first = enqueued(await f.intake.receive('hook', hook.token, registryCall(appLatest(v2))));
    assert.equal(first.action.options.expectedDigest, v2);

    const second = enqueued(
      await f.intake.receive('hook', hook.token, registryCall(appLatest(v3))),
    );
    assert.equal(second.coalesced, true);
    assert.equal(second.action.id, first.action.id);
    assert.equal(second.action.options.expectedDigest, v3, 'the answer shows the newest push');
    const stored = await f.store.getAction(first.action.id);
    assert.equal(stored?.options.expectedDigest, v3, 'the waiting redeploy pulls the newest push');
    assert.equal(stored?.options.reuseVolumes, true, 'its other options stay');

    // A plain call names no digest: the newest push's expectation stays.
    const third = enqueued(await f.intake.receive('hook', hook.token, jsonCall('{}')));
    assert.equal(third.coalesced, true);
    assert.equal((await f.store.getAction(first.action.id))?.options.expectedDigest, v3);
  });

  it('without delivery ids, identical calls are separate deliveries that coalesce into one redeploy', async () => {
    const f = await fixture();
    const hook = await f.handler();
    const first = enqueued(await f.intake.receive('hook', hook.token, jsonCall('{}')));
    f.clock.advance(1000);
    const second = enqueued(await f.intake.receive('hook', hook.token, jsonCall('{}')));
    assert.equal(second.coalesced, true);
    assert.equal(second.action.id, first.action.id);
    const deliveries = await f.store.listDeliveries(hook.webhook.id, 10);
    assert.deepEqual(
      deliveries.map((d) => d.outcome),
      ['coalesced', 'accepted'],
    );
  });

  it('answers a repeat of an ignored delivery as a duplicate with no action', async () => {
    const f = await fixture();
    const hook = await f.handler();
    const body = dockerHubExamplePayload();
    ignored(await f.intake.receive('hook', hook.token, jsonCall(body)));
    const repeat = duplicate(await f.intake.receive('hook', hook.token, jsonCall(body)));
    assert.equal(repeat.action, null);
  });

  it('turns 20 concurrent copies of one delivery into one action, one accepted delivery and 19 repeats', async () => {
    const f = await fixture();
    const hook = await f.handler();
    const body = appLatest();

    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () => f.intake.receive('hook', hook.token, registryCall(body))),
    );

    const actions = await f.store.listActions({ serviceId: f.service.id });
    assert.equal(actions.length, 1);
    assert.equal(outcomes.filter((o) => o.kind === 'enqueued').length, 1);
    const repeats = outcomes.filter((o) => o.kind === 'duplicate');
    assert.equal(repeats.length, 19);
    assert.ok(repeats.every((o) => o.action?.id === actions[0]?.id));
    assert.deepEqual(f.wakeUps, [actions[0]?.id]);
    const deliveries = await f.store.listDeliveries(hook.webhook.id, 100);
    assert.equal(deliveries.filter((d) => d.outcome === 'accepted').length, 1);
    assert.equal(deliveries.filter((d) => d.outcome === 'ignored').length, 19);
    assert.equal((await f.store.getWebhook(hook.webhook.id))?.callCount, 20);
  });

  it('keeps delivery ids per handler: the same envelope to two handlers of one service is no repeat', async () => {
    const f = await fixture();
    const a = await f.handler();
    const b = await f.handler();
    const body = appLatest();
    const first = enqueued(await f.intake.receive('hook', a.token, registryCall(body)));
    const second = enqueued(await f.intake.receive('hook', b.token, registryCall(body)));
    assert.equal(second.coalesced, true);
    assert.equal(second.action.id, first.action.id);
  });
});

describe('CallIntake, handler URLs: signed handlers', () => {
  it('refuses an unsigned call with signature_invalid and records a rejected delivery', async () => {
    const f = await fixture();
    const hook = await f.handler({ signed: true });
    assert.match(hook.signingSecret ?? '', /^whsec_[A-Za-z0-9+/]{43}=$/);

    const error = await refusal(f.intake.receive('hook', hook.token, registryCall(appLatest())));

    assert.equal(error.code, 'signature_invalid');
    assert.match(error.message, /This handler needs a signed call: the call is not signed/);
    assert.deepEqual(await f.store.listActions({ serviceId: f.service.id }), []);
    assert.deepEqual(f.wakeUps, []);
    const [delivery] = await f.store.listDeliveries(hook.webhook.id, 10);
    assert.equal(delivery?.outcome, 'rejected');
    assert.match(delivery?.reason ?? '', /^signature: the call is not signed/);
    assert.equal(delivery?.payloadKind, 'registry');
    assert.equal(delivery?.deliveryKey, null);
  });

  it('accepts a Standard Webhooks signature and a GitHub X-Hub-Signature-256', async () => {
    const f = await fixture();
    const hook = await f.handler({ signed: true });
    const secret = hook.signingSecret ?? '';
    const body = '{"ref":"refs/heads/main"}';
    const now = Math.floor(f.clock.now().getTime() / 1000);

    const standard = enqueued(
      await f.intake.receive(
        'hook',
        hook.token,
        jsonCall(body, { headers: standardWebhooksHeaders(secret, body, { timestamp: now }) }),
      ),
    );
    f.clock.advance(1000);
    const github = enqueued(
      await f.intake.receive(
        'hook',
        hook.token,
        jsonCall(body, { headers: { 'x-hub-signature-256': gitHubSignature(secret, body) } }),
      ),
    );
    assert.equal(github.action.id, standard.action.id);
    const deliveries = await f.store.listDeliveries(hook.webhook.id, 10);
    assert.deepEqual(
      deliveries.map((d) => d.outcome),
      ['coalesced', 'accepted'],
    );
  });

  it('refuses a wrong signature, a stale timestamp and a signature of another body, each recorded', async () => {
    const f = await fixture();
    const hook = await f.handler({ signed: true });
    const secret = hook.signingSecret ?? '';
    const body = '{"a":1}';
    const now = Math.floor(f.clock.now().getTime() / 1000);
    const wrongKey = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

    const cases: [Record<string, string>, RegExp][] = [
      [standardWebhooksHeaders(wrongKey, body, { timestamp: now }), /no v1 signature/],
      [standardWebhooksHeaders(secret, body, { timestamp: now - 301 }), /301 s old/],
      [standardWebhooksHeaders(secret, '{"a":2}', { timestamp: now }), /no v1 signature/],
      [{ 'x-hub-signature-256': gitHubSignature('another secret', body) }, /does not match/],
    ];
    for (const [headers, reason] of cases) {
      const error = await refusal(
        f.intake.receive('hook', hook.token, jsonCall(body, { headers })),
      );
      assert.equal(error.code, 'signature_invalid');
      assert.match(error.message, reason);
    }
    assert.deepEqual(await f.store.listActions({ serviceId: f.service.id }), []);
    const deliveries = await f.store.listDeliveries(hook.webhook.id, 10);
    assert.equal(deliveries.length, cases.length);
    assert.ok(
      deliveries.every((d) => d.outcome === 'rejected' && d.reason?.startsWith('signature: ')),
    );
  });

  it('does not let a refused call claim its webhook-id: the properly signed delivery is accepted after it', async () => {
    const f = await fixture();
    const hook = await f.handler({ signed: true });
    const body = '{}';
    const now = Math.floor(f.clock.now().getTime() / 1000);
    const forged = standardWebhooksHeaders(
      `whsec_${Buffer.alloc(32, 1).toString('base64')}`,
      body,
      {
        id: 'msg_1',
        timestamp: now,
      },
    );
    const genuine = standardWebhooksHeaders(hook.signingSecret ?? '', body, {
      id: 'msg_1',
      timestamp: now,
    });

    await refusal(f.intake.receive('hook', hook.token, jsonCall(body, { headers: forged })));
    const accepted = enqueued(
      await f.intake.receive('hook', hook.token, jsonCall(body, { headers: genuine })),
    );
    const replay = duplicate(
      await f.intake.receive('hook', hook.token, jsonCall(body, { headers: genuine })),
    );
    assert.equal(replay.action?.id, accepted.action.id, 'a replayed signed call redeploys once');
  });

  it('a Standard Webhooks-only handler refuses a GitHub-signed call, and takes a Standard Webhooks one', async () => {
    const f = await fixture();
    const hook = await f.handler({ signed: true, signatureScheme: 'standard-webhooks' });
    assert.equal(hook.webhook.signatureScheme, 'standard-webhooks');
    const secret = hook.signingSecret ?? '';
    const body = '{"ref":"refs/heads/main"}';
    const github = { 'x-hub-signature-256': gitHubSignature(secret, body) };

    const error = await refusal(
      f.intake.receive('hook', hook.token, jsonCall(body, { headers: github })),
    );
    assert.equal(error.code, 'signature_invalid');
    assert.match(error.message, /this handler accepts Standard Webhooks signatures only/);
    assert.match(error.message, /Sign the body with the handler's secret \(Standard Webhooks\)\./);
    assert.deepEqual(await f.store.listActions({ serviceId: f.service.id }), []);

    const now = Math.floor(f.clock.now().getTime() / 1000);
    const standard = standardWebhooksHeaders(secret, body, { timestamp: now });
    enqueued(
      await f.intake.receive(
        'hook',
        hook.token,
        jsonCall(body, {
          headers: { ...standard, 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` },
        }),
      ),
    );
    const deliveries = await f.store.listDeliveries(hook.webhook.id, 10);
    assert.deepEqual(
      deliveries.map((d) => d.outcome),
      ['accepted', 'rejected'],
    );
    assert.match(
      deliveries[1]?.reason ?? '',
      /^signature: the call carries only a GitHub signature, which has no timestamp/,
    );
  });

  it('checks nothing on unsigned handlers, whatever signature headers come', async () => {
    const f = await fixture();
    const hook = await f.handler();
    enqueued(
      await f.intake.receive(
        'hook',
        hook.token,
        jsonCall('{}', { headers: { 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` } }),
      ),
    );
  });
});

describe('CallIntake, handler URLs: the body to the containers (passBody)', () => {
  it('gives the body to the redeploy when the handler asks for it, and only then', async () => {
    const f = await fixture();
    const passing = await f.handler({ passBody: true });
    const result = enqueued(
      await f.intake.receive('hook', passing.token, jsonCall('{"build": 42}')),
    );
    assert.deepEqual(result.action.options, { reuseVolumes: true, triggerBody: '{"build": 42}' });
    assert.deepEqual(
      (await f.store.getAction(result.action.id))?.options.triggerBody,
      '{"build": 42}',
    );

    const g = await fixture();
    const plain = await g.handler();
    const other = enqueued(await g.intake.receive('hook', plain.token, jsonCall('{"build": 42}')));
    assert.deepEqual(other.action.options, { reuseVolumes: true });

    const h = await fixture();
    const empty = await h.handler({ passBody: true });
    const none = enqueued(
      await h.intake.receive('hook', empty.token, jsonCall('', { body: null })),
    );
    assert.equal(none.action.options.triggerBody, undefined);
  });

  it('refuses a body with a NUL byte, which no environment variable can hold, and queues nothing', async () => {
    const f = await fixture();
    const hook = await f.handler({ passBody: true });
    const body = Buffer.from('{"build": 42}\u0000tail');

    const error = await refusal(
      f.intake.receive('hook', hook.token, jsonCall('', { contentType: 'text/plain', body })),
    );

    assert.equal(error.code, 'bad_request');
    assert.match(error.message, /HOIST_TRIGGER_BODY.*NUL/);
    assert.deepEqual(await f.store.listActions({ serviceId: f.service.id }), []);
    assert.deepEqual(f.wakeUps, []);
    const [delivery] = await f.store.listDeliveries(hook.webhook.id, 10);
    assert.equal(delivery?.outcome, 'rejected');
    assert.equal(
      delivery?.reason,
      'body: it holds a NUL byte, which HOIST_TRIGGER_BODY cannot carry',
    );
    assert.equal(delivery?.actionId, null);

    // A handler that does not pass the body takes it.
    const plain = await f.handler();
    enqueued(
      await f.intake.receive(
        'hook',
        plain.token,
        jsonCall('', { contentType: 'text/plain', body }),
      ),
    );
  });

  it('passes at most 64 KiB of the body', async () => {
    const f = await fixture();
    const hook = await f.handler({ passBody: true });
    const body = Buffer.alloc(TRIGGER_BODY_LIMIT + 1000, 'x');

    const result = enqueued(
      await f.intake.receive('hook', hook.token, jsonCall('', { contentType: 'text/plain', body })),
    );

    assert.equal(TRIGGER_BODY_LIMIT, 64 * 1024);
    assert.equal(result.action.options.triggerBody, 'x'.repeat(TRIGGER_BODY_LIMIT));
  });

  it('cuts a multi-byte body at a character boundary, never past 64 KiB', async () => {
    const f = await fixture();
    const hook = await f.handler({ passBody: true });
    // 'é' is two bytes: 64 KiB - 1 bytes of 'a' leave the limit in the middle of one.
    const body = Buffer.concat([
      Buffer.alloc(TRIGGER_BODY_LIMIT - 1, 'a'),
      Buffer.from('é'.repeat(10)),
    ]);

    const result = enqueued(
      await f.intake.receive('hook', hook.token, jsonCall('', { contentType: 'text/plain', body })),
    );

    const passed = result.action.options.triggerBody ?? '';
    assert.ok(
      Buffer.byteLength(passed) <= TRIGGER_BODY_LIMIT,
      `${Buffer.byteLength(passed)} bytes passed`,
    );
    assert.equal(passed, 'a'.repeat(TRIGGER_BODY_LIMIT - 1));
    assert.ok(!passed.includes('\uFFFD'));
  });
});

describe('CallIntake, handler URLs: SCALEUP handlers and payloads', () => {
  it('scales whatever repository a payload names: SCALEUP does not match payloads', async () => {
    const f = await fixture();
    const hook = await f.handler({ operation: 'SCALEUP' });

    const hub = enqueued(
      await f.intake.receive('hook', hook.token, jsonCall(dockerHubExamplePayload())),
    );
    const sameDigest = enqueued(
      await f.intake.receive('hook', hook.token, registryCall(appLatest(RUNNING)), '2'),
    );

    assert.equal(hub.action.type, 'scale');
    assert.deepEqual(hub.action.options, { add: 1 });
    assert.deepEqual(sameDigest.action.options, { add: 2 });
    assert.equal((await f.store.listActions({ serviceId: f.service.id })).length, 2);
    const deliveries = await f.store.listDeliveries(hook.webhook.id, 10);
    assert.ok(deliveries.every((d) => d.outcome === 'accepted'));
  });

  it('still recognizes a repeated SCALEUP delivery: it adds replicas once', async () => {
    const f = await fixture();
    const hook = await f.handler({ operation: 'SCALEUP' });
    const headers = { 'webhook-id': 'scale-1' };
    const first = enqueued(await f.intake.receive('hook', hook.token, jsonCall('{}', { headers })));
    const repeat = duplicate(
      await f.intake.receive('hook', hook.token, jsonCall('{}', { headers })),
    );
    assert.equal(repeat.action?.id, first.action.id);
    assert.equal((await f.store.listActions({ serviceId: f.service.id })).length, 1);
  });
});
