import type { Clock } from '../clock.js';
import { HoistError } from '../errors.js';
import type { ActionFilter, Store } from '../ports/store.js';
import type { ServiceCatalog } from '../services/service-catalog.js';
import type { Action, ActionLogEntry, ActionOptions } from './action.js';
import { enqueueRedeploy, type Enqueued } from './action-queue.js';

/** Reading actions and requesting redeploys through the API. */
export class Actions {
  constructor(
    private readonly deps: {
      store: Store;
      catalog: ServiceCatalog;
      clock: Clock;
      onEnqueued: () => void;
    },
  ) {}

  list(filter: ActionFilter): Promise<Action[]> {
    return this.deps.store.listActions(filter);
  }

  async get(id: string): Promise<{ action: Action; log: ActionLogEntry[] }> {
    const action = await this.deps.store.getAction(id);
    if (!action) {
      throw new HoistError(
        'action_not_found',
        `No action has id ${id}. List actions with GET /api/v1/actions.`,
      );
    }
    return { action, log: await this.deps.store.getActionLog(id) };
  }

  async requestRedeploy(
    serviceId: string,
    tokenName: string,
    options: ActionOptions,
  ): Promise<Enqueued> {
    await this.deps.catalog.record(serviceId);
    const enqueued = await this.deps.store.transaction((tx) =>
      enqueueRedeploy(tx, this.deps.clock, {
        serviceId,
        trigger: { kind: 'api', tokenName },
        options,
      }),
    );
    this.deps.onEnqueued();
    return enqueued;
  }
}
