/**
 * Start-first redeploys on a user-defined network: the old container leaves
 * name resolution before it stops, and gets its aliases back on a rollback.
 * The real SQLite store and an in-memory engine whose DNS answers with the
 * running containers that hold a name or alias.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ActionOutcome } from '../../src/domain/actions/action.js';
import { transientName } from '../../src/domain/actions/container-names.js';
import { StandaloneRedeploy } from '../../src/domain/actions/redeploy.js';
import type { NetworkMembership } from '../../src/domain/ports/engine.js';
import type { Store } from '../../src/domain/ports/store.js';
import { composeLabels, FakeClock, FakeEngine } from '../support/fake-engine.js';
import {
  actionLog,
  addActionInProgress,
  countRestart,
  crashBeforeCall,
  runAndRecord,
  storedAction,
} from '../support/action-fixture.js';
import { addService, openStore } from '../support/unit-fixture.js';

const TIMING = { monitorMs: 10_000, healthTimeoutMs: 60_000, pollMs: 500 };
const DRAIN_MS = 3_000;
const IMAGE = 'registry.example.com/shop/web:latest';
const NEW = 'sha256:new1mage';

interface Fixture {
  store: Store;
  engine: FakeEngine;
  clock: FakeClock;
  actionId: string;
  redeploy: StandaloneRedeploy;
}

function onNetwork(aliases: string[], ipv4Address: string | null = null): NetworkMembership[] {
  return [{ network: 'shop_default', aliases, ipv4Address, ipv6Address: null, links: [] }];
}

/** A compose service shop/web, aliased "web" on shop_default, publishing no host port. */
async function fixture(names: string[], networks = onNetwork(['web'])): Promise<Fixture> {
  const store = await openStore();
  const engine = new FakeEngine();
  const clock = new FakeClock();
  engine.registry.set(IMAGE, { imageId: NEW, digest: 'sha256:d2' });
  for (const name of names) {
    engine.addContainer({
      name,
      imageRef: IMAGE,
      imageId: 'sha256:0ld1mage',
      labels: composeLabels('shop', 'web'),
      publishesPorts: false,
      networks,
    });
  }
  const service = await addService(store, clock, {
    kind: 'compose',
    key: 'shop/web',
    name: 'shop-web',
  });
  const action = await addActionInProgress(store, clock, service.id, 'redeploy');
  return { store, engine, clock, actionId: action.id, redeploy: newRunner(store, engine, clock) };
}

function newRunner(store: Store, engine: FakeEngine, clock: FakeClock): StandaloneRedeploy {
  return new StandaloneRedeploy({ store, engine, clock, timing: TIMING, drainMs: DRAIN_MS });
}

/** Runs the redeploy on the action as stored now (a resume when its journal is set), as the worker does. */
async function run(f: Fixture): Promise<ActionOutcome> {
  return runAndRecord(f.store, f.redeploy, await storedAction(f.store, f.actionId));
}

/** Who the engine's DNS named "web" when each old container was stopped. */
function watchStops(f: Fixture): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  f.engine.beforeMutation = (call) => {
    if (call.op === 'stop' && call.target.startsWith('old-')) {
      assert.equal(f.engine.containers.get(call.target)?.state, 'running');
      seen.set(call.target, f.engine.resolve('web'));
    }
  };
  return seen;
}

describe('start-first redeploy with a drain', () => {
  it('one container: the alias names only the new container before the old one stops', async () => {
    const f = await fixture(['web-1']);
    const seen = watchStops(f);

    assert.deepEqual(await run(f), { state: 'Success', reason: null });

    assert.deepEqual(seen.get('old-web-1'), ['new-1']);
    assert.deepEqual(f.engine.trace(), [
      `pull ${IMAGE}`,
      `create old-web-1 ${transientName('web-1', 'new', f.actionId)}`,
      'withdraw-aliases new-1',
      'start new-1',
      'restore-aliases new-1',
      `rename old-web-1 ${transientName('web-1', 'old', f.actionId)}`,
      'rename new-1 web-1',
      'withdraw-aliases old-web-1',
      'stop old-web-1',
      'remove old-web-1',
    ]);
    assert.ok(f.clock.sleeps.includes(DRAIN_MS), `sleeps: ${f.clock.sleeps.join(', ')}`);
    assert.deepEqual(f.engine.resolve('web'), ['new-1']);
    assert.deepEqual(f.engine.resolve('web-1'), ['new-1']);
    const log = await actionLog(f.store, f.actionId);
    assert.ok(
      log.includes(
        'Created the new container for web-1 (start-first: it publishes no host port; the old one leaves name resolution and drains for 3 s before it stops)',
      ),
      log.join('\n'),
    );
    assert.ok(
      log.includes(
        'The new container web-1 took over its name and aliases; took the old one out of name resolution on shop_default (aliases web); it finishes open requests for 3 s before it stops',
      ),
      log.join('\n'),
    );
  });

  it('the new container is out of the alias until it is ready', async () => {
    const f = await fixture(['web-1']);
    const seen: string[][] = [];
    f.engine.beforeMutation = (call) => {
      if (call.op === 'restore-aliases' && call.target === 'new-1') {
        assert.equal(f.engine.containers.get('new-1')?.state, 'running');
        seen.push(f.engine.resolve('web'));
      }
    };
    assert.equal((await run(f)).state, 'Success');
    assert.deepEqual(seen, [['old-web-1']]);
    const log = await actionLog(f.store, f.actionId);
    assert.ok(
      log.includes('Started the new container web-1 (out of name resolution until it is ready)'),
      log.join('\n'),
    );
  });

  it('the drain period runs between withdrawing the aliases and the stop', async () => {
    const f = await fixture(['web-1']);
    const at = new Map<string, number>();
    f.engine.beforeMutation = (call) => {
      at.set(`${call.op} ${call.target}`, f.clock.now().getTime());
    };
    assert.equal((await run(f)).state, 'Success');
    const drained =
      (at.get('stop old-web-1') ?? NaN) - (at.get('withdraw-aliases old-web-1') ?? NaN);
    assert.equal(drained, DRAIN_MS);
  });

  it('two containers: each old one is out of the alias, and the alias still answers, when it stops', async () => {
    const f = await fixture(['web-1', 'web-2']);
    const seen = watchStops(f);

    assert.equal((await run(f)).state, 'Success');

    assert.deepEqual(seen.get('old-web-1'), ['new-1', 'old-web-2']);
    assert.deepEqual(seen.get('old-web-2'), ['new-1', 'new-2']);
    assert.deepEqual(f.engine.resolve('web'), ['new-1', 'new-2']);
  });

  it('a failing new image: every old container is back under the alias before it starts again', async () => {
    const f = await fixture(['web-1', 'web-2']);
    f.engine.beforeMutation = (call) => {
      if (call.op === 'start' && call.target === 'new-2') {
        f.engine.behaviors.set(NEW, { kind: 'exits', exitCode: 1 });
      }
    };

    const outcome = await run(f);

    assert.equal(outcome.state, 'Failed');
    assert.deepEqual(f.engine.resolve('web'), ['old-web-1', 'old-web-2']);
    assert.deepEqual(
      f.engine.snapshot().map((c) => c.name),
      ['web-1', 'web-2'],
    );
    const trace = f.engine.trace();
    assert.ok(
      trace.indexOf('restore-aliases old-web-1') < trace.indexOf('start old-web-1'),
      trace.join('\n'),
    );
    assert.ok(trace.indexOf('start old-web-1') >= 0, trace.join('\n'));
  });

  it('a container with a static address on its network is replaced stop-first, and says why', async () => {
    const f = await fixture(['web-1'], onNetwork(['web'], '10.5.0.10'));
    assert.equal((await run(f)).state, 'Success');
    const trace = f.engine.trace();
    assert.ok(trace.indexOf('stop old-web-1') < trace.indexOf('start new-1'), trace.join('\n'));
    assert.ok(!trace.some((t) => t.startsWith('withdraw-aliases')), trace.join('\n'));
    const log = await actionLog(f.store, f.actionId);
    assert.ok(
      log.some((m) => m.includes('(stop-first: it has a static address on network shop_default')),
      log.join('\n'),
    );
  });

  it('a container on no user-defined network keeps the plain start-first order', async () => {
    const f = await fixture(['web-1'], []);
    assert.equal((await run(f)).state, 'Success');
    assert.ok(!f.engine.trace().some((t) => t.startsWith('withdraw-aliases')));
    const log = await actionLog(f.store, f.actionId);
    assert.ok(
      log.includes('Created the new container for web-1 (start-first: it publishes no host port)'),
    );
  });

  describe('a restarted Hoist leaves a service the alias reaches, wherever it crashed', () => {
    async function resume(f: Fixture): Promise<ActionOutcome> {
      await countRestart(f.store, f.actionId);
      f.redeploy = newRunner(f.store, f.engine, f.clock);
      return run(f);
    }

    for (const failing of [false, true]) {
      it(
        failing ? 'with a broken image: all old, under the alias' : 'all new, under the alias',
        async () => {
          const reference = await fixture(['web-1', 'web-2']);
          if (failing) reference.engine.behaviors.set(NEW, { kind: 'exits', exitCode: 1 });
          await run(reference);
          const trace = reference.engine.trace();
          for (let k = 0; k < trace.length; k++) {
            const f = await fixture(['web-1', 'web-2']);
            if (failing) f.engine.behaviors.set(NEW, { kind: 'exits', exitCode: 1 });
            await crashBeforeCall(f.engine, k, () => run(f));
            const where = k === 0 ? 'before the pull' : `after "${trace[k - 1]}"`;

            const outcome = await resume(f);

            assert.equal(outcome.state, failing ? 'Failed' : 'Success', where);
            const holders = ['web-1', 'web-2'].map((n) => f.engine.byName(n));
            assert.deepEqual(f.engine.resolve('web'), holders.map((c) => c?.id).sort(), where);
            for (const c of holders) assert.equal(c?.imageId === NEW, !failing, where);
            assert.deepEqual(
              f.engine.snapshot().map((c) => [c.name, c.running]),
              [
                ['web-1', true],
                ['web-2', true],
              ],
              where,
            );
          }
        },
      );
    }
  });
});
