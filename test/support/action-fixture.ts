/**
 * An action in a unit test's store: one In progress, as the worker hands it
 * to a runner, and what the store holds of it afterwards.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  outcomeFields,
  type Action,
  type ActionOptions,
  type ActionOutcome,
} from '../../src/domain/actions/action.js';
import type { ServiceActionRunner } from '../../src/domain/actions/action-runners.js';
import type { Clock } from '../../src/domain/clock.js';
import type { Store } from '../../src/domain/ports/store.js';
import type { FakeEngine } from './fake-engine.js';

/** An action of the service, In progress since now (attempt 1), as the worker leaves it before running it. */
export async function addActionInProgress(
  store: Store,
  clock: Clock,
  serviceId: string,
  type: Action['type'],
  options: ActionOptions = {},
): Promise<Action> {
  const now = clock.now().toISOString();
  const action: Action = {
    id: randomUUID(),
    serviceId,
    type,
    state: 'In progress',
    trigger: { kind: 'api', tokenName: 'admin' },
    options,
    imageRef: null,
    digestBefore: null,
    digestAfter: null,
    createdAt: now,
    startedAt: now,
    endedAt: null,
    reason: null,
    attempts: 1,
    progress: null,
  };
  await store.insertAction(action);
  return action;
}

/** The action as stored now; it must exist. */
export async function storedAction(store: Store, actionId: string): Promise<Action> {
  const action = await store.getAction(actionId);
  assert.ok(action);
  return action;
}

/** The messages of the action's log, oldest first. */
export async function actionLog(store: Store, actionId: string): Promise<string[]> {
  return (await store.getActionLog(actionId)).map((e) => e.message);
}

/**
 * What ActionRunners and the worker do around one runner: look the service
 * record up, run, write the fields the outcome reports. Returns how it ended.
 */
export async function runAndRecord(
  store: Store,
  runner: ServiceActionRunner,
  action: Action,
): Promise<ActionOutcome> {
  const service = await store.getService(action.serviceId);
  assert.ok(service, 'the action\u2019s service is in the store');
  const outcome = await runner.run(action, service);
  await store.updateAction(action.id, outcomeFields(outcome));
  return { state: outcome.state, reason: outcome.reason };
}

/**
 * Simulates Hoist dying just before the engine's mutating call number `k`
 * (0 = the first): that call never returns, so nothing after it runs, not
 * even a catch. Resolves once `run` is frozen there.
 */
export async function crashBeforeCall(
  engine: FakeEngine,
  k: number,
  run: () => Promise<unknown>,
): Promise<void> {
  let count = 0;
  let reached!: () => void;
  const frozen = new Promise<void>((resolve) => (reached = resolve));
  engine.beforeMutation = () => {
    if (count++ !== k) return;
    reached();
    return new Promise<void>(() => {});
  };
  void run().catch(() => {});
  await frozen;
  engine.beforeMutation = null;
}

/** What a restarted worker does before it runs an action left In progress: attempts + 1. */
export async function countRestart(store: Store, actionId: string): Promise<void> {
  const action = await storedAction(store, actionId);
  await store.updateAction(actionId, { attempts: action.attempts + 1 });
}
