/**
 * Docker Hub's callback: when an action ends, each delivery that brought a
 * callback_url (the one that queued the action and those that joined it) is
 * told the outcome once, in Docker Hub's words, and the result is kept with
 * the delivery. Real SQLite store and CallIntake; a fake CallbackSender.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ActionCallbacks } from '../../src/domain/actions/action-callbacks.js';
import type { Action, ActionState } from '../../src/domain/actions/action.js';
import type { Logger } from '../../src/domain/logger.js';
import type { CallbackResult, CallbackSender } from '../../src/domain/ports/callback-sender.js';
import { CallIntake } from '../../src/domain/calls/call-intake.js';
import type { IncomingCall } from '../../src/domain/calls/incoming-call.js';
import { FakeClock } from '../support/fake-engine.js';
import { dockerHubPayload, fakeDigest } from '../support/registry-payloads.js';
import {
  PUBLIC_URL,
  addService,
  hoistItself,
  hookToken,
  newWebhookHandlers,
  openStores,
} from '../support/unit-fixture.js';

const NEW_DIGEST = fakeDigest('new');

class FakeSender implements CallbackSender {
  readonly sent: { url: string; body: Record<string, unknown> }[] = [];
  constructor(
    private readonly answer: (url: string) => CallbackResult = () => ({ ok: true, status: 200 }),
  ) {}
  async send(url: string, body: object): Promise<CallbackResult> {
    this.sent.push({ url, body: body as Record<string, unknown> });
    await new Promise((resolve) => setImmediate(resolve));
    return this.answer(url);
  }
}

class MemoryLogger implements Logger {
  readonly lines: { level: string; obj: object; msg?: string }[] = [];
  info(obj: object, msg?: string) {
    this.lines.push({ level: 'info', obj, msg });
  }
  warn(obj: object, msg?: string) {
    this.lines.push({ level: 'warn', obj, msg });
  }
  error(obj: object, msg?: string) {
    this.lines.push({ level: 'error', obj, msg });
  }
}

async function fixture<S extends CallbackSender = FakeSender>(
  sender: S = new FakeSender() as CallbackSender as S,
) {
  // The call path runs on the call store, as in the server.
  const { store, calls } = await openStores();
  const clock = new FakeClock();
  const handlers = newWebhookHandlers(store, clock);
  const service = await addService(store, clock, {
    kind: 'container',
    key: 'app',
    name: 'app',
    imageRef: 'hoisttest/app:latest',
    digest: fakeDigest('old'),
  });
  const created = await handlers.create(service.id, { name: 'docker hub' });
  const token = hookToken(created.url);
  const intake = new CallIntake({
    store: calls,
    clock,
    engineId: 'local',
    itself: hoistItself(store, clock),
    onEnqueued: () => undefined,
  });
  const logger = new MemoryLogger();
  const callbacks = new ActionCallbacks({
    store,
    sender,
    logger,
    actionUrl: (id) => `${PUBLIC_URL}/api/v1/actions/${id}`,
  });

  /** A Docker Hub push call; returns the action it queued or joined. */
  const hubCall = async (callbackUrl: string | null): Promise<string> => {
    const incoming: IncomingCall = {
      remoteAddress: '198.51.100.1',
      userAgent: 'python-requests/2.31',
      contentType: 'application/json',
      body: Buffer.from(JSON.stringify(dockerHubPayload('hoisttest/app', 'latest', callbackUrl))),
      headers: {},
    };
    const outcome = await intake.receive('hook', token, incoming);
    if (outcome.kind === 'enqueued') return outcome.action.id;
    if (outcome.kind === 'duplicate' && outcome.action) return outcome.action.id;
    assert.fail(JSON.stringify(outcome));
  };

  /** Ends the action as the worker does, and reads it back. */
  const end = async (
    id: string,
    state: ActionState,
    patch: Partial<Action> = {},
  ): Promise<Action> => {
    await store.updateAction(id, {
      state,
      endedAt: clock.now().toISOString(),
      ...(patch.digestAfter !== undefined ? { digestAfter: patch.digestAfter } : {}),
      ...(patch.reason !== undefined ? { reason: patch.reason } : {}),
    });
    const action = await store.getAction(id);
    assert.ok(action);
    return action;
  };

  return { store, clock, sender, logger, callbacks, hubCall, end, webhookId: created.webhook.id };
}

const hubUrl = (n: number) => `https://registry.hub.docker.com/u/hoisttest/app/hook/${n}/`;

describe('ActionCallbacks', () => {
  it('tells every delivery with a callback_url that joined the action, once each, on success', async () => {
    const f = await fixture();
    const id = await f.hubCall(hubUrl(1));
    f.clock.advance(1000);
    assert.equal(await f.hubCall(hubUrl(2)), id, 'the second push joins the Pending redeploy');
    f.clock.advance(1000);
    assert.equal(await f.hubCall(null), id, 'a payload without callback_url joins too');
    const ended = await f.end(id, 'Success', { digestAfter: NEW_DIGEST });

    await f.callbacks.notify(ended);

    assert.deepEqual(
      f.sender.sent.map((s) => s.url),
      [hubUrl(1), hubUrl(2)],
    );
    for (const { body } of f.sender.sent) {
      assert.deepEqual(body, {
        state: 'success',
        description: `Redeployed ${NEW_DIGEST}`,
        context: 'Hoist',
        target_url: `${PUBLIC_URL}/api/v1/actions/${id}`,
      });
    }
    const deliveries = await f.store.listDeliveries(f.webhookId, 10);
    assert.deepEqual(
      deliveries.map((d) => [d.outcome, d.callbackResult]),
      [
        ['coalesced', null],
        ['coalesced', 'sent (200)'],
        ['accepted', 'sent (200)'],
      ],
    );

    await f.callbacks.notify(ended);
    assert.equal(f.sender.sent.length, 2, 'a second notice of the same end sends nothing');
  });

  it('reports a Failed action as "failure" with its reason', async () => {
    const f = await fixture();
    const id = await f.hubCall(hubUrl(1));
    await f.callbacks.notify(
      await f.end(id, 'Failed', { reason: 'pull access denied for hoisttest/app' }),
    );
    assert.equal(f.sender.sent.length, 1);
    assert.deepEqual(f.sender.sent[0]?.body, {
      state: 'failure',
      description: 'Redeploy failed: pull access denied for hoisttest/app',
      context: 'Hoist',
      target_url: `${PUBLIC_URL}/api/v1/actions/${id}`,
    });
  });

  it('reports a Canceled action as "error", and keeps the description within 255 characters', async () => {
    const f = await fixture();
    const id = await f.hubCall(hubUrl(1));
    await f.callbacks.notify(await f.end(id, 'Canceled', { reason: 'x'.repeat(1000) }));
    const body = f.sender.sent[0]?.body;
    assert.equal(body?.state, 'error');
    assert.match(String(body?.description), /^Redeploy canceled: x+$/);
    assert.equal(String(body?.description).length, 255);
  });

  it('sends nothing while the action has not ended', async () => {
    const f = await fixture();
    const id = await f.hubCall(hubUrl(1));
    const pending = await f.store.getAction(id);
    assert.ok(pending);
    await f.callbacks.notify(pending);
    const claimed = await f.store.claimNextAction(f.clock.now().toISOString());
    assert.ok(claimed);
    await f.callbacks.notify(claimed);
    assert.deepEqual(f.sender.sent, []);
    assert.equal((await f.store.listDeliveries(f.webhookId, 1))[0]?.callbackResult, null);
  });

  it('never calls back a repeated delivery: the first one is told, once', async () => {
    const f = await fixture();
    const id = await f.hubCall(hubUrl(1));
    assert.equal(await f.hubCall(hubUrl(1)), id);
    await f.callbacks.notify(await f.end(id, 'Success', { digestAfter: NEW_DIGEST }));
    assert.deepEqual(
      f.sender.sent.map((s) => s.url),
      [hubUrl(1)],
    );
  });

  it("records a sender's refusal or failure as 'not sent: ...' and logs it, going on with the others", async () => {
    const f = await fixture(
      new FakeSender((url) =>
        url === hubUrl(1)
          ? {
              ok: false,
              reason: 'refused by policy: evil.example is not on the callback allow-list',
            }
          : { ok: false, status: 500, reason: 'https://registry.hub.docker.com/u answered 500' },
      ),
    );
    const id = await f.hubCall(hubUrl(1));
    f.clock.advance(1000);
    await f.hubCall(hubUrl(2));
    await f.callbacks.notify(await f.end(id, 'Success', { digestAfter: NEW_DIGEST }));

    const deliveries = await f.store.listDeliveries(f.webhookId, 10);
    assert.deepEqual(
      deliveries.map((d) => d.callbackResult),
      [
        'not sent: https://registry.hub.docker.com/u answered 500',
        'not sent: refused by policy: evil.example is not on the callback allow-list',
      ],
    );
    const warnings = f.logger.lines.filter((l) => l.level === 'warn');
    assert.equal(warnings.length, 2);
    assert.ok(warnings.every((w) => (w.obj as { actionId?: string }).actionId === id));
    assert.ok(
      !JSON.stringify(warnings).includes('/hook/1/'),
      'the log names no callback URL (they are secrets)',
    );

    await f.callbacks.notify((await f.store.getAction(id))!);
    assert.equal(f.sender.sent.length, 2, 'a failed callback is not retried on a later notice');
  });

  it('keeps callbacks of actions apart: a later action tells only its own deliveries', async () => {
    const f = await fixture();
    const first = await f.hubCall(hubUrl(1));
    await f.store.claimNextAction(f.clock.now().toISOString());
    f.clock.advance(1000);
    const second = await f.hubCall(hubUrl(2));
    assert.notEqual(second, first);
    await f.callbacks.notify(await f.end(first, 'Failed', { reason: 'broken' }));
    await f.store.claimNextAction(f.clock.now().toISOString());
    await f.callbacks.notify(await f.end(second, 'Success', { digestAfter: NEW_DIGEST }));
    assert.deepEqual(
      f.sender.sent.map((s) => [s.url, s.body.state]),
      [
        [hubUrl(1), 'failure'],
        [hubUrl(2), 'success'],
      ],
    );
  });

  it('send() returns at once; drain() waits until every result is written', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const sender = new FakeSender();
    const slow: CallbackSender = {
      send: async (url, body) => {
        await held;
        return sender.send(url, body);
      },
    };
    const f = await fixture(slow);
    const id = await f.hubCall(hubUrl(1));
    const ended = await f.end(id, 'Success', { digestAfter: NEW_DIGEST });

    f.callbacks.send(ended);
    let drained = false;
    const draining = f.callbacks.drain().then(() => (drained = true));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(drained, false, 'drain() waits for the held send');
    release();
    await draining;

    const deliveries = await f.store.listDeliveries(f.webhookId, 10);
    assert.deepEqual(
      deliveries.map((d) => d.callbackResult),
      ['sent (200)'],
    );
  });

  it('send() logs a failure instead of throwing, and drain() still ends', async () => {
    const failing: CallbackSender = {
      send: async () => {
        throw new Error('the sender broke');
      },
    };
    const f = await fixture(failing);
    const id = await f.hubCall(hubUrl(1));

    f.callbacks.send(await f.end(id, 'Failed', { reason: 'It broke.' }));
    await f.callbacks.drain();

    assert.deepEqual(
      f.logger.lines.map((l) => [l.level, l.msg]),
      [['error', 'could not send callbacks']],
    );
  });
});
