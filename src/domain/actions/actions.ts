import type { Clock } from '../clock.js';
import { HoistError } from '../errors.js';
import { readPage, type Page } from '../paging.js';
import type { ActionFilter, Store } from '../ports/store.js';
import type { HoistItself } from '../services/hoist-itself.js';
import type { ServiceCatalog } from '../services/service-catalog.js';
import type { Action, ActionLogEntry, ActionOptions } from './action.js';
import { enqueueRedeploy, enqueueScale, type Enqueued } from './action-queue.js';

/** Reading actions and requesting redeploys through the API. */
/** Who asked through the API: the token's owner and the token's name. */
export interface ApiCaller {
  username: string;
  tokenName: string;
}

export class Actions {
  constructor(
    private readonly deps: {
      store: Store;
      catalog: ServiceCatalog;
      clock: Clock;
      itself: HoistItself;
      onEnqueued: (action: Action) => void;
    },
  ) {}

  /** A page of actions, newest first (paging.ts). */
  list(filter: ActionFilter & { limit: number }): Promise<Page<Action>> {
    const { limit, before, ...only } = filter;
    return readPage(
      limit,
      before,
      (n, from) => this.deps.store.listActions({ ...only, limit: n, before: from }),
      (action) => ({ at: action.createdAt, id: action.id }),
    );
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
    by: ApiCaller,
    options: ActionOptions,
  ): Promise<Enqueued> {
    await this.deps.catalog.record(serviceId);
    await this.deps.itself.guard(this.deps.store, serviceId, 'redeploying');
    const enqueued = await this.deps.store.transaction((tx) =>
      enqueueRedeploy(tx, this.deps.clock, {
        serviceId,
        trigger: { kind: 'api', ...by },
        options,
      }),
    );
    if (!enqueued.coalesced) this.deps.onEnqueued(enqueued.action);
    return enqueued;
  }

  /** Sets a service's replica count (Swarm) or number of containers (standalone). */
  async requestScale(serviceId: string, by: ApiCaller, replicas: number): Promise<Enqueued> {
    if (!Number.isInteger(replicas) || replicas < 0 || replicas > 100) {
      throw new HoistError('bad_request', 'replicas is a whole number from 0 to 100.');
    }
    await this.deps.catalog.record(serviceId);
    await this.deps.itself.guard(this.deps.store, serviceId, 'scaling');
    const enqueued = await this.deps.store.transaction((tx) =>
      enqueueScale(tx, this.deps.clock, {
        serviceId,
        trigger: { kind: 'api', ...by },
        options: { replicas },
      }),
    );
    if (!enqueued.coalesced) this.deps.onEnqueued(enqueued.action);
    return enqueued;
  }
}
