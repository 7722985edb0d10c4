/**
 * The decisions of a Swarm redeploy and a Swarm scale: what is sent to the
 * engine (once), how Swarm's UpdateStatus is read, when the action ends and
 * why. Real SQLite store, in-memory engine, fake time.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Action, ActionOptions, ActionOutcome } from '../../src/domain/actions/action.js';
import { SwarmRedeploy } from '../../src/domain/actions/swarm-redeploy.js';
import { SwarmScale } from '../../src/domain/actions/swarm-scale.js';
import { EngineUnavailableError } from '../../src/domain/errors.js';
import type { Store } from '../../src/domain/ports/store.js';
import type { FakeSwarmService } from '../support/fake-engine.js';
import { FakeClock, FakeEngine } from '../support/fake-engine.js';
import {
  actionLog,
  addActionInProgress,
  runAndRecord,
  storedAction,
} from '../support/action-fixture.js';
import { addService, openStore } from '../support/unit-fixture.js';

const TIMING = { updateTimeoutMs: 600_000, pollMs: 2000 };
const REPO_TAG = 'registry.example.com/shop/api:1.4';
const OLD_DIGEST = 'sha256:0ld';
const NEW_DIGEST = 'sha256:n3w';
const PINNED_OLD = `${REPO_TAG}@${OLD_DIGEST}`;
const PINNED_NEW = `${REPO_TAG}@${NEW_DIGEST}`;

interface Fixture {
  store: Store;
  engine: FakeEngine;
  clock: FakeClock;
  service: FakeSwarmService;
  actionId: string;
}

/** A 2-replica Swarm service pinned to the old digest, the registry serving a new one, and an action In progress for it. */
async function fixture(
  type: Action['type'] = 'redeploy',
  options: ActionOptions = {},
  replicas: number | null = 2,
): Promise<Fixture> {
  const store = await openStore();
  const engine = new FakeEngine();
  engine.mode = 'swarm';
  const clock = new FakeClock();
  const service = engine.addSwarmService({ name: 'shop_api', imageRef: PINNED_OLD, replicas });
  engine.digests.set(REPO_TAG, NEW_DIGEST);
  const record = await addService(store, clock, {
    kind: 'swarm',
    key: service.id,
    name: service.name,
  });
  const action = await addActionInProgress(store, clock, record.id, type, options);
  return { store, engine, clock, service, actionId: action.id };
}

async function stored(f: Fixture): Promise<Action> {
  return storedAction(f.store, f.actionId);
}

/** A fresh runner on the action as stored now (a resume when its journal is set). */
async function redeploy(f: Fixture): Promise<ActionOutcome> {
  const runner = new SwarmRedeploy({ ...f, timing: TIMING });
  return runAndRecord(f.store, runner, await stored(f));
}

async function scale(f: Fixture): Promise<ActionOutcome> {
  const runner = new SwarmScale({ ...f, timing: TIMING });
  return runAndRecord(f.store, runner, await stored(f));
}

/** What a restarted worker does: attempts + 1, then a new runner on the stored action. */
async function resume(f: Fixture, run: (f: Fixture) => Promise<ActionOutcome>) {
  const action = await stored(f);
  await f.store.updateAction(f.actionId, { attempts: action.attempts + 1 });
  return run(f);
}

async function logOf(f: Fixture): Promise<string[]> {
  return actionLog(f.store, f.actionId);
}

/** The service shows a previous update as completed, and Swarm keeps showing it for 3 inspects before it starts ours. */
function staleCompletedUpdate(f: Fixture): void {
  f.service.update = {
    state: 'completed',
    message: 'update completed',
    startedAt: '2024-12-01T10:00:00.000Z',
    completedAt: '2024-12-01T10:01:00.000Z',
  };
  f.engine.updateLag = 3;
}

function updates(f: Fixture): string[] {
  return f.engine.trace().filter((t) => t.startsWith('swarm-update'));
}

/** Makes the engine unreachable right after the (first) service update took effect. */
function engineDropsAfterUpdate(f: Fixture): void {
  const update = f.engine.updateSwarmServiceImage.bind(f.engine);
  f.engine.updateSwarmServiceImage = async (id, imageRef) => {
    f.engine.updateSwarmServiceImage = update;
    await update(id, imageRef);
    f.engine.unavailable = 'connect ENOENT /var/run/docker.sock';
  };
}

describe('SwarmRedeploy', () => {
  it('pins repo:tag@digest with ForceUpdate bumped once, and succeeds when Swarm completes', async () => {
    const f = await fixture();

    const outcome = await redeploy(f);

    assert.deepEqual(outcome, { state: 'Success', reason: null });
    assert.deepEqual(updates(f), [`swarm-update ${f.service.id} ${PINNED_NEW}`]);
    assert.equal(f.service.imageRef, PINNED_NEW);
    assert.equal(f.service.forceUpdate, 1, 'ForceUpdate bumped exactly once');
    const action = await stored(f);
    assert.equal(action.imageRef, REPO_TAG);
    assert.equal(action.digestBefore, OLD_DIGEST, 'from the old pinned spec');
    assert.equal(action.digestAfter, NEW_DIGEST);
    const log = await logOf(f);
    assert.ok(log.includes(`The registry serves ${REPO_TAG} as ${NEW_DIGEST}`), log.join('\n'));
    assert.ok(log.includes(`Updated the service to ${PINNED_NEW} (ForceUpdate 1)`), log.join('\n'));
    assert.ok(
      log.some((m) => m.startsWith('Swarm update completed')),
      log.join('\n'),
    );
  });

  it('redeploys even when the digest did not change (ForceUpdate alone moves it)', async () => {
    const f = await fixture();
    f.engine.digests.set(REPO_TAG, OLD_DIGEST);
    assert.equal((await redeploy(f)).state, 'Success');
    assert.deepEqual(updates(f), [`swarm-update ${f.service.id} ${PINNED_OLD}`]);
    assert.equal(f.service.forceUpdate, 1);
    assert.equal((await stored(f)).digestAfter, OLD_DIGEST);
  });

  it('resolves an unpinned spec (repo:tag) too, with no digest before', async () => {
    const f = await fixture();
    f.service.imageRef = REPO_TAG;
    assert.equal((await redeploy(f)).state, 'Success');
    assert.equal(f.service.imageRef, PINNED_NEW);
    assert.equal((await stored(f)).digestBefore, null);
  });

  for (const state of ['paused', 'rollback_completed'] as const) {
    it(`fails when Swarm reports ${state}, with the failing tasks' errors in the log`, async () => {
      const f = await fixture();
      f.engine.updateOutcomes.set(PINNED_NEW, state);
      f.service.failingTasks = [
        'task: non-zero exit (1)',
        'starting container failed: exec: "app": not found',
      ];

      const outcome = await redeploy(f);

      assert.equal(outcome.state, 'Failed');
      assert.match(
        outcome.reason ?? '',
        state === 'paused' ? /^Swarm paused the update/ : /^Swarm rolled the update back/,
      );
      assert.match(outcome.reason ?? '', new RegExp(`update ${state}`), 'Swarm own message');
      const log = await logOf(f);
      assert.ok(
        log.some((m) => m.includes('failed: task: non-zero exit (1)')),
        log.join('\n'),
      );
      assert.ok(
        log.some((m) => m.includes('exec: "app": not found')),
        log.join('\n'),
      );
      assert.equal((await stored(f)).digestAfter, null);
      assert.equal(updates(f).length, 1);
      // A rollback puts the old spec back; a pause leaves the new one in place.
      assert.equal(f.service.imageRef, state === 'paused' ? PINNED_NEW : PINNED_OLD);
    });
  }

  it('fails after updateTimeoutMs when the update never settles', async () => {
    const f = await fixture();
    f.engine.updateOutcomes.set(PINNED_NEW, 'updating');
    f.service.failingTasks = ['no suitable node (insufficient resources on 1 node)'];
    const before = f.clock.now().getTime();

    const outcome = await redeploy(f);

    assert.equal(outcome.state, 'Failed');
    assert.match(outcome.reason ?? '', /had not completed after 600 s \(it is updating\)/);
    const waited = f.clock.now().getTime() - before;
    assert.ok(waited >= TIMING.updateTimeoutMs, `waited ${waited} ms`);
    assert.ok(waited <= TIMING.updateTimeoutMs + TIMING.pollMs, `waited ${waited} ms`);
    assert.ok((await logOf(f)).some((m) => m.includes('insufficient resources')));
    assert.equal(updates(f).length, 1);
  });

  it('does not take a previous update\u2019s "completed" for its own', async () => {
    const f = await fixture();
    staleCompletedUpdate(f);
    // Ours pauses once it starts.
    f.engine.updateOutcomes.set(PINNED_NEW, 'paused');

    const outcome = await redeploy(f);

    assert.equal(outcome.state, 'Failed', 'the stale completed status was not ours');
    assert.match(outcome.reason ?? '', /paused/);
    assert.ok(f.clock.sleeps.length >= 3, 'it polled through the stale status');
    const log = await logOf(f);
    assert.ok(!log.some((m) => m.startsWith('Swarm update completed')), log.join('\n'));
    assert.ok(log.includes('Swarm update updating: update in progress'), log.join('\n'));
  });

  it('succeeds once its own update completes after a stale "completed"', async () => {
    const f = await fixture();
    staleCompletedUpdate(f);

    assert.deepEqual(await redeploy(f), { state: 'Success', reason: null });
    // 3 stale inspects, 1 "updating", then "completed": four waits.
    assert.equal(f.clock.sleeps.length, 4);
  });

  it('fails without sending anything when the registry does not know the tag', async () => {
    const f = await fixture();
    f.engine.digests.clear();

    const outcome = await redeploy(f);

    assert.equal(outcome.state, 'Failed');
    assert.match(outcome.reason ?? '', /manifest unknown/);
    assert.deepEqual(f.engine.calls, []);
    assert.equal(f.service.forceUpdate, 0);
    assert.equal(f.service.imageRef, PINNED_OLD);
  });

  it('fails when the service is gone', async () => {
    const f = await fixture();
    f.engine.swarmServices.clear();
    const outcome = await redeploy(f);
    assert.equal(outcome.state, 'Failed');
    assert.match(outcome.reason ?? '', /no longer exists/);
  });

  it('lets EngineUnavailableError through before anything was sent', async () => {
    const f = await fixture();
    f.engine.unavailable = 'connect ENOENT /var/run/docker.sock';
    await assert.rejects(redeploy(f), (error: unknown) => error instanceof EngineUnavailableError);
    assert.deepEqual(f.engine.calls, []);
  });

  it('lets EngineUnavailableError through when the registry look-up cannot reach the engine', async () => {
    const f = await fixture();
    const resolve = f.engine.resolveDigest.bind(f.engine);
    f.engine.resolveDigest = async (ref) => {
      f.engine.unavailable = 'connect ENOENT /var/run/docker.sock';
      return resolve(ref);
    };
    await assert.rejects(redeploy(f), (error: unknown) => error instanceof EngineUnavailableError);
    assert.deepEqual(f.engine.calls, []);
  });

  it('resumes after the update was sent without sending it again', async () => {
    const f = await fixture();
    engineDropsAfterUpdate(f);

    await assert.rejects(redeploy(f), (error: unknown) => error instanceof EngineUnavailableError);
    assert.equal(updates(f).length, 1);
    assert.ok((await stored(f)).progress, 'the journal was saved');

    f.engine.unavailable = null;
    const outcome = await resume(f, redeploy);

    assert.deepEqual(outcome, { state: 'Success', reason: null });
    assert.equal(updates(f).length, 1, 'not sent twice');
    assert.equal(f.service.forceUpdate, 1);
    assert.equal((await stored(f)).digestAfter, NEW_DIGEST);
    assert.ok((await logOf(f)).includes('Resuming after an interruption (attempt 2)'));
  });

  it('does not send the update again on a resume after Swarm rolled it back', async () => {
    const f = await fixture();
    f.engine.updateOutcomes.set(PINNED_NEW, 'rollback_completed');
    f.service.failingTasks = ['task: non-zero exit (1)'];
    engineDropsAfterUpdate(f);
    await assert.rejects(redeploy(f), (error: unknown) => error instanceof EngineUnavailableError);
    // While Hoist cannot see it, Swarm runs the update, which fails and rolls back:
    // the spec is the previous one again, its ForceUpdate included.
    f.engine.unavailable = null;
    await f.engine.inspectSwarmService(f.service.id);
    assert.equal(f.service.imageRef, PINNED_OLD);
    assert.equal(f.service.forceUpdate, 0);

    const outcome = await resume(f, redeploy);

    assert.equal(outcome.state, 'Failed');
    assert.match(outcome.reason ?? '', /^Swarm rolled the update back/);
    assert.equal(updates(f).length, 1, 'the failed update was not sent a second time');
    assert.equal(f.service.imageRef, PINNED_OLD);
    assert.ok((await logOf(f)).some((m) => m.includes('non-zero exit (1)')));
  });

  it('resumes when the update was not sent yet by sending it once', async () => {
    const f = await fixture();
    // The engine goes away just as the update is about to be sent.
    f.engine.beforeMutation = (call) => {
      if (call.op === 'swarm-update') f.engine.unavailable = 'connect ENOENT';
    };
    await assert.rejects(redeploy(f), (error: unknown) => error instanceof EngineUnavailableError);
    assert.deepEqual(updates(f), []);
    assert.ok((await stored(f)).progress, 'the journal was saved before the update');

    f.engine.beforeMutation = null;
    f.engine.unavailable = null;
    const outcome = await resume(f, redeploy);

    assert.deepEqual(outcome, { state: 'Success', reason: null });
    assert.deepEqual(updates(f), [`swarm-update ${f.service.id} ${PINNED_NEW}`]);
    assert.equal(f.service.forceUpdate, 1);
  });

  it('on a resume follows the digest of its journal, not what the registry serves now', async () => {
    const f = await fixture();
    f.engine.beforeMutation = (call) => {
      if (call.op === 'swarm-update') f.engine.unavailable = 'connect ENOENT';
    };
    await assert.rejects(redeploy(f));
    f.engine.beforeMutation = null;
    f.engine.unavailable = null;
    f.engine.digests.set(REPO_TAG, 'sha256:newer');

    assert.equal((await resume(f, redeploy)).state, 'Success');
    assert.deepEqual(updates(f), [`swarm-update ${f.service.id} ${PINNED_NEW}`]);
  });
});

describe('SwarmScale', () => {
  it('adds N to the replicas and waits until that many tasks run', async () => {
    const f = await fixture('scale', { add: 3 });
    // The new tasks take a few reads of the service to start.
    f.service.running = 2;
    f.service.convergeAfterReads = 3;

    const outcome = await scale(f);

    assert.deepEqual(outcome, { state: 'Success', reason: null });
    assert.deepEqual(
      f.engine.trace().filter((t) => t.startsWith('swarm-')),
      [`swarm-scale ${f.service.id} 5`],
    );
    assert.equal(f.service.replicas, 5);
    assert.equal(f.clock.sleeps.length, 2, 'it waited for the tasks');
    const log = await logOf(f);
    assert.ok(log.includes('Scaled shop_api from 2 to 5 replicas'), log.join('\n'));
    assert.ok(log.includes('5 of 5 tasks running'), log.join('\n'));
  });

  it('sets the replicas to a count', async () => {
    const f = await fixture('scale', { replicas: 1 });
    assert.equal((await scale(f)).state, 'Success');
    assert.equal(f.service.replicas, 1);
  });

  it('refuses a global service with a clear reason, touching nothing', async () => {
    const f = await fixture('scale', { add: 1 }, null);
    const outcome = await scale(f);
    assert.equal(outcome.state, 'Failed');
    assert.match(outcome.reason ?? '', /global service/);
    assert.match(outcome.reason ?? '', /no replica count/);
    assert.deepEqual(f.engine.calls, []);
  });

  it('fails after updateTimeoutMs when the tasks never all run, with their errors in the log', async () => {
    const f = await fixture('scale', { add: 1 });
    f.service.running = 2;
    f.service.failingTasks = ['no suitable node (scheduling constraints not satisfied)'];
    const before = f.clock.now().getTime();

    const outcome = await scale(f);

    assert.equal(outcome.state, 'Failed');
    assert.match(outcome.reason ?? '', /2 of 3 tasks were running after 600 s/);
    const waited = f.clock.now().getTime() - before;
    assert.ok(waited >= TIMING.updateTimeoutMs, `waited ${waited} ms`);
    assert.ok(waited <= TIMING.updateTimeoutMs + TIMING.pollMs, `waited ${waited} ms`);
    assert.ok((await logOf(f)).some((m) => m.includes('scheduling constraints not satisfied')));
  });

  it('does not add twice when resumed after it scaled', async () => {
    const f = await fixture('scale', { add: 1 });
    const scaleTo = f.engine.scaleSwarmService.bind(f.engine);
    f.engine.scaleSwarmService = async (id, replicas) => {
      await scaleTo(id, replicas);
      f.engine.unavailable = 'connect ENOENT';
    };
    await assert.rejects(scale(f), (error: unknown) => error instanceof EngineUnavailableError);
    assert.equal(f.service.replicas, 3);

    f.engine.unavailable = null;
    assert.deepEqual(await resume(f, scale), { state: 'Success', reason: null });
    assert.equal(f.service.replicas, 3, 'still 2 + 1');
    assert.equal(f.engine.trace().filter((t) => t.startsWith('swarm-scale')).length, 1);
  });
});
