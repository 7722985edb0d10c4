/**
 * The ActionWorker's decisions: what runs when, what survives a restart, how
 * an unreachable engine is waited for. Real SQLite store; the redeploys are
 * either the real StandaloneRedeploy on the fake engine or a runner the test
 * holds open.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, it } from 'node:test';
import { openSqliteStore } from '../../src/adapters/store/open-store.js';
import type { Action } from '../../src/domain/actions/action.js';
import { enqueueRedeploy } from '../../src/domain/actions/action-queue.js';
import type { ActionRunner, WorkerOptions } from '../../src/domain/actions/action-worker.js';
import { ActionWorker } from '../../src/domain/actions/action-worker.js';
import { isTransientContainerName } from '../../src/domain/actions/container-names.js';
import type { ActionOutcome } from '../../src/domain/actions/action.js';
import { ActionRunners } from '../../src/domain/actions/action-runners.js';
import { ACTION_LABEL, StandaloneRedeploy } from '../../src/domain/actions/redeploy.js';
import { StandaloneScale } from '../../src/domain/actions/standalone-scale.js';
import { SwarmRedeploy } from '../../src/domain/actions/swarm-redeploy.js';
import { SwarmScale } from '../../src/domain/actions/swarm-scale.js';
import type { Logger } from '../../src/domain/logger.js';
import type { Metrics } from '../../src/domain/ports/metrics.js';
import type { Store } from '../../src/domain/ports/store.js';
import type { ServiceRecord } from '../../src/domain/services/service.js';
import { composeLabels, FakeClock, FakeEngine } from '../support/fake-engine.js';
import { hoistItself } from '../support/unit-fixture.js';

const TIMING = { monitorMs: 10_000, healthTimeoutMs: 60_000, pollMs: 500 };
const OPTIONS: WorkerOptions = {
  maxConcurrent: 4,
  maxAttempts: 3,
  retryInitialMs: 1000,
  retryMaxMs: 30_000,
  tickMs: 5,
};
const OLD = 'sha256:0ld';
const NEW = 'sha256:n3w';

class MemoryLogger implements Logger {
  readonly entries: { level: string; obj: object; msg?: string }[] = [];
  info(obj: object, msg?: string): void {
    this.entries.push({ level: 'info', obj, msg });
  }
  warn(obj: object, msg?: string): void {
    this.entries.push({ level: 'warn', obj, msg });
  }
  error(obj: object, msg?: string): void {
    this.entries.push({ level: 'error', obj, msg });
  }
}

/** The runners as the server wires them, on the fake engine. */
function runners(store: Store, engine: FakeEngine, clock: FakeClock): ActionRunners {
  const swarmTiming = { updateTimeoutMs: 60_000, pollMs: 1000 };
  return new ActionRunners({
    store,
    itself: hoistItself(store, clock, engine),
    standaloneRedeploy: new StandaloneRedeploy({ store, engine, clock, timing: TIMING }),
    swarmRedeploy: new SwarmRedeploy({ store, engine, clock, timing: swarmTiming }),
    standaloneScale: new StandaloneScale({ store, engine, clock, timing: TIMING }),
    swarmScale: new SwarmScale({ store, engine, clock, timing: swarmTiming }),
  });
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function newStore(): Promise<Store> {
  const store = await openSqliteStore(':memory:');
  cleanups.push(() => store.close());
  return store;
}

function newWorker(
  store: Store,
  runner: ActionRunner,
  clock: FakeClock,
  options: Partial<WorkerOptions> = {},
): { worker: ActionWorker; logger: MemoryLogger } {
  const logger = new MemoryLogger();
  const worker = new ActionWorker({
    store,
    runner,
    clock,
    logger,
    options: { ...OPTIONS, ...options },
  });
  cleanups.push(() => worker.stop(100));
  return { worker, logger };
}

/** A compose service `<key>` with one running container per name, on the old image. */
async function addService(
  store: Store,
  engine: FakeEngine,
  key: string,
  names: string[],
): Promise<ServiceRecord> {
  const [project = '', service = ''] = key.split('/');
  const imageRef = `registry.example.com/${key}:latest`;
  engine.registry.set(imageRef, { imageId: NEW, digest: `sha256:${service}-new` });
  for (const name of names) {
    engine.addContainer({ name, imageRef, imageId: OLD, labels: composeLabels(project, service) });
  }
  return store.upsertService({
    id: randomUUID(),
    engineId: 'local',
    kind: 'compose',
    key,
    name: `${project}-${service}`,
    seenAt: new Date(0).toISOString(),
  });
}

/** Enqueues a redeploy one (fake) second after the previous one, so the queue order is known. */
async function enqueue(store: Store, clock: FakeClock, serviceId: string): Promise<Action> {
  clock.advance(1000);
  const { action } = await store.transaction((tx) =>
    enqueueRedeploy(tx, clock, {
      serviceId,
      trigger: { kind: 'api', tokenName: 'admin' },
      options: { reuseVolumes: true },
    }),
  );
  return action;
}

/** What the worker told its metrics. */
class RecordingMetrics implements Metrics {
  readonly ended: { type: string; state: string; seconds: number }[] = [];
  readonly redeploys: { service: { id: string; name: string }; at: string }[] = [];
  callTaken(): void {}
  actionEnded(type: string, state: string, seconds: number): void {
    this.ended.push({ type, state, seconds });
  }
  redeploySucceeded(service: { id: string; name: string }, at: string): void {
    this.redeploys.push({ service: { id: service.id, name: service.name }, at });
  }
}

/** Polls (in real time, briefly) until `condition` holds. */
async function waitFor(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

async function stateOf(store: Store, id: string): Promise<string | undefined> {
  return (await store.getAction(id))?.state;
}

async function logOf(store: Store, id: string): Promise<string[]> {
  return (await store.getActionLog(id)).map((e) => e.message);
}

/** A runner whose runs last until the test finishes them. */
class HeldRunner implements ActionRunner {
  readonly started: Action[] = [];
  /** The most runs open at once, and any service seen running twice at once. */
  peak = 0;
  readonly sameServiceTwice: string[] = [];
  private readonly finishers = new Map<string, (outcome: ActionOutcome) => void>();
  private readonly serviceOf = new Map<string, string>();

  run(action: Action): Promise<ActionOutcome> {
    this.started.push(action);
    if ([...this.serviceOf.values()].includes(action.serviceId)) {
      this.sameServiceTwice.push(action.serviceId);
    }
    this.serviceOf.set(action.id, action.serviceId);
    this.peak = Math.max(this.peak, this.serviceOf.size);
    return new Promise((resolve) => this.finishers.set(action.id, resolve));
  }

  readonly abandoned: string[] = [];

  async abandon(action: Action): Promise<void> {
    this.abandoned.push(action.id);
  }

  get running(): string[] {
    return [...this.finishers.keys()];
  }

  finish(id: string): void {
    const finish = this.finishers.get(id);
    assert.ok(finish, `action ${id} is not running`);
    this.finishers.delete(id);
    this.serviceOf.delete(id);
    finish({ state: 'Success', reason: null });
  }
}

describe('ActionWorker', () => {
  it('publishes the ended action as it wrote it, the outcome (digestAfter) included', async () => {
    const store = await newStore();
    const engine = new FakeEngine();
    const clock = new FakeClock();
    const service = await addService(store, engine, 'shop/web', ['web-1']);
    const published: Action[] = [];
    const worker = new ActionWorker({
      store,
      runner: runners(store, engine, clock),
      clock,
      logger: new MemoryLogger(),
      options: OPTIONS,
      onChange: (changed) => published.push(changed),
    });
    cleanups.push(() => worker.stop(100));
    const action = await enqueue(store, clock, service.id);

    await worker.start();
    worker.notify();
    await waitFor('Success', async () => (await stateOf(store, action.id)) === 'Success');
    await waitFor('the end published', () => published.some((a) => a.endedAt !== null));

    const ended = published.find((a) => a.endedAt !== null);
    assert.equal(ended?.digestAfter, 'sha256:web-new');
    assert.equal(ended?.imageRef, 'registry.example.com/shop/web:latest');
    // The journal (progress) is the runner's own and never shown: all else is as written.
    const { progress: _published, ...shown } = ended!;
    const { progress: _written, ...written } = (await store.getAction(action.id))!;
    assert.deepEqual(shown, written);
  });

  it('runs a Pending redeploy to Success and logs its steps', async () => {
    const store = await newStore();
    const engine = new FakeEngine();
    const clock = new FakeClock();
    const service = await addService(store, engine, 'shop/web', ['web-1', 'web-2']);
    const runner = runners(store, engine, clock);
    const { worker } = newWorker(store, runner, clock);
    const action = await enqueue(store, clock, service.id);

    await worker.start();
    worker.notify();
    await waitFor('Success', async () => (await stateOf(store, action.id)) === 'Success');

    const done = await store.getAction(action.id);
    assert.equal(done?.attempts, 1);
    assert.ok(done?.startedAt);
    assert.ok(done?.endedAt);
    assert.equal(done?.reason, null);
    assert.equal(done?.digestAfter, 'sha256:web-new');
    const log = await logOf(store, action.id);
    assert.equal(log[0], 'Requested through the API by token "admin"');
    assert.ok(log.includes('Pulling registry.example.com/shop/web:latest'), log.join('\n'));
    assert.ok(log.includes('Started the new container web-1'));
    assert.equal(log.at(-1), 'Redeploy succeeded');
    assert.deepEqual(
      engine.snapshot().map((c) => [c.name, c.imageId, c.running]),
      [
        ['web-1', NEW, true],
        ['web-2', NEW, true],
      ],
    );
  });

  it("tells the metrics how each action ended, and on start each service's last successful redeploy", async () => {
    const store = await newStore();
    const engine = new FakeEngine();
    const clock = new FakeClock();
    const web = await addService(store, engine, 'shop/web', ['web-1']);
    const api = await addService(store, engine, 'shop/api', ['api-1']);
    engine.registry.delete('registry.example.com/shop/api:latest');
    const runner = runners(store, engine, clock);
    const startWorker = async (metrics: RecordingMetrics) => {
      const worker = new ActionWorker({
        store,
        runner,
        clock,
        logger: new MemoryLogger(),
        options: OPTIONS,
        metrics,
      });
      cleanups.push(() => worker.stop(100));
      await worker.start();
      return worker;
    };
    const succeeds = await enqueue(store, clock, web.id);
    const fails = await enqueue(store, clock, api.id);

    const metrics = new RecordingMetrics();
    (await startWorker(metrics)).notify();
    await waitFor('both ended', () => metrics.ended.length === 2);

    const secondsOf = async (id: string) => {
      const action = await store.getAction(id);
      return (Date.parse(action?.endedAt ?? '') - Date.parse(action?.startedAt ?? '')) / 1000;
    };
    assert.deepEqual(
      [...metrics.ended].sort((a, b) => a.state.localeCompare(b.state)),
      [
        { type: 'redeploy', state: 'Failed', seconds: await secondsOf(fails.id) },
        { type: 'redeploy', state: 'Success', seconds: await secondsOf(succeeds.id) },
      ],
    );
    const last = {
      service: { id: web.id, name: 'shop-web' },
      at: (await store.getAction(succeeds.id))?.endedAt,
    };
    assert.deepEqual(metrics.redeploys, [last]);

    // A restart: the new worker knows it from the store before any action ends.
    const restarted = new RecordingMetrics();
    await startWorker(restarted);
    assert.deepEqual(restarted.redeploys, [last]);
    assert.deepEqual(restarted.ended, []);
  });

  it('records Failed with the pull error and touches no container when the pull fails', async () => {
    const store = await newStore();
    const engine = new FakeEngine();
    const clock = new FakeClock();
    const service = await addService(store, engine, 'shop/web', ['web-1']);
    engine.registry.clear();
    const runner = runners(store, engine, clock);
    const { worker } = newWorker(store, runner, clock);
    const action = await enqueue(store, clock, service.id);

    await worker.start();
    await waitFor(
      'an end',
      async () =>
        (await stateOf(store, action.id)) !== 'In progress' &&
        (await stateOf(store, action.id)) !== 'Pending',
    );

    const failed = await store.getAction(action.id);
    assert.equal(failed?.state, 'Failed');
    assert.match(failed?.reason ?? '', /Pulling registry\.example\.com\/shop\/web:latest failed/);
    assert.deepEqual(engine.trace(), ['pull registry.example.com/shop/web:latest']);
    assert.deepEqual(engine.snapshot(), [{ name: 'web-1', imageId: OLD, running: true }]);
  });

  it('runs one action per service at a time, different services side by side up to maxConcurrent', async () => {
    const store = await newStore();
    const engine = new FakeEngine();
    const clock = new FakeClock();
    const runner = new HeldRunner();
    const services: ServiceRecord[] = [];
    for (const key of ['a/one', 'b/two', 'c/three', 'd/four']) {
      services.push(await addService(store, engine, key, [key.replace('/', '-')]));
    }
    const [s1, s2, s3, s4] = services as [
      ServiceRecord,
      ServiceRecord,
      ServiceRecord,
      ServiceRecord,
    ];
    const { worker } = newWorker(store, runner, clock, { maxConcurrent: 2 });

    const a1 = await enqueue(store, clock, s1.id);
    await worker.start();
    await waitFor('a1 to start', () => runner.running.includes(a1.id));
    // A follow-up for s1 (its first is In progress) and one action each for s2, s3, s4.
    const a2 = await enqueue(store, clock, s1.id);
    const b = await enqueue(store, clock, s2.id);
    const c = await enqueue(store, clock, s3.id);
    const d = await enqueue(store, clock, s4.id);
    assert.notEqual(a2.id, a1.id);
    worker.notify();

    await waitFor('b to start', () => runner.running.includes(b.id));
    await new Promise((resolve) => setTimeout(resolve, 30)); // several ticks
    assert.deepEqual(runner.running.sort(), [a1.id, b.id].sort(), 'two at a time, never a2');
    assert.equal(worker.activeCount, 2);

    // s1's first ends: the slot goes to the oldest claimable action (its follow-up is older than c).
    runner.finish(a1.id);
    await waitFor('a2 to start', () => runner.running.includes(a2.id));
    assert.deepEqual(runner.running.sort(), [a2.id, b.id].sort());

    runner.finish(b.id);
    await waitFor('c to start', () => runner.running.includes(c.id));
    runner.finish(a2.id);
    await waitFor('d to start', () => runner.running.includes(d.id));
    runner.finish(c.id);
    runner.finish(d.id);
    for (const action of [a1, a2, b, c, d]) {
      await waitFor(
        `${action.id} Success`,
        async () => (await stateOf(store, action.id)) === 'Success',
      );
    }

    const order = runner.started.map((a) => a.id);
    assert.deepEqual(order, [a1.id, b.id, a2.id, c.id, d.id]);
    assert.deepEqual(runner.sameServiceTwice, [], 'never two of a service at once');
    assert.equal(runner.peak, 2, 'never more than maxConcurrent');
  });

  it('resumes an action left In progress on start (attempts + 1) and finishes it', async () => {
    const store = await newStore();
    const engine = new FakeEngine();
    const clock = new FakeClock();
    const service = await addService(store, engine, 'shop/web', ['web-1', 'web-2']);
    const action = await enqueue(store, clock, service.id);
    const claimed = await store.claimNextAction(clock.now().toISOString());
    assert.equal(claimed?.attempts, 1);

    // The previous process died just before stopping web-2's old container.
    const first = runners(store, engine, clock);
    let reached!: () => void;
    const frozen = new Promise<void>((resolve) => (reached = resolve));
    engine.beforeMutation = (call) => {
      if (call.op === 'stop' && call.target === 'old-web-2') {
        reached();
        return new Promise<void>(() => {});
      }
    };
    void first.run(claimed).catch(() => {});
    await frozen;
    engine.beforeMutation = null;
    assert.ok(engine.snapshot().some((c) => isTransientContainerName(c.name)));

    const runner = runners(store, engine, clock);
    const { worker, logger } = newWorker(store, runner, clock);
    await worker.start();
    await waitFor('Success', async () => (await stateOf(store, action.id)) === 'Success');

    const done = await store.getAction(action.id);
    assert.equal(done?.attempts, 2);
    assert.ok(
      (await logOf(store, action.id)).includes('Resuming after an interruption (attempt 2)'),
    );
    assert.ok(logger.entries.some((e) => e.msg === 'resuming actions interrupted by a restart'));
    assert.deepEqual(
      engine.snapshot().map((c) => [c.name, c.imageId, c.running]),
      [
        ['web-1', NEW, true],
        ['web-2', NEW, true],
      ],
    );
  });

  it('resumes interrupted actions before claiming new ones', async () => {
    const store = await newStore();
    const engine = new FakeEngine();
    const clock = new FakeClock();
    const runner = new HeldRunner();
    const s1 = await addService(store, engine, 'a/one', ['a-one']);
    const s2 = await addService(store, engine, 'b/two', ['b-two']);
    const left = await enqueue(store, clock, s1.id);
    await store.claimNextAction(clock.now().toISOString());
    const fresh = await enqueue(store, clock, s2.id);
    const { worker } = newWorker(store, runner, clock, { maxConcurrent: 1 });

    await worker.start();
    await waitFor('a start', () => runner.started.length === 1);
    assert.equal(runner.started[0]?.id, left.id);
    assert.equal(runner.started[0]?.attempts, 2);
    runner.finish(left.id);
    await waitFor('the fresh one', () => runner.running.includes(fresh.id));
    runner.finish(fresh.id);
  });

  it('gives an interrupted action up as Failed after maxAttempts starts', async () => {
    const store = await newStore();
    const engine = new FakeEngine();
    const clock = new FakeClock();
    const runner = new HeldRunner();
    const service = await addService(store, engine, 'shop/web', ['web-1']);
    const action = await enqueue(store, clock, service.id);
    await store.claimNextAction(clock.now().toISOString());
    await store.updateAction(action.id, { attempts: 3 });
    const { worker } = newWorker(store, runner, clock, { maxAttempts: 3 });

    await worker.start();
    await waitFor('Failed', async () => (await stateOf(store, action.id)) === 'Failed');

    const failed = await store.getAction(action.id);
    assert.equal(failed?.attempts, 4);
    assert.match(failed?.reason ?? '', /Gave up after 3 attempts/);
    assert.ok(failed?.endedAt);
    assert.equal(runner.started.length, 0, 'not run a fourth time');
    assert.deepEqual(runner.abandoned, [action.id], 'the service is put back first');
  });

  it('puts a half-replaced container back when it gives an action up', async () => {
    // DESIGN: on start Hoist "repairs any half-replaced container"; never fewer running containers.
    const store = await newStore();
    const engine = new FakeEngine();
    const clock = new FakeClock();
    const service = await addService(store, engine, 'shop/web', ['web-1']);
    const action = await enqueue(store, clock, service.id);
    const claimed = await store.claimNextAction(clock.now().toISOString());
    assert.ok(claimed);
    // The last allowed attempt died with web-1's old container stopped and renamed aside.
    const first = runners(store, engine, clock);
    let reached!: () => void;
    const frozen = new Promise<void>((resolve) => (reached = resolve));
    engine.beforeMutation = (call) => {
      if (call.op === 'rename' && call.name === 'web-1') {
        reached();
        return new Promise<void>(() => {});
      }
    };
    void first.run(claimed).catch(() => {});
    await frozen;
    engine.beforeMutation = null;
    await store.updateAction(action.id, { attempts: 3 });

    const runner = runners(store, engine, clock);
    const { worker } = newWorker(store, runner, clock, { maxAttempts: 3 });
    await worker.start();
    await waitFor('Failed', async () => (await stateOf(store, action.id)) === 'Failed');

    assert.deepEqual(
      engine.snapshot(),
      [{ name: 'web-1', imageId: OLD, running: true }],
      'the old container is back under its name and running',
    );
    assert.ok(![...engine.containers.values()].some((c) => c.labels[ACTION_LABEL]));
  });

  it('keeps the action In progress while the engine is unavailable, logs each distinct reason once, then succeeds', async () => {
    const store = await newStore();
    const engine = new FakeEngine();
    const clock = new FakeClock();
    const service = await addService(store, engine, 'shop/web', ['web-1']);
    const runner = runners(store, engine, clock);
    const { worker } = newWorker(store, runner, clock);
    const action = await enqueue(store, clock, service.id);
    engine.unavailable = 'connect ENOENT /var/run/docker.sock';

    await worker.start();
    await waitFor('several retries', () => engine.refused >= 5);
    assert.equal(await stateOf(store, action.id), 'In progress');
    engine.unavailable = 'connect ECONNREFUSED 10.0.0.5:2375';
    const refused = engine.refused;
    await waitFor('more retries', () => engine.refused >= refused + 5);
    assert.equal(await stateOf(store, action.id), 'In progress');
    assert.equal(worker.activeCount, 1, 'it keeps its slot');

    engine.unavailable = null;
    await waitFor('Success', async () => (await stateOf(store, action.id)) === 'Success');

    const waiting = (await logOf(store, action.id)).filter((m) =>
      m.startsWith('Waiting for the engine'),
    );
    assert.deepEqual(waiting, [
      'Waiting for the engine: connect ENOENT /var/run/docker.sock',
      'Waiting for the engine: connect ECONNREFUSED 10.0.0.5:2375',
    ]);
    // Backoff doubles from retryInitialMs up to retryMaxMs.
    const backoff = clock.sleeps.filter((ms) => ms > TIMING.pollMs);
    assert.deepEqual(backoff.slice(0, 6), [1000, 2000, 4000, 8000, 16_000, 30_000]);
    assert.equal((await store.getAction(action.id))?.attempts, 1, 'an outage is not a new attempt');
  });

  it('stop() ends the loop: nothing is claimed afterwards, a waiting action stays In progress', async () => {
    const store = await newStore();
    const engine = new FakeEngine();
    const clock = new FakeClock();
    const s1 = await addService(store, engine, 'a/one', ['a-one']);
    const s2 = await addService(store, engine, 'b/two', ['b-two']);
    const runner = runners(store, engine, clock);
    const { worker } = newWorker(store, runner, clock);
    const waiting = await enqueue(store, clock, s1.id);
    engine.unavailable = 'daemon down';
    await worker.start();
    await waitFor('a retry', () => engine.refused >= 2);

    const stopping = worker.stop(5000);
    const started = Date.now();
    await stopping;
    assert.ok(Date.now() - started < 1000, 'the waiting action does not hold stop() up');
    assert.equal(worker.activeCount, 0);
    assert.equal(await stateOf(store, waiting.id), 'In progress');

    engine.unavailable = null;
    const later = await enqueue(store, clock, s2.id);
    worker.notify();
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(await stateOf(store, later.id), 'Pending');
    assert.equal(await stateOf(store, waiting.id), 'In progress');
  });
});
