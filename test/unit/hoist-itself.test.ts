/**
 * Hoist's own service: found through the engine, shown as itself, and left
 * alone by handler calls, registry pushes, API requests and the worker unless
 * allowSelfRedeploy is on. Real SQLite store, fake engine.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ActionRunners } from '../../src/domain/actions/action-runners.js';
import type { Action, ActionOutcome } from '../../src/domain/actions/action.js';
import { Actions } from '../../src/domain/actions/actions.js';
import { CallIntake } from '../../src/domain/calls/call-intake.js';
import type { IncomingCall } from '../../src/domain/calls/incoming-call.js';
import { Registries } from '../../src/domain/registries/registries.js';
import { ServiceCatalog } from '../../src/domain/services/service-catalog.js';
import { ServiceProvisioning } from '../../src/domain/services/service-provisioning.js';
import { WebhookHandlers } from '../../src/domain/webhooks/webhook-handlers.js';
import type { StandaloneRedeploy } from '../../src/domain/actions/redeploy.js';
import { addActionInProgress } from '../support/action-fixture.js';
import { FakeClock, FakeEngine } from '../support/fake-engine.js';
import { expectHoistError } from '../support/refusal.js';
import {
  envelope,
  fakeDigest,
  pushEvents,
  REGISTRY_EVENTS_TYPE,
} from '../support/registry-payloads.js';
import { PUBLIC_URL, hoistItself, hookToken, openStores } from '../support/unit-fixture.js';

const IMAGE = '127.0.0.1:5000/hoist:latest';

/**
 * Hoist runs in container "hoist", labelled as a service Hoist created (so only the
 * protection keeps a DELETE from removing it); "web" runs beside it.
 */
async function fixture() {
  const { store, calls } = await openStores();
  const clock = new FakeClock();
  const engine = new FakeEngine();
  const own = engine.addContainer({
    name: 'hoist',
    imageRef: IMAGE,
    imageId: 'sha256:hoist',
    digest: fakeDigest('running'),
    labels: { 'io.hoist.service': 'hoist' },
  });
  engine.ownService = { kind: 'hoist', key: 'hoist', name: 'hoist', containerId: own.id };
  engine.addContainer({
    name: 'web',
    imageRef: IMAGE.replace('hoist:', 'web:'),
    imageId: 'sha256:web',
    digest: fakeDigest('web'),
  });
  const itself = hoistItself(store, clock, engine);
  const catalog = new ServiceCatalog({ store, engine, engineId: 'local', clock, itself });
  const queued: Action[] = [];
  const onEnqueued = (action: Action) => queued.push(action);
  return {
    store,
    engine,
    itself,
    catalog,
    queued,
    handlers: new WebhookHandlers({ store, catalog, clock, publicUrl: PUBLIC_URL }),
    registries: new Registries({ store, clock, publicUrl: PUBLIC_URL }),
    intake: new CallIntake({ store: calls, clock, engineId: 'local', itself, onEnqueued }),
    actions: new Actions({ store, catalog, clock, itself, onEnqueued }),
    provisioning: new ServiceProvisioning({
      store,
      engine,
      catalog,
      engineId: 'local',
      clock,
      itself,
    }),
    runners: new ActionRunners({
      store,
      itself,
      standaloneRedeploy: {
        run: async (): Promise<ActionOutcome> => ({ state: 'Success', reason: null }),
      } as unknown as StandaloneRedeploy,
      swarmRedeploy: null as never,
      standaloneScale: null as never,
      swarmScale: null as never,
    }),
    async services() {
      const list = await catalog.list();
      const hoist = list.find((s) => s.name === 'hoist');
      const web = list.find((s) => s.name === 'web');
      assert.ok(hoist && web);
      return { hoist, web };
    },
    clock,
  };
}

const plainCall: IncomingCall = {
  remoteAddress: '203.0.113.7',
  userAgent: 'curl/8',
  contentType: null,
  body: null,
  headers: {},
};

describe('HoistItself', () => {
  it('marks the service Hoist runs in, and only that one, as self in the listing', async () => {
    const f = await fixture();
    const { hoist, web } = await f.services();
    assert.equal(hoist.self, true);
    assert.equal(hoist.allowSelfRedeploy, false);
    assert.equal(web.self, false);
    assert.equal((await f.catalog.get(hoist.id)).self, true);
  });

  it('asks the engine again while it cannot answer, then keeps its answer', async () => {
    const f = await fixture();
    f.engine.unavailable = 'the socket is missing';
    await f.itself.detect();
    f.engine.unavailable = null;
    const { hoist } = await f.services();
    assert.equal(hoist.self, true, 'found once the engine answers');
    f.engine.ownService = null;
    await f.itself.detect();
    assert.equal(f.itself.is(hoist.id), true, 'asked once, not on every call');
  });

  it('callers that come while the engine is being asked share that one attempt', async () => {
    const f = await fixture();
    f.engine.unavailable = 'the socket is missing';
    const ask = f.engine.findOwnService.bind(f.engine);
    let asked = 0;
    f.engine.findOwnService = () => {
      asked += 1;
      return ask();
    };
    await Promise.all([f.itself.detect(), f.itself.detect(), f.itself.detect()]);
    assert.equal(asked, 1, 'three listings at once, one question to the engine');
    await f.itself.detect();
    assert.equal(asked, 2, 'asked again once the attempt ended without an answer');
  });

  it('a handler call aimed at Hoist is ignored with the reason and recorded; nothing is queued', async () => {
    const f = await fixture();
    const { hoist } = await f.services();
    for (const operation of ['REDEPLOY', 'SCALEUP'] as const) {
      const created = await f.handlers.create(hoist.id, { name: operation, operation });
      const outcome = await f.intake.receive('hook', hookToken(created.url), plainCall);
      assert.equal(outcome.kind, 'ignored');
      assert.match(
        (outcome as { reason: string }).reason,
        /hoist is Hoist itself: .*allowSelfRedeploy/,
      );
      const [delivery] = await f.store.listDeliveries(created.webhook.id, 10);
      assert.equal(delivery?.outcome, 'ignored');
      assert.match(delivery?.reason ?? '', /Hoist itself/);
    }
    assert.deepEqual(await f.store.listActions({ serviceId: hoist.id }), []);
    assert.equal(f.queued.length, 0);
  });

  it("a registry push of Hoist's image redeploys the other services, never Hoist", async () => {
    const f = await fixture();
    const { hoist, web } = await f.services();
    await f.catalog.update(hoist.id, { autoredeploy: true });
    await f.catalog.update(web.id, { autoredeploy: true });
    const endpoint = await f.registries.create('local');
    const token = endpoint.url.slice(`${PUBLIC_URL}/registry-events/`.length);
    const push = (repository: string) => ({
      ...plainCall,
      contentType: REGISTRY_EVENTS_TYPE,
      body: Buffer.from(
        JSON.stringify(
          envelope(
            pushEvents({
              host: '127.0.0.1:5000',
              repository,
              tag: 'latest',
              digest: fakeDigest('new'),
            }),
          ),
        ),
      ),
    });

    const own = await f.intake.receive('registry', token, push('hoist'));
    assert.equal(own.kind, 'ignored');
    assert.match((own as { reason: string }).reason, /hoist is Hoist itself/);
    const other = await f.intake.receive('registry', token, push('web'));
    assert.equal(other.kind, 'accepted');
    assert.deepEqual(await f.store.listActions({ serviceId: hoist.id }), []);
    assert.equal((await f.store.listActions({ serviceId: web.id })).length, 1);
  });

  it('the API refuses to redeploy, scale or remove Hoist (409 service_is_hoist)', async () => {
    const f = await fixture();
    const { hoist, web } = await f.services();
    const attempts: [Promise<unknown>, string][] = [
      [
        f.actions.requestRedeploy(hoist.id, { username: 'admin', tokenName: 'admin' }, {}),
        'redeploying',
      ],
      [f.actions.requestScale(hoist.id, { username: 'admin', tokenName: 'admin' }, 2), 'scaling'],
      [f.provisioning.remove(hoist.id), 'removing'],
    ];
    for (const [attempt, doing] of attempts) {
      await expectHoistError(
        attempt,
        'service_is_hoist',
        new RegExp(
          `^hoist is Hoist itself: ${doing} it .*hoist service update hoist --allow-self-redeploy`,
        ),
      );
    }
    assert.ok(f.engine.containers.has('old-hoist'), 'not removed');
    assert.equal(
      (await f.actions.requestRedeploy(web.id, { username: 'admin', tokenName: 'admin' }, {}))
        .coalesced,
      false,
    );
    assert.deepEqual(await f.store.listActions({ serviceId: hoist.id }), []);
  });

  it('allowSelfRedeploy on the service lifts the protection, for calls and the API alike', async () => {
    const f = await fixture();
    const { hoist } = await f.services();
    const updated = await f.catalog.update(hoist.id, { allowSelfRedeploy: true });
    assert.equal(updated.allowSelfRedeploy, true);
    assert.equal(updated.autoredeploy, false, 'a setting left out stays as it was');

    const created = await f.handlers.create(hoist.id, { name: 'ci' });
    const outcome = await f.intake.receive('hook', hookToken(created.url), plainCall);
    assert.equal(outcome.kind, 'enqueued');
    assert.equal(
      (await f.actions.requestRedeploy(hoist.id, { username: 'admin', tokenName: 'admin' }, {}))
        .coalesced,
      true,
    );
  });

  it('the worker fails an action on Hoist queued before Hoist knew itself, without running it', async () => {
    const f = await fixture();
    const { hoist } = await f.services();
    const action = await addActionInProgress(f.store, f.clock, hoist.id, 'redeploy');
    const outcome = await f.runners.run(action);
    assert.equal(outcome.state, 'Failed');
    assert.match(outcome.reason ?? '', /hoist is Hoist itself/);

    await f.catalog.update(hoist.id, { allowSelfRedeploy: true });
    assert.deepEqual(await f.runners.run(action), { state: 'Success', reason: null });
  });
});
