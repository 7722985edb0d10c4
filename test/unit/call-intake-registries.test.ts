/**
 * Autoredeploy: a registry endpoint's notifications redeploy every service
 * with autoredeploy on that runs the pushed repo:tag, once each, never one
 * that runs the pushed digest already, and never twice for one delivery.
 * Real SQLite store, no engine.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import type { Store } from '../../src/domain/ports/store.js';
import { Registries } from '../../src/domain/registries/registries.js';
import type { Registry } from '../../src/domain/registries/registry.js';
import { CallIntake } from '../../src/domain/calls/call-intake.js';
import type { IncomingCall } from '../../src/domain/calls/incoming-call.js';
import {
  UNKNOWN_REGISTRY_MESSAGE,
  type RegistryOutcome as RegistryCallOutcome,
} from '../../src/domain/calls/registry-endpoint.js';
import type { ServiceRecord } from '../../src/domain/services/service.js';
import { enqueueRedeploy } from '../../src/domain/actions/action-queue.js';
import { FakeClock } from '../support/fake-engine.js';
import {
  REGISTRY_EVENTS_TYPE,
  envelope,
  fakeDigest,
  pushEvents,
  registryEvent,
  type RegistryEvent,
} from '../support/registry-payloads.js';
import { refusal } from '../support/refusal.js';
import { PUBLIC_URL, addService, hoistItself, openStores } from '../support/unit-fixture.js';

const HOST = '127.0.0.1:5000';
const V1 = fakeDigest('v1');
const V2 = fakeDigest('v2');

interface Fixture {
  store: Store;
  clock: FakeClock;
  registries: Registries;
  intake: CallIntake;
  registry: Registry;
  token: string;
  wakeUps: string[];
  service(
    name: string,
    imageRef: string | null,
    options?: { digest?: string | null; autoredeploy?: boolean; engineId?: string },
  ): Promise<ServiceRecord>;
}

async function fixture(): Promise<Fixture> {
  // The call path runs on the call store (group commit), as in the server.
  const { store, calls } = await openStores();
  const clock = new FakeClock();
  const registries = new Registries({ store, clock, publicUrl: PUBLIC_URL });
  const created = await registries.create('local registry');
  assert.ok(created.url.startsWith(`${PUBLIC_URL}/registry-events/`), created.url);
  const wakeUps: string[] = [];
  return {
    store,
    clock,
    registries,
    registry: created.registry,
    token: created.url.slice(`${PUBLIC_URL}/registry-events/`.length),
    wakeUps,
    intake: new CallIntake({
      store: calls,
      clock,
      engineId: 'local',
      itself: hoistItself(store, clock),
      onEnqueued: (a) => wakeUps.push(a.id),
    }),
    async service(name, imageRef, options = {}) {
      const record = await addService(store, clock, {
        engineId: options.engineId ?? 'local',
        kind: 'container',
        key: name,
        name,
        imageRef,
        digest: options.digest === undefined ? V1 : options.digest,
      });
      if (options.autoredeploy ?? true) {
        await store.updateServiceSettings(record.id, { autoredeploy: true });
      }
      return record;
    },
  };
}

function call(events: RegistryEvent[] | string): IncomingCall {
  return {
    remoteAddress: '127.0.0.1',
    userAgent: 'Go-http-client/1.1',
    contentType: REGISTRY_EVENTS_TYPE,
    body: Buffer.from(typeof events === 'string' ? events : JSON.stringify(envelope(events))),
    headers: {},
  };
}

const push = (repository: string, tag: string, digest = V2) =>
  pushEvents({ host: HOST, repository, tag, digest });

function accepted(outcome: RegistryCallOutcome) {
  assert.equal(outcome.kind, 'accepted', JSON.stringify(outcome));
  return outcome as Extract<RegistryCallOutcome, { kind: 'accepted' }>;
}

function ignored(outcome: RegistryCallOutcome): string {
  assert.equal(outcome.kind, 'ignored', JSON.stringify(outcome));
  return (outcome as Extract<RegistryCallOutcome, { kind: 'ignored' }>).reason;
}

async function actionsOf(f: Fixture, service: ServiceRecord) {
  return f.store.listActions({ serviceId: service.id });
}

describe('CallIntake, registry endpoint URLs', () => {
  it('redeploys every autoredeploy service running the pushed repo:tag, once each, and no other', async () => {
    const f = await fixture();
    const web = await f.service('web', `${HOST}/app:latest`);
    const worker = await f.service('worker', `${HOST}/app`); // no tag: latest
    const dev = await f.service('dev', `${HOST}/app:dev`);
    const other = await f.service('other', `${HOST}/other:latest`);
    const manual = await f.service('manual', `${HOST}/app:latest`, { autoredeploy: false });
    const remote = await f.service('remote', `${HOST}/app:latest`, { engineId: 'elsewhere' });

    const result = accepted(
      await f.intake.receive('registry', f.token, call(push('app', 'latest'))),
    );

    assert.equal(result.actions.length, 2);
    const [webActions, workerActions] = [await actionsOf(f, web), await actionsOf(f, worker)];
    assert.equal(webActions.length, 1);
    assert.equal(workerActions.length, 1);
    for (const action of [...webActions, ...workerActions]) {
      assert.equal(action.type, 'redeploy');
      assert.equal(action.state, 'Pending');
      assert.deepEqual(action.trigger, {
        kind: 'registry',
        registryId: f.registry.id,
        registryName: 'local registry',
      });
      assert.deepEqual(action.options, { reuseVolumes: true, expectedDigest: V2 });
      assert.deepEqual(
        (await f.store.getActionLog(action.id)).map((l) => l.message),
        ['Requested by a push reported to registry endpoint "local registry" (autoredeploy)'],
      );
    }
    for (const untouched of [dev, other, manual, remote]) {
      assert.deepEqual(await actionsOf(f, untouched), [], untouched.name);
    }
    assert.deepEqual([...f.wakeUps].sort(), [webActions[0]?.id, workerActions[0]?.id].sort());

    const [recorded, ...rest] = (await f.registries.calls(f.registry.id, 10)).items;
    assert.equal(rest.length, 0);
    assert.equal(recorded?.outcome, 'accepted');
    assert.deepEqual(recorded?.pushed, [`${HOST}/app:latest`]);
    assert.deepEqual(
      [...(recorded?.actionIds ?? [])].sort(),
      result.actions.map((a) => a.id).sort(),
    );
    assert.equal(recorded?.remoteAddress, '127.0.0.1');
  });

  it('acts once per pushed tag when the registry sends every event on its own', async () => {
    const f = await fixture();
    const web = await f.service('web', `${HOST}/app:latest`);

    // As the registry sends them: one envelope per event, blobs first, then the manifest.
    const outcomes: RegistryCallOutcome[] = [];
    for (const event of push('app', 'latest')) {
      outcomes.push(await f.intake.receive('registry', f.token, call([event])));
      f.clock.advance(10);
    }
    // The redeploy's pull is reported too.
    outcomes.push(
      await f.intake.receive(
        'registry',
        f.token,
        call([registryEvent({ host: HOST, repository: 'app', action: 'pull', tag: 'latest' })]),
      ),
    );

    assert.deepEqual(
      outcomes.map((o) => o.kind),
      ['ignored', 'ignored', 'accepted', 'ignored'],
    );
    assert.equal((await actionsOf(f, web)).length, 1);
    const calls = (await f.registries.calls(f.registry.id, 10)).items;
    assert.deepEqual(
      calls.map((c) => c.outcome),
      ['ignored', 'accepted', 'ignored', 'ignored'],
    );
    assert.match(
      calls[0]?.reason ?? '',
      /^no tag was pushed \(1 blob, pull or untagged manifest event\)$/,
    );
    assert.deepEqual(calls[0]?.pushed, []);
  });

  it('redeploys the services of each tag an envelope reports', async () => {
    const f = await fixture();
    const web = await f.service('web', `${HOST}/app:latest`);
    const dev = await f.service('dev', `${HOST}/app:dev`);
    const result = accepted(
      await f.intake.receive(
        'registry',
        f.token,
        call([...push('app', 'latest'), ...push('app', 'dev')]),
      ),
    );
    assert.equal(result.actions.length, 2);
    assert.equal((await actionsOf(f, web)).length, 1);
    assert.equal((await actionsOf(f, dev)).length, 1);
  });

  it('joins a redeploy already waiting instead of queueing another', async () => {
    const f = await fixture();
    const web = await f.service('web', `${HOST}/app:latest`);
    const pending = await f.store.transaction((tx) =>
      enqueueRedeploy(tx, f.clock, {
        serviceId: web.id,
        trigger: { kind: 'api', tokenName: 'ci' },
        options: { reuseVolumes: true },
      }),
    );

    const result = accepted(
      await f.intake.receive('registry', f.token, call(push('app', 'latest'))),
    );
    const again = accepted(
      await f.intake.receive('registry', f.token, call(push('app', 'latest', V2))),
    );

    assert.deepEqual(
      result.actions.map((a) => a.id),
      [pending.action.id],
    );
    assert.deepEqual(
      again.actions.map((a) => a.id),
      [pending.action.id],
    );
    assert.equal((await actionsOf(f, web)).length, 1);
    assert.deepEqual(f.wakeUps, [], 'a joined action is already queued: nothing new to wake for');
  });

  it('queues exactly one follow-up for pushes during an In progress redeploy', async () => {
    const f = await fixture();
    const web = await f.service('web', `${HOST}/app:latest`);
    const first = accepted(
      await f.intake.receive('registry', f.token, call(push('app', 'latest'))),
    );
    await f.store.claimNextAction(f.clock.now().toISOString());

    const burst = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        f.intake.receive(
          'registry',
          f.token,
          call(push('app', 'latest', fakeDigest(`burst ${i}`))),
        ),
      ),
    );

    const followUps = new Set(burst.map((o) => accepted(o).actions[0]?.id));
    assert.equal(followUps.size, 1);
    assert.ok(!followUps.has(first.actions[0]?.id));
    assert.deepEqual((await actionsOf(f, web)).map((a) => a.state).sort(), [
      'In progress',
      'Pending',
    ]);
    assert.equal(f.wakeUps.length, 2);
  });

  it('does not redeploy a service that runs the pushed digest already', async () => {
    const f = await fixture();
    const current = await f.service('current', `${HOST}/app:latest`, { digest: V2 });
    const behind = await f.service('behind', `${HOST}/app:latest`, { digest: V1 });
    const unknown = await f.service('unknown', `${HOST}/app:latest`, { digest: null });

    const result = accepted(
      await f.intake.receive('registry', f.token, call(push('app', 'latest', V2))),
    );

    assert.equal(result.actions.length, 2);
    assert.deepEqual(await actionsOf(f, current), []);
    assert.equal((await actionsOf(f, behind)).length, 1);
    assert.equal((await actionsOf(f, unknown)).length, 1, 'an unknown running digest redeploys');
  });

  it('ignores, with a reason, a push that no autoredeploy service needs', async () => {
    const f = await fixture();
    await f.service('current', `${HOST}/app:latest`, { digest: V2 });
    await f.service('manual', `${HOST}/other:latest`, { autoredeploy: false });

    const sameDigest = ignored(
      await f.intake.receive('registry', f.token, call(push('app', 'latest', V2))),
    );
    f.clock.advance(10);
    const nobody = ignored(
      await f.intake.receive('registry', f.token, call(push('other', 'latest'))),
    );

    assert.equal(
      sameDigest,
      `no service with autoredeploy on runs ${HOST}/app:latest (or it runs that digest already)`,
    );
    assert.match(nobody, new RegExp(`runs ${HOST}/other:latest`));
    assert.deepEqual(f.wakeUps, []);
    const calls = (await f.registries.calls(f.registry.id, 10)).items;
    assert.deepEqual(
      calls.map((c) => [c.outcome, c.actionIds]),
      [
        ['ignored', []],
        ['ignored', []],
      ],
    );
  });

  it('names at most three pushes in a reason, however many an envelope reports', async () => {
    const f = await fixture();
    await f.service('web', `${HOST}/app:latest`);
    const events = Array.from({ length: 500 }, (_, i) => push(`team/app-${i}`, 'latest')).flat();

    const reason = ignored(await f.intake.receive('registry', f.token, call(events)));

    assert.equal(
      reason,
      `no service with autoredeploy on runs ${HOST}/team/app-0:latest, ${HOST}/team/app-1:latest, ${HOST}/team/app-2:latest and 497 more (or it runs that digest already)`,
    );
    const [recorded] = (await f.registries.calls(f.registry.id, 10)).items;
    assert.equal(recorded?.reason, reason);
  });

  it('ignores a call that is no registry notification', async () => {
    const f = await fixture();
    await f.service('web', `${HOST}/app:latest`);
    const reason = ignored(
      await f.intake.receive('registry', f.token, {
        ...call('{"hello": "world"}'),
        contentType: 'application/json',
      }),
    );
    assert.equal(
      reason,
      'not a registry notification: a registry endpoint acts only on reported pushes',
    );
  });

  it('redeploys once for the same envelope sent twice; the repeat is recorded as a duplicate', async () => {
    const f = await fixture();
    const web = await f.service('web', `${HOST}/app:latest`);
    const events = push('app', 'latest');

    const first = accepted(await f.intake.receive('registry', f.token, call(events)));
    await f.store.claimNextAction(f.clock.now().toISOString());
    f.clock.advance(5000);
    const repeat = await f.intake.receive('registry', f.token, call(events));

    assert.equal(repeat.kind, 'duplicate');
    assert.deepEqual(
      repeat.kind === 'duplicate' ? repeat.actions.map((a) => [a.id, a.state]) : null,
      first.actions.map((a) => [a.id, 'In progress']),
      'the repeat is answered with the action as it is now',
    );
    assert.equal((await actionsOf(f, web)).length, 1, 'no follow-up for a repeat');
    const calls = (await f.registries.calls(f.registry.id, 10)).items;
    assert.deepEqual(
      calls.map((c) => c.outcome),
      ['duplicate', 'accepted'],
    );
    assert.equal(calls[0]?.reason, 'a repeat of the call received at 2025-01-01T00:00:00.000Z');
    assert.equal(calls[0]?.deliveryKey, null);
  });

  it('turns 10 concurrent copies of one envelope into one action', async () => {
    const f = await fixture();
    const web = await f.service('web', `${HOST}/app:latest`);
    const events = push('app', 'latest');
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, () => f.intake.receive('registry', f.token, call(events))),
    );
    assert.equal(outcomes.filter((o) => o.kind === 'accepted').length, 1);
    assert.equal(outcomes.filter((o) => o.kind === 'duplicate').length, 9);
    assert.equal((await actionsOf(f, web)).length, 1);
    assert.equal(f.wakeUps.length, 1);
  });

  it('answers a revoked endpoint as an unknown one, recording nothing', async () => {
    const f = await fixture();
    const web = await f.service('web', `${HOST}/app:latest`);
    const unknown = await refusal(
      f.intake.receive('registry', 'z'.repeat(43), call(push('app', 'latest'))),
    );
    await f.registries.revoke(f.registry.id);
    const revoked = await refusal(
      f.intake.receive('registry', f.token, call(push('app', 'latest'))),
    );

    for (const error of [unknown, revoked]) {
      assert.equal(error.code, 'webhook_not_found');
      assert.equal(error.message, UNKNOWN_REGISTRY_MESSAGE);
    }
    assert.deepEqual(await actionsOf(f, web), []);
    assert.deepEqual(await f.registries.calls(f.registry.id, 10), { items: [], next: null });
    const [listed] = await f.registries.list();
    assert.equal(listed?.revokedAt, '2025-01-01T00:00:00.000Z');
  });
});

describe('Registries', () => {
  it('creates endpoints with a secret URL shown once, lists and revokes them', async () => {
    const f = await fixture();
    const second = await f.registries.create('  ci registry ');
    assert.equal(second.registry.name, 'ci registry');
    const token = second.url.slice(`${PUBLIC_URL}/registry-events/`.length);
    assert.ok(token.length >= 43, token);
    assert.ok(token.startsWith(second.registry.tokenPrefix));
    assert.ok(!JSON.stringify(await f.registries.list()).includes(token));
    assert.deepEqual((await f.registries.list()).map((r) => r.name).sort(), [
      'ci registry',
      'local registry',
    ]);
  });

  it('refuses a bad name and unknown ids', async () => {
    const f = await fixture();
    assert.equal((await refusal(f.registries.create('../etc'))).code, 'bad_request');
    assert.equal((await refusal(f.registries.create(''))).code, 'bad_request');
    const missing = randomUUID();
    assert.equal((await refusal(f.registries.revoke(missing))).code, 'not_found');
    assert.equal((await refusal(f.registries.calls(missing, 10))).code, 'not_found');
  });
});
