import type { Clock } from '../clock.js';
import { isoNow } from '../clock.js';
import type { ContainerInfo, DiscoveredService, Engine } from '../ports/engine.js';
import type { Store } from '../ports/store.js';
import type { ServiceRecord } from '../services/service.js';
import type { Action } from './action.js';
import type { ServiceActionRunner } from './action-runners.js';
import {
  RolloutFailure,
  asSentence,
  waitUntilReady,
  type ReadinessTiming,
} from './container-readiness.js';
import { ACTION_LABEL } from './redeploy.js';
import type { ActionOutcome } from './action.js';

const COMPOSE_NUMBER = 'com.docker.compose.container-number';

/**
 * Saved before anything is touched: with `add`, a resumed action must not add
 * twice. (Journals saved by earlier versions also hold `version: 1`, never read.)
 */
interface ScaleJournal {
  target: number;
}

/**
 * Scaling a standalone service: more containers are cloned from a running
 * one and named after the service with the next free index (Compose's
 * `project-service-N`, or `name-N`), each started and checked like a
 * redeployed container; fewer are removed from the highest index down.
 */
export class StandaloneScale implements ServiceActionRunner {
  constructor(
    private readonly deps: { store: Store; engine: Engine; clock: Clock; timing: ReadinessTiming },
  ) {}

  async run(action: Action, record: ServiceRecord): Promise<ActionOutcome> {
    const service = await this.deps.engine.getService(record);
    if (!service || service.containers.length === 0) {
      return { state: 'Failed', reason: 'The service has no containers on the engine.' };
    }
    // Scaling keeps the image: the outcome reports the one it copied.
    return {
      imageRef: action.imageRef ?? service.imageRef,
      ...(await this.scale(action, service)),
    };
  }

  private async scale(action: Action, service: DiscoveredService): Promise<ActionOutcome> {
    const { store, engine } = this.deps;
    const log = (message: string) =>
      store.appendActionLog(action.id, isoNow(this.deps.clock), message);

    if (service.kind === 'container') {
      return {
        state: 'Failed',
        reason: `${service.name} is a single container, and a single container cannot be scaled. Run it as a Compose service or create it with Hoist (POST /api/v1/services) to scale it.`,
      };
    }
    let journal = action.progress as ScaleJournal | null;
    /** Running clones of the interrupted run, which may not have been confirmed ready. */
    const unconfirmed: ContainerInfo[] = [];
    if (journal) {
      await log(`Resuming after an interruption (attempt ${action.attempts})`);
      // A container this action created but never saw come up is made again.
      for (const half of await engine.listContainersWithLabel(ACTION_LABEL, action.id)) {
        if (!half.running) await engine.removeContainer(half.id, { volumes: true });
        else unconfirmed.push(half);
      }
    } else {
      const current = service.containers.length;
      const target = action.options.replicas ?? current + (action.options.add ?? 0);
      // A standalone service is copied from its own containers: at zero there is nothing left to copy.
      if (target < 1) {
        return {
          state: 'Failed',
          reason: `A standalone service keeps at least one container (new ones are copies of it). Stop it with docker, or delete it if Hoist created it.`,
        };
      }
      journal = { target };
      await store.updateAction(action.id, { progress: journal, imageRef: service.imageRef });
      await log(`Scaling ${service.name} from ${current} to ${target}`);
    }

    try {
      for (const made of unconfirmed) await waitUntilReady(this.deps, made.id, made.name, log);
    } catch (error) {
      if (!(error instanceof RolloutFailure)) throw error;
      return this.removeAdded(action, error, log);
    }

    const fresh = (await engine.getService(service)) ?? service;
    const containers = fresh.containers;
    if (journal.target > containers.length) {
      return this.grow(action, fresh, journal.target, log);
    }
    const surplus = [...containers]
      .sort((a, b) => indexOf(b, fresh) - indexOf(a, fresh))
      .slice(0, containers.length - journal.target);
    for (const container of surplus) {
      await engine.stopContainer(container.id);
      await engine.removeContainer(container.id, { volumes: true });
      await log(`Removed ${container.name}`);
    }
    return { state: 'Success', reason: null };
  }

  private async grow(
    action: Action,
    service: DiscoveredService,
    target: number,
    log: (message: string) => Promise<void>,
  ): Promise<ActionOutcome> {
    const { engine } = this.deps;
    const template = service.containers.find((c) => c.running) ?? service.containers[0];
    if (!template) {
      return { state: 'Failed', reason: `${service.name} has no container to copy.` };
    }
    if (template.publishesPorts) {
      return {
        state: 'Failed',
        reason: `${service.name} publishes host ports, which a second container cannot bind. Remove the published ports (put a proxy in front) or run it as a Swarm service to scale it.`,
      };
    }
    const used = new Set(service.containers.map((c) => indexOf(c, service)));
    try {
      for (let count = service.containers.length; count < target; count++) {
        let index = 1;
        while (used.has(index)) index++;
        used.add(index);
        const name = `${baseName(service)}-${index}`;
        const id = await engine.createReplacement({
          fromContainerId: template.id,
          imageRef: template.imageRef,
          name,
          labels: {
            [ACTION_LABEL]: action.id,
            ...(service.kind === 'compose' ? { [COMPOSE_NUMBER]: String(index) } : {}),
          },
          reuseVolumes: false,
        });
        await engine.startContainer(id);
        await log(`Started ${name}, a copy of ${template.name}`);
        await waitUntilReady(this.deps, id, name, log);
      }
    } catch (error) {
      if (!(error instanceof RolloutFailure)) throw error;
      return this.removeAdded(action, error, log);
    }
    return { state: 'Success', reason: null };
  }

  /** A clone did not come up: every container this action added goes. */
  private async removeAdded(
    action: Action,
    error: RolloutFailure,
    log: (message: string) => Promise<void>,
  ): Promise<ActionOutcome> {
    for (const made of await this.deps.engine.listContainersWithLabel(ACTION_LABEL, action.id)) {
      await this.deps.engine.removeContainer(made.id, { volumes: true });
      await log(`Removed ${made.name}, which this action had added`);
    }
    return { state: 'Failed', reason: asSentence(error.message) };
  }
}

/** Compose: project-service; Hoist's own services: their name. */
function baseName(service: DiscoveredService): string {
  return service.kind === 'compose' ? service.key.replace('/', '-') : service.key;
}

/** A container's index in its service: Compose's container number, or the name's -N suffix. */
function indexOf(container: ContainerInfo, service: DiscoveredService): number {
  const fromLabel = Number(container.labels[COMPOSE_NUMBER]);
  if (service.kind === 'compose' && Number.isInteger(fromLabel) && fromLabel > 0) return fromLabel;
  const match = /-(\d+)$/.exec(container.name);
  return match ? Number(match[1]) : 0;
}
