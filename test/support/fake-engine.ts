/**
 * An in-memory Engine for unit tests of the domain's decisions (never for the
 * Docker adapter's own behaviour). It mirrors what the domain relies on from
 * Docker: unique container names (409 on a clash), force-remove and stop
 * that do not fail when there is nothing to do, and `running` true while a
 * crash-looping container is "restarting". What a started container does is
 * scripted per image id. Every call is recorded in order; `unavailable`
 * makes every method throw EngineUnavailableError.
 *
 * Also exports FakeClock: time that only moves when someone sleeps.
 */
import type { Clock } from '../../src/domain/clock.js';
import { EngineUnavailableError, HoistError } from '../../src/domain/errors.js';
import { isTransientContainerName } from '../../src/domain/actions/container-names.js';
import type {
  ContainerInfo,
  DiscoveredService,
  Engine,
  EngineInfo,
  HealthStatus,
  NetworkMembership,
  PulledImage,
  NewService,
  OwnService,
  ReplacementSpec,
  ServiceKind,
  ServiceRef,
  SwarmServiceState,
  SwarmUpdateState,
  TaskInfo,
} from '../../src/domain/ports/engine.js';

/** What a container of an image does once started. Default: `{ kind: 'runs', health: 'none' }`. */
export type StartBehavior =
  | { kind: 'runs'; health: HealthStatus }
  | { kind: 'exits'; exitCode: number; output?: string }
  /** Restart policy keeps restarting it: Docker reports state "restarting" with Running true. */
  | { kind: 'crashloops'; output?: string };

export interface FakeContainer {
  id: string;
  name: string;
  imageRef: string;
  imageId: string;
  digest: string | null;
  labels: Record<string, string>;
  state: 'created' | 'running' | 'exited' | 'restarting';
  exitCode: number | null;
  health: HealthStatus;
  output: string;
  publishesPorts: boolean;
  /** Its user-defined networks as they are now: aliases withdrawn show as []. */
  networks: NetworkMembership[];
}

/** A Swarm service as the fake keeps it. */
export interface FakeSwarmService {
  id: string;
  name: string;
  imageRef: string;
  version: number;
  forceUpdate: number;
  replicas: number | null;
  update: SwarmServiceState['update'];
  labels: Record<string, string>;
  /** Task errors reported for the current image (e.g. a crashing release). */
  failingTasks: string[];
  /** Running tasks as reads of the service report them; null: as many as its replicas (1 when global). */
  running: number | null;
  /** When above 0, each read of the service counts it down; at 0, `running` is cleared (the tasks caught up). */
  convergeAfterReads: number;
  /** An update asked for but not started yet: how many more inspects show the previous UpdateStatus (see updateLag). */
  startsAfterInspects: number | null;
  /** The spec before the last update: a rollback puts it back, ForceUpdate included (as Swarm does). */
  previousSpec: { imageRef: string; forceUpdate: number } | null;
}

export type MutatingOp =
  | 'pull'
  | 'create'
  | 'start'
  | 'stop'
  | 'rename'
  | 'remove'
  | 'withdraw-aliases'
  | 'restore-aliases'
  | 'swarm-update'
  | 'swarm-scale'
  | 'swarm-create'
  | 'swarm-remove';

export interface EngineCall {
  op: MutatingOp;
  /** Container id (pull: the image reference). */
  target: string;
  /** rename: the new name; create: the new container's name. */
  name?: string;
  /** remove: whether anonymous volumes went too; create: reuseVolumes. */
  volumes?: boolean;
}

export function composeLabels(project: string, service: string): Record<string, string> {
  return { 'com.docker.compose.project': project, 'com.docker.compose.service': service };
}

export class FakeEngine implements Engine {
  readonly containers = new Map<string, FakeContainer>();
  /** What `pullImage(ref)` finds in the registry. */
  readonly registry = new Map<string, PulledImage>();
  readonly behaviors = new Map<string, StartBehavior>();
  /** Mutating calls (and pulls) in order, recorded when they take effect. */
  readonly calls: EngineCall[] = [];
  /** When set, every method throws EngineUnavailableError with this message. */
  unavailable: string | null = null;
  /** How many calls were refused because the engine was unavailable. */
  refused = 0;
  /**
   * Awaited before a mutating call takes effect (and before the availability
   * check): lets a test look at the store, switch the engine off, or freeze
   * the caller forever to simulate a crash at that point.
   */
  beforeMutation: ((call: EngineCall) => void | Promise<void>) | null = null;
  /** The service Hoist's own container belongs to (findOwnService); null: Hoist runs in none here. */
  ownService: OwnService | null = null;
  /** 'swarm' makes info() report a swarm engine. */
  mode: 'standalone' | 'swarm' = 'standalone';
  readonly swarmServices = new Map<string, FakeSwarmService>();
  /** repo:tag -> the digest the registry serves now (resolveDigest). */
  readonly digests = new Map<string, string>();
  /**
   * How an update to an image (repo:tag@digest) ends; default 'completed'
   * ('updating': it never settles). The fake settles an update on the first
   * inspect after Swarm started it.
   */
  readonly updateOutcomes = new Map<string, SwarmUpdateState>();
  /**
   * Swarm starts an update asynchronously: for this many inspects after an
   * update was asked for, the service still shows its previous UpdateStatus;
   * the next inspect shows the update started ('updating', a new startedAt),
   * the one after settles it. 0 (default): started at once.
   */
  updateLag = 0;
  private nextId = 1;
  private updatesStarted = 0;

  addContainer(input: {
    name: string;
    imageRef: string;
    imageId: string;
    digest?: string | null;
    labels?: Record<string, string>;
    running?: boolean;
    id?: string;
    publishesPorts?: boolean;
    networks?: NetworkMembership[];
  }): FakeContainer {
    this.assertNameFree(input.name);
    const running = input.running ?? true;
    const container: FakeContainer = {
      id: input.id ?? `old-${input.name}`,
      name: input.name,
      imageRef: input.imageRef,
      imageId: input.imageId,
      digest: input.digest ?? null,
      labels: { ...input.labels },
      state: running ? 'running' : 'exited',
      exitCode: running ? null : 0,
      health: 'none',
      output: '',
      publishesPorts: input.publishesPorts ?? true,
      networks: copyNetworks(input.networks ?? []),
    };
    this.containers.set(container.id, container);
    return container;
  }

  addSwarmService(input: {
    name: string;
    imageRef: string;
    replicas?: number | null;
    labels?: Record<string, string>;
    id?: string;
  }): FakeSwarmService {
    const service: FakeSwarmService = {
      id: input.id ?? `svc-${input.name}`,
      name: input.name,
      imageRef: input.imageRef,
      version: 1,
      forceUpdate: 0,
      replicas: input.replicas === undefined ? 2 : input.replicas,
      update: null,
      labels: { ...input.labels },
      failingTasks: [],
      running: null,
      convergeAfterReads: 0,
      startsAfterInspects: null,
      previousSpec: null,
    };
    this.swarmServices.set(service.id, service);
    return service;
  }

  byName(name: string): FakeContainer | undefined {
    return [...this.containers.values()].find((c) => c.name === name);
  }

  /** Name, image id and state of every container, sorted by name: for end-state assertions. */
  snapshot(): { name: string; imageId: string; running: boolean }[] {
    return [...this.containers.values()]
      .map((c) => ({ name: c.name, imageId: c.imageId, running: isRunning(c) }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Ids of the running containers the engine's DNS answers with for a name or alias, sorted. */
  resolve(name: string): string[] {
    return [...this.containers.values()]
      .filter((c) => isRunning(c) && c.networks.length > 0)
      .filter((c) => c.name === name || c.networks.some((m) => m.aliases.includes(name)))
      .map((c) => c.id)
      .sort();
  }

  /** The calls as short strings, e.g. "stop old-web-1", "rename old-web-1 web-1.hoist-old-1a2b3c4d". */
  trace(): string[] {
    return this.calls.map((c) => [c.op, c.target, c.name].filter(Boolean).join(' '));
  }

  // --- Engine ----------------------------------------------------------------

  async info(): Promise<EngineInfo> {
    this.checkAvailable();
    return { mode: this.mode, version: 'fake', apiVersion: '1.47', name: 'fake' };
  }

  async listServices(): Promise<DiscoveredService[]> {
    this.checkAvailable();
    const groups = new Map<string, DiscoveredService>();
    for (const c of this.containers.values()) {
      if (isTransientContainerName(c.name)) continue; // discovery never shows them
      const ref = classify(c);
      const id = `${ref.kind}:${ref.key}`;
      const group = groups.get(id) ?? {
        ...ref,
        imageRef: c.imageRef,
        containers: [],
        labels: { ...c.labels },
      };
      group.containers.push(toInfo(c));
      groups.set(id, group);
    }
    const standalone = [...groups.values()].map((s) => ({
      ...s,
      containers: s.containers.sort((a, b) => a.name.localeCompare(b.name)),
    }));
    const swarm: DiscoveredService[] = [...this.swarmServices.values()].map((s) => {
      if (s.convergeAfterReads > 0 && --s.convergeAfterReads === 0) s.running = null;
      return {
        kind: 'swarm',
        key: s.id,
        name: s.name,
        imageRef: s.imageRef,
        containers: [],
        labels: { ...s.labels },
        swarm: {
          desiredReplicas: s.replicas,
          runningTasks: s.running ?? s.replicas ?? 1,
          tasks: [],
        },
      };
    });
    return [...standalone, ...swarm];
  }

  async getService(ref: ServiceRef): Promise<DiscoveredService | null> {
    const all = await this.listServices();
    return all.find((s) => s.kind === ref.kind && s.key === ref.key) ?? null;
  }

  async findOwnService(): Promise<OwnService | null> {
    this.checkAvailable();
    return this.ownService ? { ...this.ownService } : null;
  }

  async pullImage(imageRef: string): Promise<PulledImage> {
    await this.mutation({ op: 'pull', target: imageRef });
    const image = this.registry.get(imageRef);
    if (!image) {
      throw new HoistError('engine_error', `Pulling ${imageRef} failed: manifest unknown`);
    }
    return { ...image };
  }

  async inspectContainer(id: string): Promise<ContainerInfo | null> {
    this.checkAvailable();
    const c = this.containers.get(id);
    return c ? toInfo(c) : null;
  }

  async listContainersWithLabel(label: string, value: string): Promise<ContainerInfo[]> {
    this.checkAvailable();
    return [...this.containers.values()].filter((c) => c.labels[label] === value).map(toInfo);
  }

  async createReplacement(spec: ReplacementSpec): Promise<string> {
    await this.mutation({
      op: 'create',
      target: spec.fromContainerId,
      name: spec.name,
      volumes: spec.reuseVolumes,
    });
    const from = this.mustGet(spec.fromContainerId);
    const image = this.registry.get(spec.imageRef);
    if (!image) throw new HoistError('engine_error', `No such image: ${spec.imageRef}`);
    this.assertNameFree(spec.name);
    const id = `new-${this.nextId++}`;
    this.containers.set(id, {
      id,
      name: spec.name,
      imageRef: spec.imageRef,
      imageId: image.imageId,
      digest: image.digest,
      labels: { ...from.labels, ...spec.labels },
      state: 'created',
      exitCode: null,
      health: 'none',
      output: '',
      publishesPorts: from.publishesPorts,
      networks: copyNetworks(from.networks),
    });
    return id;
  }

  async createServiceContainer(service: NewService, name: string): Promise<string> {
    await this.mutation({ op: 'create', target: service.image, name });
    const image = this.registry.get(service.image);
    if (!image) throw new HoistError('engine_error', `No such image: ${service.image}`);
    this.assertNameFree(name);
    const id = `new-${this.nextId++}`;
    this.containers.set(id, {
      id,
      name,
      imageRef: service.image,
      imageId: image.imageId,
      digest: image.digest,
      labels: { ...service.labels, 'io.hoist.service': service.name },
      state: 'created',
      exitCode: null,
      health: 'none',
      output: '',
      publishesPorts: service.ports.length > 0,
      // The engine's DNS exists only on user-defined networks.
      networks: service.networks
        .filter((network) => !['bridge', 'host', 'none'].includes(network))
        .map((network) => ({
          network,
          aliases: [service.name],
          ipv4Address: null,
          ipv6Address: null,
          links: [],
        })),
    });
    return id;
  }

  async resolveDigest(imageRef: string): Promise<string> {
    this.checkAvailable();
    const digest = this.digests.get(imageRef);
    if (!digest) throw new HoistError('engine_error', `${imageRef}: manifest unknown`);
    return digest;
  }

  async inspectSwarmService(id: string): Promise<SwarmServiceState | null> {
    this.checkAvailable();
    const s = this.swarmServices.get(id);
    if (!s) return null;
    if (s.startsAfterInspects !== null) {
      // Swarm has not picked the update up yet: the previous status shows.
      if (s.startsAfterInspects > 0) s.startsAfterInspects--;
      else {
        s.startsAfterInspects = null;
        s.update = this.startedUpdate();
      }
    } else if (s.update?.state === 'updating') {
      const outcome = this.updateOutcomes.get(s.imageRef) ?? 'completed';
      if (outcome === 'rollback_completed' && s.previousSpec) {
        Object.assign(s, s.previousSpec, { previousSpec: null });
        s.version += 1;
      }
      if (outcome !== 'updating') {
        s.update = {
          ...s.update,
          state: outcome,
          message: outcome === 'completed' ? 'update completed' : `update ${outcome}`,
          completedAt: s.update.startedAt,
        };
      }
    }
    return {
      id: s.id,
      name: s.name,
      version: s.version,
      imageRef: s.imageRef,
      forceUpdate: s.forceUpdate,
      replicas: s.replicas,
      update: s.update ? { ...s.update } : null,
      labels: { ...s.labels },
    };
  }

  async listSwarmTasks(serviceId: string): Promise<TaskInfo[]> {
    this.checkAvailable();
    const s = this.swarmServices.get(serviceId);
    if (!s) return [];
    return s.failingTasks.map((error, i) => ({
      id: `task-${i}`,
      slot: i + 1,
      nodeId: 'node-1',
      node: 'fake-node',
      state: 'failed',
      desiredState: 'shutdown',
      error,
      message: 'started',
      imageRef: s.imageRef,
      containerId: null,
      updatedAt: '2025-01-01T00:00:00.000Z',
    }));
  }

  async updateSwarmServiceImage(id: string, imageRef: string): Promise<void> {
    await this.mutation({ op: 'swarm-update', target: id, name: imageRef });
    const s = this.mustGetSwarm(id);
    s.previousSpec = { imageRef: s.imageRef, forceUpdate: s.forceUpdate };
    s.imageRef = imageRef;
    s.forceUpdate += 1;
    s.version += 1;
    if (this.updateLag > 0) {
      s.startsAfterInspects = this.updateLag;
    } else {
      s.update = this.startedUpdate();
    }
  }

  /** A just-started update, with a startedAt no earlier update of this fake had. */
  private startedUpdate(): SwarmServiceState['update'] {
    const startedAt = new Date(Date.UTC(2025, 0, 1) + ++this.updatesStarted * 1000);
    return {
      state: 'updating',
      message: 'update in progress',
      startedAt: startedAt.toISOString(),
      completedAt: null,
    };
  }

  async scaleSwarmService(id: string, replicas: number): Promise<void> {
    await this.mutation({ op: 'swarm-scale', target: id, name: String(replicas) });
    const s = this.mustGetSwarm(id);
    if (s.replicas === null) throw new HoistError('bad_request', 'global service');
    s.replicas = replicas;
    s.version += 1;
  }

  async createSwarmService(service: NewService): Promise<string> {
    await this.mutation({ op: 'swarm-create', target: service.name });
    return this.addSwarmService({
      name: service.name,
      imageRef: service.image,
      replicas: service.replicas,
      labels: { ...service.labels, 'io.hoist.service': service.name },
      id: `svc-${this.nextId++}`,
    }).id;
  }

  async removeSwarmService(id: string): Promise<void> {
    await this.mutation({ op: 'swarm-remove', target: id });
    this.swarmServices.delete(id);
  }

  async startContainer(id: string): Promise<void> {
    await this.mutation({ op: 'start', target: id });
    const c = this.mustGet(id);
    if (isRunning(c)) return;
    const behavior = this.behaviors.get(c.imageId) ?? { kind: 'runs', health: 'none' };
    if (behavior.kind === 'runs') {
      Object.assign(c, { state: 'running', exitCode: null, health: behavior.health });
    } else if (behavior.kind === 'exits') {
      const output = behavior.output ?? '';
      Object.assign(c, { state: 'exited', exitCode: behavior.exitCode, health: 'none', output });
    } else {
      const output = behavior.output ?? '';
      Object.assign(c, { state: 'restarting', exitCode: null, health: 'none', output });
    }
  }

  async stopContainer(id: string): Promise<void> {
    await this.mutation({ op: 'stop', target: id });
    const c = this.mustGet(id);
    if (isRunning(c)) Object.assign(c, { state: 'exited', exitCode: 0 });
  }

  async renameContainer(id: string, name: string): Promise<void> {
    await this.mutation({ op: 'rename', target: id, name });
    const c = this.mustGet(id);
    if (c.name === name) {
      throw new HoistError(
        'engine_error',
        'Renaming a container with the same name as its current name',
      );
    }
    this.assertNameFree(name);
    c.name = name;
  }

  async removeContainer(id: string, options: { volumes: boolean }): Promise<void> {
    await this.mutation({ op: 'remove', target: id, volumes: options.volumes });
    this.containers.delete(id);
  }

  async networkMemberships(id: string): Promise<NetworkMembership[]> {
    this.checkAvailable();
    return copyNetworks(this.mustGet(id).networks);
  }

  async withdrawAliases(id: string, memberships: NetworkMembership[]): Promise<void> {
    await this.mutation({ op: 'withdraw-aliases', target: id });
    const c = this.mustGet(id);
    for (const m of memberships) {
      const current = c.networks.find((n) => n.network === m.network);
      if (current) current.aliases = [];
    }
  }

  async restoreAliases(id: string, memberships: NetworkMembership[]): Promise<void> {
    await this.mutation({ op: 'restore-aliases', target: id });
    const c = this.containers.get(id);
    if (!c) return;
    c.networks = [
      ...c.networks.filter((n) => !memberships.some((m) => m.network === n.network)),
      ...copyNetworks(memberships),
    ];
  }

  async logsTail(id: string, _lines: number): Promise<string> {
    this.checkAvailable();
    return this.mustGet(id).output;
  }

  // --- helpers ---------------------------------------------------------------

  private async mutation(call: EngineCall): Promise<void> {
    await this.beforeMutation?.(call);
    this.checkAvailable();
    this.calls.push(call);
  }

  private checkAvailable(): void {
    if (this.unavailable !== null) {
      this.refused++;
      throw new EngineUnavailableError(this.unavailable);
    }
  }

  private mustGetSwarm(id: string): FakeSwarmService {
    const s = this.swarmServices.get(id);
    if (!s) throw new HoistError('engine_error', `No such service: ${id}`);
    return s;
  }

  private mustGet(id: string): FakeContainer {
    const c = this.containers.get(id);
    if (!c) throw new HoistError('engine_error', `No such container: ${id}`);
    return c;
  }

  private assertNameFree(name: string): void {
    if (this.byName(name)) {
      throw new HoistError(
        'engine_error',
        `Conflict. The container name "/${name}" is already in use`,
      );
    }
  }
}

function copyNetworks(networks: NetworkMembership[]): NetworkMembership[] {
  return networks.map((m) => ({ ...m, aliases: [...m.aliases], links: [...m.links] }));
}

function isRunning(c: FakeContainer): boolean {
  return c.state === 'running' || c.state === 'restarting';
}

function toInfo(c: FakeContainer): ContainerInfo {
  return {
    id: c.id,
    name: c.name,
    state: c.state,
    running: isRunning(c),
    exitCode: c.exitCode,
    health: c.health,
    imageRef: c.imageRef,
    imageId: c.imageId,
    digest: c.digest,
    labels: { ...c.labels },
    createdAt: '2025-01-01T00:00:00.000Z',
    startedAt: c.state === 'created' ? null : '2025-01-01T00:00:00.000Z',
    publishesPorts: c.publishesPorts,
  };
}

function classify(c: FakeContainer): { kind: ServiceKind; key: string; name: string } {
  const project = c.labels['com.docker.compose.project'];
  const service = c.labels['com.docker.compose.service'];
  if (project && service) {
    return { kind: 'compose', key: `${project}/${service}`, name: `${project}-${service}` };
  }
  const hoist = c.labels['io.hoist.service'];
  if (hoist) return { kind: 'hoist', key: hoist, name: hoist };
  return { kind: 'container', key: c.name, name: c.name };
}

/**
 * A clock whose sleep moves time forward at once. It still yields to the
 * event loop (setImmediate), so a retry loop cannot starve timers and I/O.
 */
export class FakeClock implements Clock {
  private ms: number;
  /** Every sleep asked for, in ms. */
  readonly sleeps: number[] = [];

  constructor(start = Date.UTC(2025, 0, 1)) {
    this.ms = start;
  }

  now(): Date {
    return new Date(this.ms);
  }

  /** Moves time forward without anyone sleeping. */
  advance(ms: number): void {
    this.ms += ms;
  }

  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.ms += ms;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
