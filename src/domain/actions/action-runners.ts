import { HoistError } from '../errors.js';
import type { Engine } from '../ports/engine.js';
import type { Store } from '../ports/store.js';
import type { Action } from './action.js';
import type { ActionRunner } from './action-worker.js';
import type { StandaloneRedeploy } from './redeploy.js';
import type { ActionOutcome } from './action.js';
import type { StandaloneScale } from './standalone-scale.js';
import type { SwarmRedeploy } from './swarm-redeploy.js';
import type { SwarmScale } from './swarm-scale.js';

/** Picks the runner for an action by its type and its service's kind (Swarm or standalone). */
export class ActionRunners implements ActionRunner {
  constructor(
    private readonly deps: {
      store: Store;
      engine: Engine;
      standaloneRedeploy: StandaloneRedeploy;
      swarmRedeploy: SwarmRedeploy;
      standaloneScale: StandaloneScale;
      swarmScale: SwarmScale;
    },
  ) {}

  async run(action: Action): Promise<ActionOutcome> {
    const { store, engine } = this.deps;
    const record = await store.getService(action.serviceId);
    if (!record) throw new HoistError('service_not_found', `Service ${action.serviceId} is gone.`);
    if (action.type === 'redeploy') {
      return record.kind === 'swarm'
        ? this.deps.swarmRedeploy.run(action, record.key)
        : this.deps.standaloneRedeploy.run(action);
    }
    if (record.kind === 'swarm') return this.deps.swarmScale.run(action, record.key);
    const service = await engine.getService(record);
    if (!service || service.containers.length === 0) {
      return { state: 'Failed', reason: 'The service has no containers on the engine.' };
    }
    return this.deps.standaloneScale.run(action, service);
  }

  async abandon(action: Action): Promise<void> {
    const record = await this.deps.store.getService(action.serviceId);
    if (action.type === 'redeploy' && record && record.kind !== 'swarm') {
      await this.deps.standaloneRedeploy.abandon(action);
    }
  }
}
