/**
 * The decisions of a standalone redeploy (Tutum's order, all-new or all-old),
 * on the real SQLite store and an in-memory engine.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Action } from '../../src/domain/actions/action.js';
import {
  isTransientContainerName,
  transientName,
} from '../../src/domain/actions/container-names.js';
import type { RedeployJournal } from '../../src/domain/actions/redeploy.js';
import type { ActionOutcome } from '../../src/domain/actions/action.js';
import { ACTION_LABEL, StandaloneRedeploy } from '../../src/domain/actions/redeploy.js';
import { EngineUnavailableError, HoistError } from '../../src/domain/errors.js';
import type { Store } from '../../src/domain/ports/store.js';
import type { EngineCall } from '../support/fake-engine.js';
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
const IMAGE = 'registry.example.com/shop/web:latest';
const OLD = 'sha256:0ld1mage';
const NEW = 'sha256:new1mage';
const OLD_DIGEST = 'sha256:d1';
const NEW_DIGEST = 'sha256:d2';

interface Fixture {
  store: Store;
  engine: FakeEngine;
  clock: FakeClock;
  actionId: string;
  redeploy: StandaloneRedeploy;
}

/** A container of the fixture's service; it publishes host ports unless said otherwise. */
interface Existing {
  name: string;
  running?: boolean;
  publishesPorts?: boolean;
}

/** A compose service shop/web with the given containers on the old image, and an action In progress for it. */
async function fixture(
  containers: Existing[] = [{ name: 'web-1' }, { name: 'web-2' }],
  options: { reuseVolumes: boolean } = { reuseVolumes: true },
): Promise<Fixture> {
  const store = await openStore();
  const engine = new FakeEngine();
  const clock = new FakeClock();
  engine.registry.set(IMAGE, { imageId: NEW, digest: NEW_DIGEST });
  for (const c of containers) {
    engine.addContainer({
      name: c.name,
      imageRef: IMAGE,
      imageId: OLD,
      digest: OLD_DIGEST,
      labels: composeLabels('shop', 'web'),
      running: c.running ?? true,
      publishesPorts: c.publishesPorts ?? true,
    });
  }
  const service = await addService(store, clock, {
    kind: 'compose',
    key: 'shop/web',
    name: 'shop-web',
  });
  const action = await addActionInProgress(store, clock, service.id, 'redeploy', options);
  return { store, engine, clock, actionId: action.id, redeploy: newRunner(store, engine, clock) };
}

function newRunner(store: Store, engine: FakeEngine, clock: FakeClock): StandaloneRedeploy {
  return new StandaloneRedeploy({ store, engine, clock, timing: TIMING });
}

async function stored(f: Fixture): Promise<Action> {
  return storedAction(f.store, f.actionId);
}

/** Runs the redeploy on the action as stored now (a resume when its journal is set), as the worker does. */
async function run(f: Fixture): Promise<ActionOutcome> {
  return runAndRecord(f.store, f.redeploy, await stored(f));
}

/**
 * The outcome the worker records: run()'s result, or Failed with the message
 * of an engine error run() let through (EngineUnavailableError is rethrown).
 */
async function recordedOutcome(f: Fixture): Promise<ActionOutcome> {
  try {
    return await run(f);
  } catch (error) {
    if (error instanceof HoistError && !(error instanceof EngineUnavailableError)) {
      return { state: 'Failed', reason: error.message };
    }
    throw error;
  }
}

/** A fresh process: a new runner on the same store and engine, attempts + 1 as the worker does. */
async function resume(f: Fixture): Promise<ActionOutcome> {
  await countRestart(f.store, f.actionId);
  f.redeploy = newRunner(f.store, f.engine, f.clock);
  return run(f);
}

function hoistLabelled(engine: FakeEngine): string[] {
  return [...engine.containers.values()]
    .filter((c) => c.labels[ACTION_LABEL] !== undefined)
    .map((c) => c.name);
}

/** Every old container back under its own name, in its old state, and nothing else. */
function assertAllOld(f: Fixture, expected: { name: string; running: boolean }[]): void {
  assert.deepEqual(
    f.engine.snapshot(),
    expected.map((e) => ({ name: e.name, imageId: OLD, running: e.running })),
  );
  for (const e of expected) assert.equal(f.engine.byName(e.name)?.id, `old-${e.name}`);
  assert.deepEqual(hoistLabelled(f.engine), [], 'no container of the action is left');
}

/** Only the replacements, under the real names, in the old containers' states. */
function assertAllNew(f: Fixture, expected: { name: string; running: boolean }[]): void {
  assert.deepEqual(
    f.engine.snapshot(),
    expected.map((e) => ({ name: e.name, imageId: NEW, running: e.running })),
  );
  for (const c of f.engine.containers.values()) {
    assert.ok(!isTransientContainerName(c.name), `transient name left: ${c.name}`);
    assert.equal(c.labels[ACTION_LABEL], f.actionId);
  }
}

const BOTH_RUNNING = [
  { name: 'web-1', running: true },
  { name: 'web-2', running: true },
];

async function logOf(f: Fixture): Promise<string[]> {
  return actionLog(f.store, f.actionId);
}

describe('StandaloneRedeploy', () => {
  it('replaces a 2-container service one container at a time, removing the olds at the end', async () => {
    const f = await fixture();
    const startedAt = new Map<string, number>();
    let journalAtFirstTouch: unknown = 'not reached';
    f.engine.beforeMutation = async (call: EngineCall) => {
      if (call.op === 'create' && journalAtFirstTouch === 'not reached') {
        journalAtFirstTouch = (await stored(f)).progress;
      }
      startedAt.set(`${call.op} ${call.target}`, f.clock.now().getTime());
    };

    const outcome = await run(f);

    assert.deepEqual(outcome, { state: 'Success', reason: null });
    const t1 = (name: string, role: 'old' | 'new') => transientName(name, role, f.actionId);
    assert.deepEqual(f.engine.trace(), [
      `pull ${IMAGE}`,
      `create old-web-1 ${t1('web-1', 'new')}`,
      'stop old-web-1',
      `rename old-web-1 ${t1('web-1', 'old')}`,
      'rename new-1 web-1',
      'start new-1',
      `create old-web-2 ${t1('web-2', 'new')}`,
      'stop old-web-2',
      `rename old-web-2 ${t1('web-2', 'old')}`,
      'rename new-2 web-2',
      'start new-2',
      'remove old-web-1',
      'remove old-web-2',
    ]);
    // The first replacement was confirmed ready (stayed up for the monitor period) before the second began.
    const firstStart = startedAt.get('start new-1') ?? NaN;
    const secondCreate = startedAt.get('create old-web-2') ?? NaN;
    assert.ok(secondCreate - firstStart >= TIMING.monitorMs, `${secondCreate - firstStart} ms`);

    const journal = journalAtFirstTouch as RedeployJournal;
    assert.equal(journal.imageRef, IMAGE);
    assert.equal(journal.imageId, NEW);
    assert.deepEqual(journal.targets, [
      { oldId: 'old-web-1', name: 'web-1', wasRunning: true, publishesPorts: true },
      { oldId: 'old-web-2', name: 'web-2', wasRunning: true, publishesPorts: true },
    ]);

    assertAllNew(f, BOTH_RUNNING);
    const action = await stored(f);
    assert.equal(action.imageRef, IMAGE);
    assert.equal(action.digestBefore, OLD_DIGEST);
    assert.equal(action.digestAfter, NEW_DIGEST);
    // reuseVolumes: the olds' anonymous volumes live on in the new containers.
    assert.ok(f.engine.calls.filter((c) => c.op === 'remove').every((c) => c.volumes === false));
    assert.ok(f.engine.calls.filter((c) => c.op === 'create').every((c) => c.volumes === true));
    const created = f.engine.byName('web-1');
    assert.equal(created?.labels['com.docker.compose.service'], 'web', 'labels are copied');
  });

  it('removes the olds with their anonymous volumes when volumes are not reused', async () => {
    const f = await fixture(undefined, { reuseVolumes: false });
    assert.equal((await run(f)).state, 'Success');
    const removes = f.engine.calls.filter((c) => c.op === 'remove');
    assert.equal(removes.length, 2);
    assert.ok(removes.every((c) => c.volumes === true));
  });

  it('is ready as soon as a replacement with a health check is healthy', async () => {
    const f = await fixture([{ name: 'web-1' }]);
    f.engine.behaviors.set(NEW, { kind: 'runs', health: 'healthy' });
    const before = f.clock.now().getTime();
    assert.equal((await run(f)).state, 'Success');
    assert.ok(f.clock.now().getTime() - before < TIMING.monitorMs);
    assert.ok((await logOf(f)).includes('Health check passed for web-1'));
  });

  it('fails with the exit code when a replacement exits at once, and puts every old one back', async () => {
    const f = await fixture();
    f.engine.behaviors.set(NEW, {
      kind: 'exits',
      exitCode: 3,
      output: 'fatal: DATABASE_URL is not set\n',
    });

    const outcome = await run(f);

    assert.equal(outcome.state, 'Failed');
    assert.match(outcome.reason ?? '', /web-1 exited with code 3/);
    assert.match(outcome.reason ?? '', /DATABASE_URL is not set/);
    assertAllOld(f, BOTH_RUNNING);
    assert.ok(!f.engine.trace().includes('create old-web-2'), 'web-2 was never touched');
    assert.ok(!f.engine.trace().some((t) => t.startsWith('remove old-')), 'no old one removed');
    assert.ok((await logOf(f)).some((m) => m.startsWith('Rolling back:')));
  });

  it('rolls the first container back too when the second one fails', async () => {
    const f = await fixture();
    f.engine.beforeMutation = (call) => {
      // The second replacement (and only it) exits.
      if (call.op === 'start' && call.target === 'new-2') {
        f.engine.behaviors.set(NEW, { kind: 'exits', exitCode: 1 });
      }
    };

    const outcome = await run(f);

    assert.equal(outcome.state, 'Failed');
    assert.match(outcome.reason ?? '', /web-2 exited with code 1/);
    assertAllOld(f, BOTH_RUNNING);
    const trace = f.engine.trace();
    assert.ok(trace.indexOf('remove new-1') > trace.indexOf('start new-2'));
    assert.ok(trace.includes('start old-web-1'), 'the first old container was restarted');
  });

  it('fails when a replacement turns unhealthy', async () => {
    const f = await fixture();
    f.engine.behaviors.set(NEW, { kind: 'runs', health: 'unhealthy' });
    const outcome = await run(f);
    assert.equal(outcome.state, 'Failed');
    assert.match(outcome.reason ?? '', /web-1 failed its health check/);
    assertAllOld(f, BOTH_RUNNING);
  });

  it('fails after healthTimeoutMs when a replacement never leaves "starting"', async () => {
    const f = await fixture([{ name: 'web-1' }]);
    f.engine.behaviors.set(NEW, { kind: 'runs', health: 'starting' });
    let startedAt = 0;
    f.engine.beforeMutation = (call) => {
      if (call.op === 'start' && call.target === 'new-1') startedAt = f.clock.now().getTime();
    };

    const outcome = await run(f);

    assert.equal(outcome.state, 'Failed');
    assert.match(outcome.reason ?? '', /web-1 was not healthy after 60 s/);
    const waited = f.clock.now().getTime() - startedAt;
    assert.ok(waited >= TIMING.healthTimeoutMs, `waited ${waited} ms`);
    assert.ok(waited <= TIMING.healthTimeoutMs + TIMING.pollMs, `waited ${waited} ms`);
    assertAllOld(f, [{ name: 'web-1', running: true }]);
  });

  it('fails when a replacement keeps restarting (restart policy, crash loop)', async () => {
    // Docker reports a crash-looping container as State.Running = true, Status "restarting".
    const f = await fixture([{ name: 'web-1' }]);
    f.engine.behaviors.set(NEW, { kind: 'crashloops', output: 'panic: no config' });

    const outcome = await run(f);

    assert.equal(outcome.state, 'Failed', 'a crash-looping replacement must not count as running');
    assertAllOld(f, [{ name: 'web-1', running: true }]);
  });

  it('leaves a stopped container stopped after its replacement', async () => {
    const f = await fixture([{ name: 'web-1' }, { name: 'web-2', running: false }]);

    const outcome = await run(f);

    assert.deepEqual(outcome, { state: 'Success', reason: null });
    assertAllNew(f, [
      { name: 'web-1', running: true },
      { name: 'web-2', running: false },
    ]);
    assert.equal(f.engine.byName('web-2')?.state, 'created');
    const trace = f.engine.trace();
    assert.ok(!trace.includes('start new-2'));
    assert.ok(!trace.includes('stop old-web-2'));
  });

  it('rolls a stopped container back to stopped', async () => {
    const f = await fixture([{ name: 'web-1', running: false }, { name: 'web-2' }]);
    f.engine.behaviors.set(NEW, { kind: 'exits', exitCode: 2 });
    assert.equal((await run(f)).state, 'Failed');
    assertAllOld(f, [
      { name: 'web-1', running: false },
      { name: 'web-2', running: true },
    ]);
  });

  it('fails without touching any container when the pull fails', async () => {
    const f = await fixture();
    f.engine.registry.clear();

    const outcome = await recordedOutcome(f);

    assert.equal(outcome.state, 'Failed');
    assert.match(outcome.reason ?? '', /Pulling .* failed/);
    assert.deepEqual(f.engine.trace(), [`pull ${IMAGE}`]);
    assertAllOld(f, BOTH_RUNNING);
    assert.equal((await stored(f)).progress, null, 'no journal: nothing to repair');
  });

  it('fails (touching nothing) when the service has no containers', async () => {
    const f = await fixture([]);
    const outcome = await run(f);
    assert.equal(outcome.state, 'Failed');
    assert.deepEqual(f.engine.calls, []);
  });

  it('lets EngineUnavailableError through (no rollback, no outcome), then resumes to all-new', async () => {
    const f = await fixture();
    f.engine.beforeMutation = (call) => {
      if (call.op === 'start' && call.target === 'new-1') f.engine.unavailable = 'connect ENOENT';
    };

    await assert.rejects(run(f), (error: unknown) => error instanceof EngineUnavailableError);
    const traceAtOutage = f.engine.trace();
    assert.equal(traceAtOutage.at(-1), 'rename new-1 web-1', 'nothing ran after the outage');
    assert.equal((await stored(f)).state, 'In progress');
    assert.ok((await stored(f)).progress, 'the journal stays for the resume');

    f.engine.beforeMutation = null;
    f.engine.unavailable = null;
    assert.deepEqual(await run(f), { state: 'Success', reason: null });
    assertAllNew(f, BOTH_RUNNING);
    assert.equal((await stored(f)).digestAfter, NEW_DIGEST);
  });

  describe('order: start-first without host ports, stop-first with them', () => {
    const NO_PORTS = [
      { name: 'web-1', publishesPorts: false },
      { name: 'web-2', publishesPorts: false },
    ];

    it('starts the new container and waits until it is ready before stopping the old one', async () => {
      const f = await fixture([{ name: 'web-1', publishesPorts: false }]);
      const at = new Map<string, number>();
      f.engine.beforeMutation = (call) => {
        at.set(`${call.op} ${call.target}`, f.clock.now().getTime());
      };

      const outcome = await run(f);

      assert.deepEqual(outcome, { state: 'Success', reason: null });
      assert.deepEqual(f.engine.trace(), [
        `pull ${IMAGE}`,
        `create old-web-1 ${transientName('web-1', 'new', f.actionId)}`,
        'start new-1',
        'stop old-web-1',
        `rename old-web-1 ${transientName('web-1', 'old', f.actionId)}`,
        'rename new-1 web-1',
        'remove old-web-1',
      ]);
      const readyFor = (at.get('stop old-web-1') ?? NaN) - (at.get('start new-1') ?? NaN);
      assert.ok(readyFor >= TIMING.monitorMs, `the old one stopped after ${readyFor} ms`);
      assertAllNew(f, [{ name: 'web-1', running: true }]);
      const log = await logOf(f);
      assert.ok(
        log.some((m) => m.includes('web-1') && m.includes('start-first')),
        log.join('\n'),
      );
      assert.ok(!log.some((m) => m.includes('stop-first')), log.join('\n'));
    });

    it('replaces a container that publishes host ports stop-first, and says so', async () => {
      const f = await fixture([{ name: 'web-1', publishesPorts: true }]);
      assert.equal((await run(f)).state, 'Success');
      const trace = f.engine.trace();
      assert.ok(trace.indexOf('stop old-web-1') < trace.indexOf('start new-1'), trace.join('\n'));
      const log = await logOf(f);
      assert.ok(
        log.some((m) => m.includes('web-1') && m.includes('stop-first')),
        log.join('\n'),
      );
      assert.ok(!log.some((m) => m.includes('start-first')), log.join('\n'));
    });

    it('records the order of each container in a mixed service', async () => {
      const f = await fixture([{ name: 'web-1', publishesPorts: false }, { name: 'web-2' }]);
      assert.equal((await run(f)).state, 'Success');
      const log = await logOf(f);
      assert.ok(
        log.includes(
          'Created the new container for web-1 (start-first: it publishes no host port)',
        ),
        log.join('\n'),
      );
      assert.ok(
        log.includes('Created the new container for web-2 (stop-first: it publishes host ports)'),
        log.join('\n'),
      );
      assertAllNew(f, BOTH_RUNNING);
    });

    it('leaves the old container running under its name the whole time when the new one fails', async () => {
      const f = await fixture([{ name: 'web-1', publishesPorts: false }]);
      f.engine.behaviors.set(NEW, { kind: 'exits', exitCode: 1, output: 'boom' });
      const violations: string[] = [];
      f.engine.beforeMutation = (call) => {
        const holder = f.engine.byName('web-1');
        if (holder?.id !== 'old-web-1' || holder.state !== 'running') {
          violations.push(
            `before ${call.op} ${call.target}: web-1 is ${holder?.id} ${holder?.state}`,
          );
        }
      };

      const outcome = await run(f);

      assert.equal(outcome.state, 'Failed');
      assert.match(outcome.reason ?? '', /web-1 exited with code 1/);
      assert.deepEqual(violations, []);
      const trace = f.engine.trace();
      assert.ok(
        !trace.some((t) => /^(stop|start|rename|remove) old-web-1/.test(t)),
        `old touched: ${trace.join('\n')}`,
      );
      assertAllOld(f, [{ name: 'web-1', running: true }]);
    });

    it('puts the first container back when the second start-first one fails; the second old one never stops', async () => {
      const f = await fixture(NO_PORTS);
      f.engine.beforeMutation = (call) => {
        if (call.op === 'start' && call.target === 'new-2') {
          f.engine.behaviors.set(NEW, { kind: 'exits', exitCode: 1 });
        }
      };

      const outcome = await run(f);

      assert.equal(outcome.state, 'Failed');
      assertAllOld(f, BOTH_RUNNING);
      const trace = f.engine.trace();
      assert.ok(!trace.includes('stop old-web-2'), trace.join('\n'));
      assert.ok(trace.includes('start old-web-1'), 'the first old container was restarted');
    });
  });

  describe('resumes after a crash', () => {
    /** The engine calls of an uninterrupted run of the same scenario. */
    async function fullTrace(containers: Existing[], failing: boolean): Promise<string[]> {
      const f = await fixture(containers);
      if (failing) f.engine.behaviors.set(NEW, { kind: 'exits', exitCode: 1 });
      await run(f);
      return f.engine.trace();
    }

    const scenarios: { title: string; containers: Existing[] }[] = [
      { title: 'two running containers', containers: [{ name: 'web-1' }, { name: 'web-2' }] },
      {
        title: 'a running and a stopped container',
        containers: [{ name: 'web-1' }, { name: 'web-2', running: false }],
      },
      {
        title: 'two start-first containers (no host ports)',
        containers: [
          { name: 'web-1', publishesPorts: false },
          { name: 'web-2', publishesPorts: false },
        ],
      },
      {
        title: 'a start-first and a stop-first container',
        containers: [{ name: 'web-1', publishesPorts: false }, { name: 'web-2' }],
      },
    ];

    for (const scenario of scenarios) {
      const expectedNew = scenario.containers.map((c) => ({
        name: c.name,
        running: c.running ?? true,
      }));

      it(`ends all-new and clean wherever it crashed (${scenario.title})`, async () => {
        const trace = await fullTrace(scenario.containers, false);
        for (let k = 0; k < trace.length; k++) {
          const f = await fixture(scenario.containers);
          await crashBeforeCall(f.engine, k, () => run(f));
          const where = k === 0 ? 'before the pull' : `after "${trace[k - 1]}"`;

          const outcome = await resume(f);

          assert.deepEqual(outcome, { state: 'Success', reason: null }, where);
          assert.doesNotThrow(() => assertAllNew(f, expectedNew), where);
          assert.equal((await stored(f)).digestAfter, NEW_DIGEST, where);
        }
      });

      it(`ends all-old and Failed wherever it crashed, when the image is broken (${scenario.title})`, async () => {
        const trace = await fullTrace(scenario.containers, true);
        for (let k = 0; k < trace.length; k++) {
          const f = await fixture(scenario.containers);
          f.engine.behaviors.set(NEW, { kind: 'exits', exitCode: 1 });
          await crashBeforeCall(f.engine, k, () => run(f));
          const where = k === 0 ? 'before the pull' : `after "${trace[k - 1]}"`;

          const outcome = await resume(f);

          assert.equal(outcome.state, 'Failed', where);
          assert.doesNotThrow(() => assertAllOld(f, expectedNew), where);
        }
      });
    }

    /** The engine state at the crash points that matter, checked before resuming. */
    const points: {
      title: string;
      k: number;
      check: (f: Fixture) => void;
    }[] = [
      {
        title: 'new container created under its transient name',
        k: 2,
        check: (f) => {
          const created = f.engine.byName(transientName('web-1', 'new', f.actionId));
          assert.equal(created?.state, 'created');
          assert.equal(f.engine.byName('web-1')?.id, 'old-web-1');
          assert.equal(f.engine.byName('web-1')?.state, 'running');
        },
      },
      {
        title: 'old container stopped',
        k: 3,
        check: (f) => assert.equal(f.engine.byName('web-1')?.state, 'exited'),
      },
      {
        title: 'old container renamed aside',
        k: 4,
        check: (f) => {
          assert.equal(f.engine.byName(transientName('web-1', 'old', f.actionId))?.id, 'old-web-1');
          assert.equal(f.engine.byName('web-1'), undefined);
        },
      },
      {
        title: 'new container under the real name, not started',
        k: 5,
        check: (f) => {
          assert.equal(f.engine.byName('web-1')?.id, 'new-1');
          assert.equal(f.engine.byName('web-1')?.state, 'created');
        },
      },
      {
        title: 'new container running, not yet confirmed ready',
        k: 6,
        check: (f) => assert.equal(f.engine.byName('web-1')?.state, 'running'),
      },
      {
        title: 'some old containers already removed during the final clean-up',
        k: 12,
        check: (f) => {
          assert.equal(f.engine.containers.has('old-web-1'), false);
          assert.equal(f.engine.containers.has('old-web-2'), true);
        },
      },
    ];

    for (const point of points) {
      it(`repairs and finishes: ${point.title}`, async () => {
        const f = await fixture();
        await crashBeforeCall(f.engine, point.k, () => run(f));
        point.check(f);
        const journal = (await stored(f)).progress as RedeployJournal | null;
        assert.ok(journal, 'the journal was saved before the first container was touched');

        const outcome = await resume(f);

        assert.deepEqual(outcome, { state: 'Success', reason: null });
        assertAllNew(f, BOTH_RUNNING);
        const log = await logOf(f);
        assert.ok(log.includes('Resuming after an interruption (attempt 2)'), log.join('\n'));
      });
    }

    it('says it resumes when the crash came before the journal was saved (during the pull)', async () => {
      const f = await fixture();
      await crashBeforeCall(f.engine, 0, () => run(f));
      assert.equal((await stored(f)).progress, null, 'no journal yet');
      assert.ok(
        !(await logOf(f)).some((m) => m.startsWith('Resuming')),
        'a first run says nothing',
      );

      const outcome = await resume(f);

      assert.deepEqual(outcome, { state: 'Success', reason: null });
      assertAllNew(f, BOTH_RUNNING);
      const log = await logOf(f);
      assert.equal(log.filter((m) => m.startsWith('Resuming')).length, 1, log.join('\n'));
      assert.ok(
        log.includes(
          'Resuming after an interruption (attempt 2): no container had been touched yet, starting over',
        ),
        log.join('\n'),
      );
    });

    it('resumes from a journal saved by an earlier version (with its `version` field)', async () => {
      const f = await fixture();
      await crashBeforeCall(f.engine, 3, () => run(f));
      const journal = (await stored(f)).progress as RedeployJournal;
      await f.store.updateAction(f.actionId, { progress: { version: 1, ...journal } });

      const outcome = await resume(f);

      assert.deepEqual(outcome, { state: 'Success', reason: null });
      assertAllNew(f, BOTH_RUNNING);
      assert.equal((await stored(f)).digestAfter, NEW_DIGEST);
    });

    it('removes a stray container of the action that no target claims', async () => {
      const f = await fixture();
      await crashBeforeCall(f.engine, 3, () => run(f));
      f.engine.addContainer({
        id: 'stray',
        name: 'web-9.hoist-new-00000000',
        imageRef: IMAGE,
        imageId: NEW,
        labels: { [ACTION_LABEL]: f.actionId, 'io.hoist.replaces': 'old-web-9' },
        running: false,
      });
      assert.equal((await resume(f)).state, 'Success');
      assertAllNew(f, BOTH_RUNNING);
    });
  });
});

/**
 * Reads of the engine during one run. A listing counts as one call plus one
 * read per container it returns: the Docker adapter inspects each of them.
 */
interface Reads {
  lists: number;
  listed: number;
  inspects: number;
  services: number;
}

function countReads(engine: FakeEngine): Reads {
  const reads: Reads = { lists: 0, listed: 0, inspects: 0, services: 0 };
  const list = engine.listContainersWithLabel.bind(engine);
  engine.listContainersWithLabel = async (label, value) => {
    const found = await list(label, value);
    reads.lists += 1;
    reads.listed += found.length;
    return found;
  };
  const inspect = engine.inspectContainer.bind(engine);
  engine.inspectContainer = (id) => {
    reads.inspects += 1;
    return inspect(id);
  };
  const service = engine.getService.bind(engine);
  engine.getService = (ref) => {
    reads.services += 1;
    return service(ref);
  };
  return reads;
}

const total = (r: Reads) => r.lists + r.listed + r.inspects + r.services;

function names(count: number): Existing[] {
  return Array.from({ length: count }, (_, i) => ({ name: `web-${i + 1}` }));
}

describe('StandaloneRedeploy engine reads', () => {
  /** Replacements are healthy at once (so waiting costs the same per container), but the last one if `failLast`. */
  async function measure(
    count: number,
    scenario: 'success' | 'rollback' | 'resume',
  ): Promise<Reads> {
    const f = await fixture(names(count));
    f.engine.behaviors.set(NEW, { kind: 'runs', health: 'healthy' });
    if (scenario === 'rollback') {
      f.engine.beforeMutation = (call) => {
        if (call.op === 'start' && call.target === `new-${count}`) {
          f.engine.behaviors.set(NEW, { kind: 'runs', health: 'unhealthy' });
        }
      };
    }
    if (scenario === 'resume') {
      // Dies as it starts the last replacement: every other target is done, the last is repaired.
      await crashBeforeCall(f.engine, 1 + 5 * (count - 1) + 4, () => run(f));
    }
    const reads = countReads(f.engine);
    const outcome = scenario === 'resume' ? await resume(f) : await run(f);
    assert.equal(
      outcome.state,
      scenario === 'rollback' ? 'Failed' : 'Success',
      outcome.reason ?? '',
    );
    return reads;
  }

  for (const scenario of ['success', 'rollback', 'resume'] as const) {
    it(`lists the action's containers once per phase, whatever their number (${scenario})`, async () => {
      const one = await measure(1, scenario);
      const four = await measure(4, scenario);
      assert.equal(four.lists, one.lists, JSON.stringify({ one, four }));
      assert.ok(
        total(four) <= 4 * total(one),
        `reads grow faster than the containers: ${JSON.stringify({ one, four })}`,
      );
    });
  }
});
