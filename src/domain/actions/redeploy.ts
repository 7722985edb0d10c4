import type { Clock } from '../clock.js';
import { isoNow } from '../clock.js';
import { EngineUnavailableError, HoistError } from '../errors.js';
import type { ContainerInfo, Engine, NetworkMembership } from '../ports/engine.js';
import type { Store } from '../ports/store.js';
import type { ServiceRecord } from '../services/service.js';
import type { Action, ActionOutcome } from './action.js';
import type { ServiceActionRunner } from './action-runners.js';
import { transientName } from './container-names.js';
import {
  RolloutFailure,
  asSentence,
  waitUntilReady,
  type ReadinessTiming,
} from './container-readiness.js';

/** A registry notifies before it moves the tag: how long to wait for the pushed digest. */
const PULL_RETRIES = 5;
const PULL_RETRY_MS = 2000;

/** Labels Hoist writes on every container it creates while redeploying. */
export const ACTION_LABEL = 'io.hoist.action';
export const REPLACES_LABEL = 'io.hoist.replaces';

/**
 * The write-ahead journal of a standalone redeploy, saved in the action before
 * the first container is touched. With the labels on new containers it is all
 * a restarted Hoist needs to repair a half-replaced container and go on.
 * (Journals saved by earlier versions also hold `version: 1`, never read.)
 */
export interface RedeployJournal {
  imageRef: string;
  imageId: string;
  digest: string | null;
  targets: Target[];
}

interface Target {
  oldId: string;
  name: string;
  wasRunning: boolean;
  /** Two copies cannot run at once when the container publishes host ports. */
  publishesPorts: boolean;
  /**
   * Where a start-first candidate was resolvable by name, saved before its
   * aliases are withdrawn so that a rollback, or a restarted Hoist, can put
   * them back. Absent in journals written before drains existed.
   */
  networks?: NetworkMembership[];
}

/**
 * Redeploy on a standalone engine, Tutum's order: pull once, then one container
 * at a time create the replacement from the old one's configuration, stop the
 * old, start the new and wait until it is healthy (or has stayed up for the
 * monitor period). Old containers are kept, stopped and renamed aside, until
 * every replacement is up, so a failure at any container can put the whole
 * service back on the old image: it ends all-new or all-old, never mixed.
 *
 * Start-first on a user-defined network hands the name over without a failed
 * request: the new container starts without its aliases (Docker's DNS would
 * name it before its process listens) and gets them once ready; it takes the
 * name, the old one's aliases are withdrawn (the engine's DNS stops handing
 * out its address, its open connections stay), and only after the drain
 * period is the old one stopped. Stopping it while DNS still named it, or
 * naming the new one before it listened, is what failed clients' requests.
 */
export class StandaloneRedeploy implements ServiceActionRunner {
  constructor(
    private readonly deps: {
      store: Store;
      engine: Engine;
      clock: Clock;
      timing: ReadinessTiming;
      /** How long a drained old container keeps serving open connections before it is stopped (default 0). */
      drainMs?: number;
    },
  ) {}

  async run(action: Action, service: ServiceRecord): Promise<ActionOutcome> {
    const { store } = this.deps;
    const log = (message: string) =>
      store.appendActionLog(action.id, isoNow(this.deps.clock), message);
    /** What the outcome reports; saved early too, and read back from the action on a resume. */
    const found = { imageRef: action.imageRef, digestBefore: action.digestBefore };

    let journal = action.progress as RedeployJournal | null;
    const resumed = journal !== null;
    if (journal) {
      await log(`Resuming after an interruption (attempt ${action.attempts})`);
      await this.repair(action, journal, log);
    } else {
      // Interrupted before its journal was saved (during the pull, say): nothing
      // was touched, so it starts over, but its log must still say why.
      if (action.attempts > 1) {
        await log(
          `Resuming after an interruption (attempt ${action.attempts}): no container had been touched yet, starting over`,
        );
      }
      try {
        journal = await this.prepare(action, service, found, log);
      } catch (error) {
        // Nothing has been touched yet: a pull that fails just fails the action.
        if (error instanceof HoistError && !(error instanceof EngineUnavailableError)) {
          return { ...found, state: 'Failed', reason: error.message };
        }
        throw error;
      }
      if (!journal) {
        return { state: 'Failed', reason: 'The service has no containers on the engine.' };
      }
    }

    try {
      // Listed once: each replace() creates only its own target's replacement.
      // A fresh run saved its journal before creating any, so it has none yet.
      const replacements = resumed
        ? await this.replacements(action.id)
        : new Map<string, ContainerInfo>();
      for (const target of journal.targets) {
        await this.replace(action, journal, target, replacements.get(target.oldId) ?? null, log);
      }
    } catch (error) {
      // An unreachable engine is not the new image's fault: the worker resumes later.
      if (error instanceof EngineUnavailableError) throw error;
      const reason =
        error instanceof RolloutFailure || error instanceof HoistError
          ? error.message
          : `unexpected error: ${String(error)}`;
      await log(`Rolling back: ${reason}`);
      await this.putAllBack(action, journal, log);
      return { ...found, state: 'Failed', reason: asSentence(reason) };
    }

    for (const target of journal.targets) {
      try {
        await this.deps.engine.removeContainer(target.oldId, {
          volumes: !reusesVolumes(action),
        });
        await log(`Removed the old container of ${target.name}`);
      } catch (error) {
        if (error instanceof EngineUnavailableError) throw error;
        await log(`Could not remove the old container of ${target.name}: ${String(error)}`);
      }
    }
    await store.updateServiceImage(action.serviceId, journal.imageRef, journal.digest);
    return { ...found, state: 'Success', reason: null, digestAfter: journal.digest };
  }

  /**
   * Called when an action is given up without running again (too many
   * interrupted attempts): puts every container back as it was before it.
   */
  async abandon(action: Action): Promise<void> {
    const journal = action.progress as RedeployJournal | null;
    if (!journal) return;
    const log = (message: string) =>
      this.deps.store.appendActionLog(action.id, isoNow(this.deps.clock), message);
    await this.putAllBack(action, journal, log);
  }

  private async prepare(
    action: Action,
    record: ServiceRecord,
    found: { imageRef: string | null; digestBefore: string | null },
    log: (message: string) => Promise<void>,
  ): Promise<RedeployJournal | null> {
    const { store, engine } = this.deps;
    const service = await engine.getService(record);
    if (!service || service.containers.length === 0) return null;

    const imageRef = service.imageRef;
    const digestBefore = service.containers.find((c) => c.digest)?.digest ?? null;
    await store.updateAction(action.id, { imageRef, digestBefore });
    Object.assign(found, { imageRef, digestBefore });
    await log(`Pulling ${imageRef}`);
    let pulled = await engine.pullImage(imageRef);
    const expected = action.options.expectedDigest;
    for (
      let attempt = 1;
      expected && pulled.digest !== expected && attempt <= PULL_RETRIES;
      attempt++
    ) {
      await log(
        `The registry still serves ${pulled.digest ?? 'another image'} for ${imageRef}, not the pushed ${expected}: pulling again`,
      );
      await this.deps.clock.sleep(PULL_RETRY_MS);
      pulled = await engine.pullImage(imageRef);
    }
    if (expected && pulled.digest !== expected) {
      await log(
        `The registry serves ${pulled.digest ?? 'another image'} for ${imageRef} now; redeploying that`,
      );
    }
    await log(`Pulled ${imageRef} (${pulled.digest ?? pulled.imageId})`);

    const targets: Target[] = [];
    for (const c of service.containers) {
      const target: Target = {
        oldId: c.id,
        name: c.name,
        wasRunning: c.running,
        publishesPorts: c.publishesPorts,
      };
      if (c.running && !c.publishesPorts) target.networks = await engine.networkMemberships(c.id);
      targets.push(target);
    }
    const journal: RedeployJournal = {
      imageRef,
      imageId: pulled.imageId,
      digest: pulled.digest,
      targets,
    };
    await store.updateAction(action.id, { progress: journal });
    return journal;
  }

  /**
   * Replaces one container; a target already replaced by this action (after a
   * resume: `existing`, its replacement) is only re-checked.
   */
  private async replace(
    action: Action,
    journal: RedeployJournal,
    target: Target,
    existing: ContainerInfo | null,
    log: (message: string) => Promise<void>,
  ): Promise<void> {
    const { engine } = this.deps;
    if (existing && existing.name === target.name) {
      if (target.wasRunning) await waitUntilReady(this.deps, existing.id, target.name, log);
      return;
    }

    // Zero downtime where possible: the new container comes up before the old
    // one stops, unless both would want the same host ports or the same static address.
    const networks = target.networks ?? [];
    const pinned = networks.find((m) => m.ipv4Address !== null || m.ipv6Address !== null);
    const startFirst = target.wasRunning && target.publishesPorts === false && !pinned;
    const newId = await engine.createReplacement({
      fromContainerId: target.oldId,
      imageRef: journal.imageRef,
      name: transientName(target.name, 'new', action.id),
      labels: { [ACTION_LABEL]: action.id, [REPLACES_LABEL]: target.oldId },
      reuseVolumes: reusesVolumes(action),
      ...(action.options.triggerBody !== undefined
        ? { env: { HOIST_TRIGGER_BODY: action.options.triggerBody } }
        : {}),
    });
    await log(
      `Created the new container for ${target.name}` +
        (target.wasRunning ? ` (${this.orderReason(startFirst, networks, pinned)})` : ''),
    );
    const drains = startFirst && networks.length > 0;
    // Docker's DNS names a container from its start, before its process listens:
    // the new one gets its aliases only once it is ready.
    if (drains) await engine.withdrawAliases(newId, networks);
    if (startFirst) {
      await engine.startContainer(newId);
      await log(
        `Started the new container ${target.name}` +
          (drains ? ' (out of name resolution until it is ready)' : ''),
      );
      await waitUntilReady(this.deps, newId, target.name, log);
      if (drains) {
        await engine.restoreAliases(newId, networks);
        await this.drainAndStop(action, target, newId, networks, log);
        return;
      }
      await this.stopOld(target, log);
      await this.takeName(action, target, newId);
      return;
    }
    if (target.wasRunning) await this.stopOld(target, log);
    await this.takeName(action, target, newId);
    if (!target.wasRunning) {
      await log(`Replaced ${target.name} (left stopped, as the old one was)`);
      return;
    }
    await engine.startContainer(newId);
    await log(`Started the new container ${target.name}`);
    await waitUntilReady(this.deps, newId, target.name, log);
  }

  /** Puts every target back, the last first, from one listing of this action's containers. */
  private async putAllBack(
    action: Action,
    journal: RedeployJournal,
    log: (message: string) => Promise<void>,
  ): Promise<void> {
    const replacements = await this.replacements(action.id);
    for (const target of [...journal.targets].reverse()) {
      await this.putBack(action, target, replacements.get(target.oldId) ?? null, log);
    }
  }

  /**
   * The new container is ready: it takes the name (a DNS name on user-defined
   * networks too), the old one's aliases are withdrawn, and the old one stops
   * only after the drain period. Renaming first leaves a restarted Hoist a
   * target that counts as done, whose old container it removes.
   */
  private async drainAndStop(
    action: Action,
    target: Target,
    newId: string,
    networks: NetworkMembership[],
    log: (message: string) => Promise<void>,
  ): Promise<void> {
    await this.takeName(action, target, newId);
    await this.deps.engine.withdrawAliases(target.oldId, networks);
    const aliases = [...new Set(networks.flatMap((m) => m.aliases))];
    await log(
      `The new container ${target.name} took over its name and aliases; took the old one out of name resolution on ${networks.map((m) => m.network).join(', ')}` +
        (aliases.length > 0 ? ` (aliases ${aliases.join(', ')})` : '') +
        `; it finishes open requests for ${seconds(this.drainMs())} before it stops`,
    );
    if (this.drainMs() > 0) await this.deps.clock.sleep(this.drainMs());
    await this.stopOld(target, log);
  }

  /** Why the new container starts before or after the old one stops, for the action's log. */
  private orderReason(
    startFirst: boolean,
    networks: NetworkMembership[],
    pinned: NetworkMembership | undefined,
  ): string {
    if (pinned) {
      return `stop-first: it has a static address on network ${pinned.network}, which two containers cannot share`;
    }
    if (!startFirst) return 'stop-first: it publishes host ports';
    if (networks.length === 0) return 'start-first: it publishes no host port';
    return `start-first: it publishes no host port; the old one leaves name resolution and drains for ${seconds(this.drainMs())} before it stops`;
  }

  /** The old container steps aside under a transient name; the new one takes the service's name. */
  private async takeName(action: Action, target: Target, newId: string): Promise<void> {
    await this.deps.engine.renameContainer(
      target.oldId,
      transientName(target.name, 'old', action.id),
    );
    await this.deps.engine.renameContainer(newId, target.name);
  }

  private async stopOld(target: Target, log: (message: string) => Promise<void>): Promise<void> {
    await this.deps.engine.stopContainer(target.oldId);
    await log(`Stopped the old container ${target.name}`);
  }

  private drainMs(): number {
    return this.deps.drainMs ?? 0;
  }

  /** Undoes whatever this action did to one target: removes its replacement and restores the old container. */
  private async putBack(
    action: Action,
    target: Target,
    replacement: ContainerInfo | null,
    log: (message: string) => Promise<void>,
  ): Promise<void> {
    const { engine } = this.deps;
    // Fresh anonymous volumes die with their container; reused ones belong to the old one.
    if (replacement) {
      await engine.removeContainer(replacement.id, { volumes: !reusesVolumes(action) });
    }
    const old = await engine.inspectContainer(target.oldId);
    if (!old) {
      if (replacement) await log(`Cannot put back ${target.name}: its old container is gone`);
      return;
    }
    if (old.name !== target.name) await engine.renameContainer(old.id, target.name);
    // Back on its networks under its aliases before it serves again.
    if (target.networks && target.networks.length > 0) {
      try {
        await engine.restoreAliases(old.id, target.networks);
      } catch (error) {
        if (error instanceof EngineUnavailableError) throw error;
        await log(
          `Could not give the old container ${target.name} its network aliases back (${String(error)}): reconnect it by hand with docker network connect --alias`,
        );
      }
    }
    if (target.wasRunning && !old.running) await engine.startContainer(old.id);
    if (replacement) await log(`Put the old container ${target.name} back`);
  }

  /**
   * After a restart: a target whose replacement is in place under its name and
   * running (or meant to stay stopped) is done; any other target is put back to
   * exactly how it was, so replace() can redo it from the start.
   */
  private async repair(
    action: Action,
    journal: RedeployJournal,
    log: (message: string) => Promise<void>,
  ): Promise<void> {
    const ours = await this.deps.engine.listContainersWithLabel(ACTION_LABEL, action.id);
    const replacements = byReplaced(ours);
    for (const target of journal.targets) {
      const replacement = replacements.get(target.oldId) ?? null;
      const done =
        replacement !== null &&
        replacement.name === target.name &&
        (replacement.running || !target.wasRunning);
      if (!done) {
        await this.putBack(action, target, replacement, log);
      }
    }
    // putBack() touched only targets' replacements: the strays are as listed.
    const known = new Set(journal.targets.map((t) => t.oldId));
    for (const stray of ours.filter((c) => !known.has(c.labels[REPLACES_LABEL] ?? ''))) {
      await this.deps.engine.removeContainer(stray.id, { volumes: false });
      await log(`Removed a stray container ${stray.name}`);
    }
  }

  /**
   * This action's replacements by the old container each replaces. Listed once
   * per phase (replace, roll back, repair): a listing per target would make
   * engine calls grow with the square of the number of containers.
   */
  private async replacements(actionId: string): Promise<Map<string, ContainerInfo>> {
    return byReplaced(await this.deps.engine.listContainersWithLabel(ACTION_LABEL, actionId));
  }
}

function byReplaced(containers: ContainerInfo[]): Map<string, ContainerInfo> {
  const replacements = new Map<string, ContainerInfo>();
  for (const c of containers) {
    const replaced = c.labels[REPLACES_LABEL];
    if (replaced && !replacements.has(replaced)) replacements.set(replaced, c);
  }
  return replacements;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

function reusesVolumes(action: Action): boolean {
  return action.options.reuseVolumes !== false;
}
