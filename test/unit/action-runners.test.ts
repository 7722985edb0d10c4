/**
 * Which runner an action goes to: by its type and its service's kind. Real
 * SQLite store, runners that only record what they got.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import type { Action, ActionOutcome } from '../../src/domain/actions/action.js';
import { ActionRunners } from '../../src/domain/actions/action-runners.js';
import type { StandaloneRedeploy } from '../../src/domain/actions/redeploy.js';
import type { StandaloneScale } from '../../src/domain/actions/standalone-scale.js';
import type { SwarmRedeploy } from '../../src/domain/actions/swarm-redeploy.js';
import type { SwarmScale } from '../../src/domain/actions/swarm-scale.js';
import { HoistError } from '../../src/domain/errors.js';
import type { ServiceKind } from '../../src/domain/ports/engine.js';
import type { ServiceRecord } from '../../src/domain/services/service.js';
import { FakeClock } from '../support/fake-engine.js';
import { addActionInProgress } from '../support/action-fixture.js';
import { addService, hoistItself, openStore } from '../support/unit-fixture.js';

/** A runner that records each call as "<runner> <the service it was given>". */
function recorder(calls: string[], name: string) {
  return {
    run: async (_action: Action, service: ServiceRecord): Promise<ActionOutcome> => {
      calls.push(`${name} run ${service.kind}:${service.key}`);
      return { state: 'Success', reason: null };
    },
    abandon: async (action: Action): Promise<void> => {
      calls.push(`${name} abandon ${action.id}`);
    },
  };
}

async function fixture() {
  const store = await openStore();
  const clock = new FakeClock();
  const calls: string[] = [];
  const runners = new ActionRunners({
    store,
    itself: hoistItself(store, clock),
    standaloneRedeploy: recorder(calls, 'standalone-redeploy') as unknown as StandaloneRedeploy,
    swarmRedeploy: recorder(calls, 'swarm-redeploy') as unknown as SwarmRedeploy,
    standaloneScale: recorder(calls, 'standalone-scale') as unknown as StandaloneScale,
    swarmScale: recorder(calls, 'swarm-scale') as unknown as SwarmScale,
  });

  async function action(kind: ServiceKind, key: string, type: Action['type']): Promise<Action> {
    const record = await addService(store, clock, { kind, key, name: key });
    return addActionInProgress(store, clock, record.id, type, type === 'scale' ? { add: 1 } : {});
  }

  return { store, calls, runners, action };
}

describe('ActionRunners', () => {
  it('sends a redeploy of a Swarm service to SwarmRedeploy with its service (its Swarm id)', async () => {
    const f = await fixture();
    const a = await f.action('swarm', 'svc-api', 'redeploy');
    assert.deepEqual(await f.runners.run(a), { state: 'Success', reason: null });
    assert.deepEqual(f.calls, ['swarm-redeploy run swarm:svc-api']);
  });

  it('sends a redeploy of a compose service to StandaloneRedeploy', async () => {
    const f = await fixture();
    const a = await f.action('compose', 'shop/web', 'redeploy');
    await f.runners.run(a);
    assert.deepEqual(f.calls, ['standalone-redeploy run compose:shop/web']);
  });

  it('sends a scale of a Swarm service to SwarmScale', async () => {
    const f = await fixture();
    const a = await f.action('swarm', 'svc-api', 'scale');
    await f.runners.run(a);
    assert.deepEqual(f.calls, ['swarm-scale run swarm:svc-api']);
  });

  it('sends a scale of a compose service to StandaloneScale with its service', async () => {
    const f = await fixture();
    const a = await f.action('compose', 'shop/web', 'scale');
    await f.runners.run(a);
    assert.deepEqual(f.calls, ['standalone-scale run compose:shop/web']);
  });

  it('throws service_not_found when the action\u2019s service record is gone', async () => {
    const f = await fixture();
    const a = await f.action('compose', 'shop/web', 'redeploy');
    await assert.rejects(
      f.runners.run({ ...a, serviceId: randomUUID() }),
      (error: unknown) => error instanceof HoistError && error.code === 'service_not_found',
    );
  });

  it('abandons only standalone redeploys', async () => {
    const f = await fixture();
    const standalone = await f.action('compose', 'shop/web', 'redeploy');
    await f.runners.abandon(standalone);
    await f.runners.abandon(await f.action('swarm', 'svc-api', 'redeploy'));
    await f.runners.abandon(await f.action('compose', 'shop/web', 'scale'));
    await f.runners.abandon(await f.action('swarm', 'svc-api', 'scale'));
    assert.deepEqual(f.calls, [`standalone-redeploy abandon ${standalone.id}`]);
  });
});
