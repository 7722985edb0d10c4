/**
 * The decisions of scaling a standalone service: which container is copied,
 * what the new ones are named, which go when it shrinks, what a failed clone
 * leaves behind. Real SQLite store, in-memory engine, fake time.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Action, ActionOptions, ActionOutcome } from '../../src/domain/actions/action.js';
import { ACTION_LABEL } from '../../src/domain/actions/redeploy.js';
import { StandaloneScale } from '../../src/domain/actions/standalone-scale.js';
import type { ServiceKind } from '../../src/domain/ports/engine.js';
import type { Store } from '../../src/domain/ports/store.js';
import { composeLabels, FakeClock, FakeEngine } from '../support/fake-engine.js';
import {
  actionLog,
  addActionInProgress,
  runAndRecord,
  storedAction,
} from '../support/action-fixture.js';
import { addService, openStore } from '../support/unit-fixture.js';

const TIMING = { monitorMs: 10_000, healthTimeoutMs: 60_000, pollMs: 500 };
const IMAGE = 'registry.example.com/shop/worker:2';
const IMAGE_ID = 'sha256:w0rker';
const NUMBER = 'com.docker.compose.container-number';

interface Fixture {
  store: Store;
  engine: FakeEngine;
  clock: FakeClock;
  kind: ServiceKind;
  key: string;
  actionId: string;
}

interface Existing {
  name: string;
  running?: boolean;
  publishesPorts?: boolean;
  /** Compose's container number; defaults to the name's -N suffix. */
  number?: number;
}

/**
 * A standalone service of the given kind with these containers (no host port
 * unless said), and a scale action In progress for it.
 */
async function fixture(
  kind: ServiceKind,
  containers: Existing[],
  options: ActionOptions,
): Promise<Fixture> {
  const store = await openStore();
  const engine = new FakeEngine();
  const clock = new FakeClock();
  // The image the containers run is on the engine already.
  engine.registry.set(IMAGE, { imageId: IMAGE_ID, digest: 'sha256:d1' });
  const key = kind === 'compose' ? 'shop/worker' : 'worker';
  for (const c of containers) {
    const number = c.number ?? Number(/-(\d+)$/.exec(c.name)?.[1]);
    const labels: Record<string, string> =
      kind === 'compose'
        ? { ...composeLabels('shop', 'worker'), [NUMBER]: String(number) }
        : kind === 'hoist'
          ? { 'io.hoist.service': 'worker' }
          : {};
    engine.addContainer({
      name: c.name,
      imageRef: IMAGE,
      imageId: IMAGE_ID,
      labels,
      running: c.running ?? true,
      publishesPorts: c.publishesPorts ?? false,
    });
  }
  const record = await addService(store, clock, { kind, key, name: key.replace('/', '-') });
  const action = await addActionInProgress(store, clock, record.id, 'scale', options);
  return { store, engine, clock, kind, key, actionId: action.id };
}

async function stored(f: Fixture): Promise<Action> {
  return storedAction(f.store, f.actionId);
}

/** A fresh runner on the action as stored now, as the worker runs it. */
async function run(f: Fixture): Promise<ActionOutcome> {
  const runner = new StandaloneScale({ ...f, timing: TIMING });
  return runAndRecord(f.store, runner, await stored(f));
}

async function logOf(f: Fixture): Promise<string[]> {
  return actionLog(f.store, f.actionId);
}

/** Names of the running and stopped containers, sorted. */
function names(f: Fixture): string[] {
  return f.engine.snapshot().map((c) => c.name);
}

describe('StandaloneScale', () => {
  it('adds 3 to a compose service of 2: project-service-3..5, cloned from a running one, each checked', async () => {
    const f = await fixture(
      'compose',
      [{ name: 'shop-worker-1', running: false }, { name: 'shop-worker-2' }],
      { add: 3 },
    );
    const startedAt = new Map<string, number>();
    f.engine.beforeMutation = (call) => {
      if (call.op === 'start' || call.op === 'create') {
        startedAt.set(`${call.op} ${call.name ?? call.target}`, f.clock.now().getTime());
      }
    };

    const outcome = await run(f);

    assert.deepEqual(outcome, { state: 'Success', reason: null });
    assert.deepEqual(names(f), [
      'shop-worker-1',
      'shop-worker-2',
      'shop-worker-3',
      'shop-worker-4',
      'shop-worker-5',
    ]);
    const creates = f.engine.calls.filter((c) => c.op === 'create');
    assert.deepEqual(
      creates.map((c) => `${c.target} -> ${c.name}`),
      [
        'old-shop-worker-2 -> shop-worker-3',
        'old-shop-worker-2 -> shop-worker-4',
        'old-shop-worker-2 -> shop-worker-5',
      ],
      'copied from the running container',
    );
    for (const n of [3, 4, 5]) {
      const c = f.engine.byName(`shop-worker-${n}`);
      assert.equal(c?.state, 'running');
      assert.equal(c?.labels[NUMBER], String(n));
      assert.equal(c?.labels['com.docker.compose.service'], 'worker', 'compose labels copied');
      assert.equal(c?.labels[ACTION_LABEL], f.actionId);
      assert.equal(c?.imageRef, IMAGE);
    }
    // Each clone stayed up for the monitor period before the next was made.
    const gap =
      (startedAt.get('create shop-worker-4') ?? NaN) - (startedAt.get('start new-1') ?? NaN);
    assert.ok(gap >= TIMING.monitorMs, `${gap} ms`);
    const log = await logOf(f);
    assert.ok(log.includes('Scaling shop-worker from 2 to 5'), log.join('\n'));
    assert.ok(log.includes('Started shop-worker-3, a copy of shop-worker-2'), log.join('\n'));
    assert.ok(log.includes('shop-worker-5 stayed running for 10 s'), log.join('\n'));
    const action = await stored(f);
    assert.equal(action.imageRef, IMAGE);
  });

  it('refuses to clone a container that publishes host ports, creating nothing', async () => {
    const f = await fixture('compose', [{ name: 'shop-worker-1', publishesPorts: true }], {
      add: 1,
    });

    const outcome = await run(f);

    assert.equal(outcome.state, 'Failed');
    assert.match(outcome.reason ?? '', /publishes host ports/);
    assert.match(outcome.reason ?? '', /Swarm service/);
    assert.deepEqual(f.engine.calls, []);
    assert.deepEqual(names(f), ['shop-worker-1']);
  });

  it('fails a service that has no container on the engine, touching nothing', async () => {
    const f = await fixture('compose', [], { add: 1 });

    const outcome = await run(f);

    assert.equal(outcome.state, 'Failed');
    assert.match(outcome.reason ?? '', /no containers/);
    assert.deepEqual(f.engine.calls, []);
  });

  it('names a Hoist service\u2019s new container after the lowest free index', async () => {
    const f = await fixture('hoist', [{ name: 'worker-1' }, { name: 'worker-3' }], { add: 2 });

    assert.deepEqual(await run(f), { state: 'Success', reason: null });

    assert.deepEqual(names(f), ['worker-1', 'worker-2', 'worker-3', 'worker-4']);
    assert.equal(f.engine.byName('worker-2')?.labels['io.hoist.service'], 'worker');
    assert.equal(f.engine.byName('worker-2')?.labels[NUMBER], undefined, 'no compose label');
  });

  it('removes the highest indexes when scaled down', async () => {
    const f = await fixture(
      'compose',
      [
        { name: 'shop-worker-1' },
        { name: 'shop-worker-2' },
        { name: 'shop-worker-10' },
        { name: 'shop-worker-3' },
      ],
      { replicas: 2 },
    );

    assert.deepEqual(await run(f), { state: 'Success', reason: null });

    assert.deepEqual(names(f), ['shop-worker-1', 'shop-worker-2']);
    assert.deepEqual(
      f.engine.trace().filter((t) => t.startsWith('remove')),
      ['remove old-shop-worker-10', 'remove old-shop-worker-3'],
    );
    assert.ok(f.engine.trace().includes('stop old-shop-worker-10'), 'stopped before removal');
  });

  it('scales a Hoist service down by its name index', async () => {
    const f = await fixture('hoist', [{ name: 'worker-2' }, { name: 'worker-1' }], {
      replicas: 1,
    });
    assert.equal((await run(f)).state, 'Success');
    assert.deepEqual(names(f), ['worker-1']);
  });

  it('refuses to scale to zero: new containers are copies of an existing one', async () => {
    const f = await fixture('hoist', [{ name: 'worker-1' }], { replicas: 0 });
    const outcome = await run(f);
    assert.equal(outcome.state, 'Failed');
    assert.match(outcome.reason ?? '', /at least one container/);
    assert.deepEqual(names(f), ['worker-1']);
  });

  it('fails when a clone exits at once, removing every container this action added', async () => {
    const f = await fixture('compose', [{ name: 'shop-worker-1' }, { name: 'shop-worker-2' }], {
      add: 3,
    });
    // The first clone runs; the second exits at once.
    f.engine.beforeMutation = (call) => {
      if (call.op === 'start' && call.target === 'new-2') {
        f.engine.behaviors.set(IMAGE_ID, {
          kind: 'exits',
          exitCode: 1,
          output: 'error: queue lock held',
        });
      }
    };

    const outcome = await run(f);

    assert.equal(outcome.state, 'Failed');
    assert.match(outcome.reason ?? '', /^The new container shop-worker-4 exited with code 1/);
    assert.match(outcome.reason ?? '', /queue lock held/);
    assert.deepEqual(names(f), ['shop-worker-1', 'shop-worker-2']);
    assert.ok(f.engine.snapshot().every((c) => c.running));
    assert.deepEqual(
      f.engine.trace().filter((t) => t.startsWith('remove')),
      ['remove new-1', 'remove new-2'],
    );
    assert.ok(!f.engine.trace().some((t) => t.startsWith('create') && t.endsWith('-5')));
  });

  it('refuses a single container with a clear reason', async () => {
    const f = await fixture('container', [{ name: 'worker' }], { add: 1 });
    const outcome = await run(f);
    assert.equal(outcome.state, 'Failed');
    assert.match(outcome.reason ?? '', /single container cannot be scaled/);
    assert.deepEqual(f.engine.calls, []);
  });

  it('does not add twice when resumed after a crash', async () => {
    const f = await fixture('compose', [{ name: 'shop-worker-1' }, { name: 'shop-worker-2' }], {
      add: 3,
    });
    // Hoist dies just before starting the second clone: shop-worker-4 is created, not started.
    let reached!: () => void;
    const frozen = new Promise<void>((resolve) => (reached = resolve));
    f.engine.beforeMutation = (call) => {
      if (call.op !== 'start' || call.target !== 'new-2') return;
      reached();
      return new Promise<void>(() => {});
    };
    void run(f).catch(() => {});
    await frozen;
    f.engine.beforeMutation = null;
    assert.equal(f.engine.byName('shop-worker-4')?.state, 'created');
    await f.store.updateAction(f.actionId, { attempts: 2 });

    const outcome = await run(f);

    assert.deepEqual(outcome, { state: 'Success', reason: null });
    assert.deepEqual(names(f), [
      'shop-worker-1',
      'shop-worker-2',
      'shop-worker-3',
      'shop-worker-4',
      'shop-worker-5',
    ]);
    assert.ok(f.engine.snapshot().every((c) => c.running));
    assert.equal(f.engine.byName('shop-worker-3')?.id, 'new-1', 'the running clone was kept');
    const log = await logOf(f);
    assert.ok(log.includes('Resuming after an interruption (attempt 2)'), log.join('\n'));
  });

  it('checks a clone again on a resume when the interruption came before it was confirmed ready', async () => {
    const f = await fixture('compose', [{ name: 'shop-worker-1' }], { add: 1 });
    // The clone crash-loops (Docker says "restarting", Running true); the engine
    // drops right after starting it, before it could be checked.
    f.engine.behaviors.set(IMAGE_ID, { kind: 'crashloops', output: 'panic: no queue' });
    const start = f.engine.startContainer.bind(f.engine);
    f.engine.startContainer = async (id) => {
      f.engine.startContainer = start;
      await start(id);
      f.engine.unavailable = 'connect ENOENT';
    };
    await assert.rejects(run(f));
    f.engine.unavailable = null;
    await f.store.updateAction(f.actionId, { attempts: 2 });

    const outcome = await run(f);

    assert.equal(outcome.state, 'Failed', 'a crash-looping clone is not a replica');
    assert.match(outcome.reason ?? '', /shop-worker-2 keeps restarting/);
    assert.deepEqual(names(f), ['shop-worker-1']);
  });

  it('does nothing more when resumed after it reached its target', async () => {
    const f = await fixture('hoist', [{ name: 'worker-1' }], { add: 1 });
    assert.equal((await run(f)).state, 'Success');
    const calls = f.engine.calls.length;
    await f.store.updateAction(f.actionId, { attempts: 2 });

    assert.equal((await run(f)).state, 'Success');
    assert.deepEqual(names(f), ['worker-1', 'worker-2']);
    assert.equal(f.engine.calls.length, calls, 'no engine call on the resume');
  });
});
