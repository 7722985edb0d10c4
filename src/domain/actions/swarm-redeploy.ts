import type { Clock } from '../clock.js';
import { isoNow } from '../clock.js';
import { EngineUnavailableError, HoistError } from '../errors.js';
import type { Engine, SwarmServiceState } from '../ports/engine.js';
import type { Store } from '../ports/store.js';
import type { ServiceRecord } from '../services/service.js';
import type { Action, ActionOutcome } from './action.js';
import type { ServiceActionRunner } from './action-runners.js';
import { parseImageReference } from '../image-reference.js';

export interface SwarmTiming {
  /** How long an update may run before the action is Failed (the service keeps updating). */
  updateTimeoutMs: number;
  pollMs: number;
}

/**
 * Saved before the service is touched, so a restarted Hoist follows the same
 * update. (Journals saved by earlier versions also hold `version: 1`, never read.)
 */
interface SwarmJournal {
  /** repo:tag@digest the service is being moved to. */
  target: string;
  /** The spec's ForceUpdate before Hoist's update; a higher one means the update was sent. */
  forceUpdateBefore: number;
  /**
   * When the service's previous update started. Swarm starts an update
   * asynchronously, so until UpdateStatus shows another start time its state
   * is the previous update's, not ours.
   */
  previousUpdateStartedAt: string | null;
}

/**
 * Redeploy of a Swarm service: resolve repo:tag to the digest the registry
 * serves now, pin the service to repo:tag@digest with ForceUpdate bumped (so
 * it redeploys even when the digest did not change), then follow Swarm's own
 * rolling update. The service's update_config and rollback_config decide how
 * it rolls and whether it rolls back; Hoist only reports the outcome.
 */
export class SwarmRedeploy implements ServiceActionRunner {
  constructor(
    private readonly deps: { store: Store; engine: Engine; clock: Clock; timing: SwarmTiming },
  ) {}

  async run(action: Action, record: ServiceRecord): Promise<ActionOutcome> {
    const { store, engine } = this.deps;
    const serviceId = record.key;
    const log = (message: string) =>
      store.appendActionLog(action.id, isoNow(this.deps.clock), message);

    const service = await engine.inspectSwarmService(serviceId);
    if (!service) {
      return { state: 'Failed', reason: `Swarm service ${serviceId} no longer exists.` };
    }
    let journal = action.progress as SwarmJournal | null;
    const resuming = journal !== null;
    // What the outcome reports: on a resume, as the interrupted run saved it (the spec has moved since).
    const found = resuming
      ? { imageRef: action.imageRef, digestBefore: action.digestBefore }
      : { imageRef: unpinned(service.imageRef), digestBefore: pinnedDigest(service.imageRef) };
    if (journal) {
      await log(`Resuming after an interruption (attempt ${action.attempts})`);
    } else {
      try {
        journal = await this.prepare(action, service, log);
      } catch (error) {
        if (error instanceof HoistError && !(error instanceof EngineUnavailableError)) {
          return { ...found, state: 'Failed', reason: error.message };
        }
        throw error;
      }
    }

    if (!resuming || !updateWasSent(service, journal)) {
      await engine.updateSwarmServiceImage(serviceId, journal.target);
      await log(
        `Updated the service to ${journal.target} (ForceUpdate ${journal.forceUpdateBefore + 1})`,
      );
    }
    return { ...found, ...(await this.follow(action, serviceId, journal, log)) };
  }

  private async prepare(
    action: Action,
    service: SwarmServiceState,
    log: (message: string) => Promise<void>,
  ): Promise<SwarmJournal> {
    const { store, engine } = this.deps;
    const imageRef = unpinned(service.imageRef);
    const digestBefore = pinnedDigest(service.imageRef);
    await store.updateAction(action.id, { imageRef, digestBefore });
    // A reported push names its digest: pin that one (the registry may not have moved the tag yet).
    const reported = action.options.expectedDigest;
    let digest: string;
    if (reported) {
      digest = reported;
      await log(`Pinning ${imageRef} to the pushed ${digest}`);
    } else {
      await log(`Resolving ${imageRef}`);
      digest = await engine.resolveDigest(imageRef);
      await log(`The registry serves ${imageRef} as ${digest}`);
    }
    const journal: SwarmJournal = {
      target: `${imageRef}@${digest}`,
      forceUpdateBefore: service.forceUpdate,
      previousUpdateStartedAt: service.update?.startedAt ?? null,
    };
    await store.updateAction(action.id, { progress: journal });
    return journal;
  }

  private async follow(
    action: Action,
    serviceId: string,
    journal: SwarmJournal,
    log: (message: string) => Promise<void>,
  ): Promise<ActionOutcome> {
    const { engine, clock, timing, store } = this.deps;
    const started = clock.now().getTime();
    let lastState: string | null = null;
    for (;;) {
      const service = await engine.inspectSwarmService(serviceId);
      if (!service)
        return { state: 'Failed', reason: 'The Swarm service was removed during the update.' };
      const ours =
        service.update !== null && service.update.startedAt !== journal.previousUpdateStartedAt;
      const state = ours ? (service.update?.state ?? null) : null;
      if (state !== lastState && state !== null) {
        await log(
          `Swarm update ${state}${service.update?.message ? `: ${service.update.message}` : ''}`,
        );
        lastState = state;
      }
      if (state === 'completed') {
        const digestAfter = pinnedDigest(journal.target);
        await store.updateServiceImage(action.serviceId, journal.target, digestAfter);
        return { state: 'Success', reason: null, digestAfter };
      }
      if (state === 'paused' || state === 'rollback_completed' || state === 'rollback_paused') {
        await this.logFailingTasks(serviceId, log);
        const why = service.update?.message ? `: ${service.update.message}` : '';
        return {
          state: 'Failed',
          reason:
            state === 'paused'
              ? `Swarm paused the update${why}`
              : `Swarm rolled the update back${why}`,
        };
      }
      if (clock.now().getTime() - started >= timing.updateTimeoutMs) {
        await this.logFailingTasks(serviceId, log);
        return {
          state: 'Failed',
          reason: `The Swarm update had not completed after ${Math.round(timing.updateTimeoutMs / 1000)} s (it is ${state ?? 'not started'}); Swarm goes on with it.`,
        };
      }
      await clock.sleep(timing.pollMs);
    }
  }

  private async logFailingTasks(serviceId: string, log: (m: string) => Promise<void>) {
    const tasks = await this.deps.engine.listSwarmTasks(serviceId);
    const failed = tasks.filter((t) => t.error).slice(0, 5);
    for (const task of failed) {
      await log(
        `Task ${task.id.slice(0, 12)}${task.node ? ` on ${task.node}` : ''} ${task.state}: ${task.error}`,
      );
    }
  }
}

/**
 * On a resume: did the interrupted run's update reach Swarm? A higher
 * ForceUpdate says so, but a rollback puts the previous spec back, ForceUpdate
 * included; the UpdateStatus still tells, as Swarm resets it when the spec is
 * updated and stamps a new startedAt when it starts the update.
 */
function updateWasSent(service: SwarmServiceState, journal: SwarmJournal): boolean {
  return (
    service.forceUpdate > journal.forceUpdateBefore ||
    (service.update?.startedAt ?? null) !== journal.previousUpdateStartedAt
  );
}

/** The digest a `repo:tag@sha256:...` spec image is pinned to; null when unpinned. */
function pinnedDigest(imageRef: string): string | null {
  return parseImageReference(imageRef).digest;
}

/** `repo:tag@sha256:...` -> `repo:tag`: the tag a redeploy follows. */
function unpinned(imageRef: string): string {
  const { repository, tag } = parseImageReference(imageRef);
  return tag ? `${repository}:${tag}` : repository;
}
