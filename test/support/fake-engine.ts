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
  PulledImage,
  ReplacementSpec,
  ServiceKind,
  ServiceRef,
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
}

export type MutatingOp = 'pull' | 'create' | 'start' | 'stop' | 'rename' | 'remove';

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
  private nextId = 1;

  addContainer(input: {
    name: string;
    imageRef: string;
    imageId: string;
    digest?: string | null;
    labels?: Record<string, string>;
    running?: boolean;
    id?: string;
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
    };
    this.containers.set(container.id, container);
    return container;
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

  /** The calls as short strings, e.g. "stop old-web-1", "rename old-web-1 web-1.hoist-old-1a2b3c4d". */
  trace(): string[] {
    return this.calls.map((c) => [c.op, c.target, c.name].filter(Boolean).join(' '));
  }

  // --- Engine ----------------------------------------------------------------

  async info(): Promise<EngineInfo> {
    this.checkAvailable();
    return { mode: 'standalone', version: 'fake', apiVersion: '1.47', name: 'fake' };
  }

  async listServices(): Promise<DiscoveredService[]> {
    this.checkAvailable();
    const groups = new Map<string, DiscoveredService>();
    for (const c of this.containers.values()) {
      if (isTransientContainerName(c.name)) continue; // discovery never shows them
      const ref = classify(c);
      const id = `${ref.kind}:${ref.key}`;
      const group = groups.get(id) ?? { ...ref, imageRef: c.imageRef, containers: [] };
      group.containers.push(toInfo(c));
      groups.set(id, group);
    }
    return [...groups.values()].map((s) => ({
      ...s,
      containers: s.containers.sort((a, b) => a.name.localeCompare(b.name)),
    }));
  }

  async getService(ref: ServiceRef): Promise<DiscoveredService | null> {
    const all = await this.listServices();
    return all.find((s) => s.kind === ref.kind && s.key === ref.key) ?? null;
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
    });
    return id;
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
