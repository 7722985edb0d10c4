import { HoistError } from '../errors.js';
import type { Store } from '../ports/store.js';
import type { HoistItself } from '../services/hoist-itself.js';
import type { ServiceRecord } from '../services/service.js';
import type { Action, ActionOutcome } from './action.js';
import type { ActionRunner } from './action-worker.js';
import type { StandaloneRedeploy } from './redeploy.js';
import type { StandaloneScale } from './standalone-scale.js';
import type { SwarmRedeploy } from './swarm-redeploy.js';
import type { SwarmScale } from './swarm-scale.js';

/** One kind of action on one kind of service; the service is looked up once, by ActionRunners. */
export interface ServiceActionRunner {
  /** Runs (or resumes, when action.progress is set); throws EngineUnavailableError to be retried. */
  run(action: Action, service: ServiceRecord): Promise<ActionOutcome>;
}

/** Picks the runner for an action by its type and its service's kind (Swarm or standalone). */
export class ActionRunners implements ActionRunner {
  constructor(
    private readonly deps: {
      store: Store;
      itself: HoistItself;
      standaloneRedeploy: StandaloneRedeploy;
      swarmRedeploy: SwarmRedeploy;
      standaloneScale: StandaloneScale;
      swarmScale: SwarmScale;
    },
  ) {}

  async run(action: Action): Promise<ActionOutcome> {
    const service = await this.deps.store.getService(action.serviceId);
    if (!service) throw new HoistError('service_not_found', `Service ${action.serviceId} is gone.`);
    // The last check: an action queued before Hoist knew which service is its own.
    await this.deps.itself.detect();
    const refusal = await this.deps.itself.refusal(
      this.deps.store,
      service.id,
      action.type === 'scale' ? 'scaling' : 'redeploying',
    );
    if (refusal) return { state: 'Failed', reason: refusal };
    return this.runnerFor(action, service).run(action, service);
  }

  async abandon(action: Action): Promise<void> {
    const record = await this.deps.store.getService(action.serviceId);
    if (action.type === 'redeploy' && record && record.kind !== 'swarm') {
      await this.deps.standaloneRedeploy.abandon(action);
    }
  }

  private runnerFor(action: Action, service: ServiceRecord): ServiceActionRunner {
    const swarm = service.kind === 'swarm';
    if (action.type === 'redeploy') {
      return swarm ? this.deps.swarmRedeploy : this.deps.standaloneRedeploy;
    }
    return swarm ? this.deps.swarmScale : this.deps.standaloneScale;
  }
}
