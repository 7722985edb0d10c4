/**
 * The Engine port over the Docker Engine API (dockerode). Written against API
 * 1.41 (Docker 20.10) and newer.
 *
 * Errors: when the daemon cannot be reached this throws EngineUnavailableError
 * (naming the host it tried); when the daemon answers with an error it throws
 * HoistError('engine_error') carrying the daemon's message.
 */
import type Dockerode from 'dockerode';
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
} from '../../domain/ports/engine.js';
import { EngineUnavailableError, HoistError } from '../../domain/errors.js';
import { isTransientContainerName } from '../../domain/actions/container-names.js';
import type {
  RawContainer,
  RawContainerSummary,
  RawImage,
  RawImageSummary,
} from './docker-api-types.js';
import { DEFAULT_DOCKER_HOST, createDockerClient } from './docker-client.js';
import { IMAGE_ID, digestFor, parseImageRef } from './image-ref.js';
import { replacementConfig } from './replacement-config.js';

const COMPOSE_PROJECT = 'com.docker.compose.project';
const COMPOSE_SERVICE = 'com.docker.compose.service';
const HOIST_SERVICE = 'io.hoist.service';

export interface DockerEngineOptions {
  /** Where the daemon is: unix:///path/docker.sock, tcp://host:port or http(s)://host:port. Named in errors. */
  dockerHost?: string;
  /** A ready client (tests, or a custom TLS set-up); built from dockerHost when absent. */
  docker?: Dockerode;
  /** Idle timeout of one request, in ms (default 5 minutes: a stop waits for the container's stop timeout). */
  requestTimeoutMs?: number;
}

// ---------------------------------------------------------------------------
// Errors.

interface DockerishError {
  statusCode?: number;
  code?: string;
  message?: string;
  json?: unknown;
  reason?: string;
}

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOENT',
  'EACCES',
  'EPERM',
  'EPIPE',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNABORTED',
  'ENOTSOCK',
  'UND_ERR_SOCKET',
]);

function statusOf(error: unknown): number | undefined {
  const status = (error as DockerishError | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** The daemon's own message from a docker-modem error. */
function daemonMessage(error: DockerishError): string {
  const json = error.json as { message?: unknown } | string | null | undefined;
  if (json && typeof json === 'object' && typeof json.message === 'string') return json.message;
  if (typeof json === 'string' && json.trim()) return json.trim();
  if (Buffer.isBuffer(json) && json.length > 0) return json.toString('utf8').trim();
  const match = /^\(HTTP code \d+\) [^-]*- ([\s\S]*)$/.exec(error.message ?? '');
  const text = (match ? match[1]! : (error.message ?? 'unknown error')).trim();
  try {
    const parsed = JSON.parse(text) as { message?: unknown };
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // not JSON
  }
  return text;
}

// ---------------------------------------------------------------------------

export class DockerEngine implements Engine {
  readonly dockerHost: string;
  private readonly docker: Dockerode;

  constructor(options: DockerEngineOptions = {}) {
    this.dockerHost = options.dockerHost ?? DEFAULT_DOCKER_HOST;
    this.docker =
      options.docker ??
      createDockerClient(this.dockerHost, { requestTimeoutMs: options.requestTimeoutMs });
  }

  async info(): Promise<EngineInfo> {
    const [info, version] = await Promise.all([
      this.call('read the engine info', () => this.docker.info() as Promise<RawInfo>),
      this.call('read the engine version', () => this.docker.version() as Promise<RawVersion>),
    ]);
    return {
      mode: info.Swarm?.LocalNodeState === 'active' ? 'swarm' : 'standalone',
      version: version.Version ?? info.ServerVersion ?? 'unknown',
      apiVersion: version.ApiVersion ?? 'unknown',
      name: info.Name ?? '',
    };
  }

  async listServices(): Promise<DiscoveredService[]> {
    return this.discover({});
  }

  async getService(ref: ServiceRef): Promise<DiscoveredService | null> {
    const filters: Record<string, string[]> = {};
    if (ref.kind === 'compose') {
      const slash = ref.key.indexOf('/');
      if (slash < 0) return null;
      filters.label = [
        `${COMPOSE_PROJECT}=${ref.key.slice(0, slash)}`,
        `${COMPOSE_SERVICE}=${ref.key.slice(slash + 1)}`,
      ];
    } else if (ref.kind === 'hoist') {
      filters.label = [`${HOIST_SERVICE}=${ref.key}`];
    } else {
      filters.name = [`^/${escapeRegExp(ref.key)}$`];
    }
    const services = await this.discover(filters);
    return services.find((s) => s.kind === ref.kind && s.key === ref.key) ?? null;
  }

  async pullImage(imageRef: string): Promise<PulledImage> {
    const { repository, tag } = await this.redeployableRef(imageRef);
    const pullRef = `${repository}:${tag}`;
    const stream = (await this.call(`pull ${pullRef}`, () =>
      this.docker.createImage({ fromImage: repository, tag }),
    )) as NodeJS.ReadableStream;
    const events = await this.readProgress(stream, `pull ${pullRef}`);
    const failure = events.find((e) => e.error || e.errorDetail);
    if (failure) {
      const message = failure.errorDetail?.message ?? failure.error ?? 'unknown error';
      throw new HoistError('engine_error', `Pulling ${pullRef} failed: ${message}`);
    }
    const image = (await this.call(
      `inspect image ${pullRef}`,
      () => this.docker.getImage(pullRef).inspect() as Promise<RawImage>,
    )) as RawImage;
    return { imageId: image.Id, digest: digestFor(pullRef, image.RepoDigests) };
  }

  async inspectContainer(id: string): Promise<ContainerInfo | null> {
    const raw = await this.inspectRaw(id);
    if (!raw) return null;
    const image = await this.inspectImageOrNull(raw.Image);
    return toContainerInfo(raw, digestFor(raw.Config.Image ?? '', image?.RepoDigests));
  }

  async listContainersWithLabel(label: string, value: string): Promise<ContainerInfo[]> {
    const summaries = await this.listSummaries({ label: [`${label}=${value}`] });
    const [raws, digests] = await Promise.all([this.inspectAll(summaries), this.repoDigests()]);
    return raws
      .map((raw) => toContainerInfo(raw, digestFor(raw.Config.Image ?? '', digests.get(raw.Image))))
      .sort(byName);
  }

  async createReplacement(spec: ReplacementSpec): Promise<string> {
    const old = await this.inspectRaw(spec.fromContainerId);
    if (!old) {
      throw new HoistError(
        'engine_error',
        `Cannot create a replacement: container ${spec.fromContainerId} does not exist.`,
      );
    }
    const oldImage = await this.inspectImageOrNull(old.Image);
    const { body, extraNetworks } = replacementConfig(old, oldImage?.Config ?? null, spec);

    const created = (await this.call(`create container ${spec.name}`, () =>
      this.docker.createContainer({
        _query: { name: spec.name },
        _body: body,
      } as unknown as Dockerode.ContainerCreateOptions),
    )) as Dockerode.Container;
    const id = created.id;
    try {
      for (const { network, endpoint } of extraNetworks) {
        await this.call(`connect ${spec.name} to network ${network}`, () =>
          this.docker.getNetwork(network).connect({ Container: id, EndpointConfig: endpoint }),
        );
      }
    } catch (error) {
      await this.removeContainer(id, { volumes: !spec.reuseVolumes }).catch(() => undefined);
      throw error;
    }
    return id;
  }

  async startContainer(id: string): Promise<void> {
    await this.call(`start container ${id}`, () => this.docker.getContainer(id).start(), [304]);
  }

  async stopContainer(id: string): Promise<void> {
    await this.call(`stop container ${id}`, () => this.docker.getContainer(id).stop(), [304]);
  }

  async renameContainer(id: string, name: string): Promise<void> {
    await this.call(`rename container ${id} to ${name}`, () =>
      this.docker.getContainer(id).rename({ name }),
    );
  }

  async removeContainer(id: string, options: { volumes: boolean }): Promise<void> {
    try {
      await this.call(`remove container ${id}`, () =>
        this.docker.getContainer(id).remove({ force: true, v: options.volumes }),
      );
    } catch (error) {
      if (error instanceof HoistError && error.code === 'engine_error') {
        const cause = error.cause as DockerishError | undefined;
        if (cause?.statusCode === 404) return;
        if (cause?.statusCode === 409 && /already in progress/i.test(error.message)) return;
      }
      throw error;
    }
  }

  async logsTail(id: string, lines: number): Promise<string> {
    const raw = await this.inspectRaw(id);
    if (!raw) return '';
    const output: unknown = await this.call(`read the logs of ${id}`, () =>
      this.docker.getContainer(id).logs({
        stdout: true,
        stderr: true,
        follow: false,
        tail: Math.max(0, Math.floor(lines)),
      }),
    );
    let buffer: Buffer;
    if (Buffer.isBuffer(output)) buffer = output;
    else if (typeof output === 'string') buffer = Buffer.from(output);
    else buffer = Buffer.from(JSON.stringify(output) ?? '');
    const text = raw.Config.Tty ? buffer.toString('utf8') : demultiplex(buffer);
    return text.trim();
  }

  // -------------------------------------------------------------------------

  private async discover(filters: Record<string, string[]>): Promise<DiscoveredService[]> {
    const summaries = (await this.listSummaries(filters)).filter(
      (s) => !(s.Names ?? []).some((n) => isTransientContainerName(n)),
    );
    const [raws, digests] = await Promise.all([this.inspectAll(summaries), this.repoDigests()]);

    const groups = new Map<string, { kind: ServiceKind; key: string; name: string }>();
    const members = new Map<string, ContainerInfo[]>();
    for (const raw of raws) {
      const info = toContainerInfo(raw, digestFor(raw.Config.Image ?? '', digests.get(raw.Image)));
      if (isTransientContainerName(info.name)) continue;
      const ref = classify(info);
      const id = `${ref.kind}\u0000${ref.key}`;
      if (!groups.has(id)) groups.set(id, ref);
      const list = members.get(id) ?? [];
      list.push(info);
      members.set(id, list);
    }

    const services: DiscoveredService[] = [];
    for (const [id, ref] of groups) {
      const containers = (members.get(id) ?? []).sort(byName);
      services.push({ ...ref, imageRef: containers[0]?.imageRef ?? '', containers });
    }
    return services.sort((a, b) =>
      a.kind === b.kind ? compare(a.key, b.key) : compare(a.kind, b.kind),
    );
  }

  private async listSummaries(filters: Record<string, string[]>): Promise<RawContainerSummary[]> {
    return (await this.call('list containers', () =>
      this.docker.listContainers({ all: true, filters }),
    )) as RawContainerSummary[];
  }

  /** Inspects each listed container; one that vanished in between is skipped. */
  private async inspectAll(summaries: RawContainerSummary[]): Promise<RawContainer[]> {
    const raws = await Promise.all(summaries.map((s) => this.inspectRaw(s.Id)));
    return raws.filter((r): r is RawContainer => r !== null);
  }

  /** image id -> RepoDigests, in one call. */
  private async repoDigests(): Promise<Map<string, string[]>> {
    const images = (await this.call('list images', () =>
      this.docker.listImages(),
    )) as RawImageSummary[];
    return new Map(images.map((i) => [i.Id, i.RepoDigests ?? []]));
  }

  private async inspectRaw(id: string): Promise<RawContainer | null> {
    try {
      return (await this.call(
        `inspect container ${id}`,
        () => this.docker.getContainer(id).inspect() as Promise<unknown>,
      )) as RawContainer;
    } catch (error) {
      if (statusOf((error as HoistError).cause) === 404) return null;
      throw error;
    }
  }

  private async inspectImageOrNull(id: string): Promise<RawImage | null> {
    if (!id) return null;
    try {
      return (await this.call(
        `inspect image ${id}`,
        () => this.docker.getImage(id).inspect() as Promise<unknown>,
      )) as RawImage;
    } catch (error) {
      if (statusOf((error as HoistError).cause) === 404) return null;
      throw error;
    }
  }

  /** Splits a reference into the repository and tag to pull, or explains why it cannot be redeployed. */
  private async redeployableRef(imageRef: string): Promise<{ repository: string; tag: string }> {
    const ref = imageRef.trim();
    if (!ref || IMAGE_ID.test(ref)) {
      throw notRedeployable(ref, 'it is an image id, not a repository and tag');
    }
    const parsed = parseImageRef(ref);
    if (!parsed.repository) throw notRedeployable(ref, 'it names no repository');
    if (parsed.digest && !parsed.tag) {
      throw notRedeployable(ref, 'it is pinned to a digest and names no tag to follow');
    }
    if (!parsed.tag && !parsed.digest && /^[0-9a-f]{6,63}$/.test(ref)) {
      // A short hex string may be an image id prefix rather than a repository name.
      const image = await this.inspectImageOrNull(ref);
      if (image && image.Id.replace(/^sha256:/, '').startsWith(ref)) {
        throw notRedeployable(ref, 'it is an image id, not a repository and tag');
      }
    }
    return { repository: parsed.repository, tag: parsed.tag ?? 'latest' };
  }

  /** Reads a JSON-lines progress stream (pull, push, build) to its end. */
  private readProgress(stream: NodeJS.ReadableStream, what: string): Promise<ProgressEvent[]> {
    return new Promise((resolve, reject) => {
      const events: ProgressEvent[] = [];
      let buffered = '';
      let settled = false;
      const take = (line: string) => {
        const trimmed = line.trim();
        if (!trimmed) return;
        try {
          events.push(JSON.parse(trimmed) as ProgressEvent);
        } catch {
          events.push({ stream: trimmed });
        }
      };
      stream.on('data', (chunk: Buffer | string) => {
        buffered += chunk.toString();
        let newline: number;
        while ((newline = buffered.indexOf('\n')) >= 0) {
          take(buffered.slice(0, newline));
          buffered = buffered.slice(newline + 1);
        }
      });
      stream.on('end', () => {
        if (settled) return;
        settled = true;
        take(buffered);
        resolve(events);
      });
      stream.on('error', (error: unknown) => {
        if (settled) return;
        settled = true;
        reject(this.translate(error, what));
      });
      stream.on('close', () => {
        if (settled) return;
        settled = true;
        take(buffered);
        // A stream closed without 'end' lost the daemon half way.
        if (events.some((e) => e.error || e.errorDetail)) resolve(events);
        else reject(this.unavailable(what, 'the connection closed before the daemon finished'));
      });
    });
  }

  /** Runs one daemon call, turning failures into EngineUnavailableError or HoistError('engine_error'). */
  private async call<T>(what: string, fn: () => Promise<T>, okStatuses: number[] = []): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      const status = statusOf(error);
      if (status !== undefined && okStatuses.includes(status)) return undefined as T;
      throw this.translate(error, what);
    }
  }

  private translate(error: unknown, what: string): HoistError {
    if (error instanceof HoistError) return error;
    const e = (error ?? {}) as DockerishError;
    if (typeof e.statusCode === 'number') {
      return new HoistError('engine_error', `Docker could not ${what}: ${daemonMessage(e)}`, {
        cause: error,
      });
    }
    const message = e.message ?? String(error);
    if (
      (e.code && UNREACHABLE_CODES.has(e.code)) ||
      /socket hang up|timed? ?out|ECONNRESET|EPIPE|connect E/i.test(message)
    ) {
      return this.unavailable(what, message, error);
    }
    return new HoistError('engine_error', `Docker could not ${what}: ${message}`, {
      cause: error,
    });
  }

  private unavailable(what: string, detail: string, cause?: unknown): EngineUnavailableError {
    const hint = this.dockerHost.startsWith('unix://')
      ? `Check that dockerd is running and that Hoist can use its socket: run Hoist as root or in the docker group, mount ${this.dockerHost.slice('unix://'.length)} into Hoist's container, or set DOCKER_HOST to the engine's address.`
      : 'Check that dockerd is running and listening there, or set DOCKER_HOST to the engine\u2019s address.';
    return new EngineUnavailableError(
      `Cannot reach the Docker engine at ${this.dockerHost} (tried to ${what}: ${detail}). ${hint}`,
      { cause },
    );
  }
}

// ---------------------------------------------------------------------------

interface RawInfo {
  Name?: string;
  ServerVersion?: string;
  Swarm?: { LocalNodeState?: string };
}

interface RawVersion {
  Version?: string;
  ApiVersion?: string;
}

interface ProgressEvent {
  status?: string;
  stream?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { Digest?: string; ID?: string };
}

function notRedeployable(ref: string, why: string): HoistError {
  return new HoistError(
    'image_not_redeployable',
    `Image "${ref}" cannot be redeployed: ${why}. Recreate the container from a repository:tag reference (for example registry.example.com/app:latest) so Hoist can pull newer images of that tag.`,
  );
}

function classify(info: ContainerInfo): { kind: ServiceKind; key: string; name: string } {
  const project = info.labels[COMPOSE_PROJECT];
  const service = info.labels[COMPOSE_SERVICE];
  if (project && service) {
    return { kind: 'compose', key: `${project}/${service}`, name: `${project}-${service}` };
  }
  const hoist = info.labels[HOIST_SERVICE];
  if (hoist) return { kind: 'hoist', key: hoist, name: hoist };
  return { kind: 'container', key: info.name, name: info.name };
}

const ZERO_TIME = /^0001-01-01T/;

function toContainerInfo(raw: RawContainer, digest: string | null): ContainerInfo {
  const state = raw.State;
  const health = state.Health?.Status;
  const started = state.StartedAt && !ZERO_TIME.test(state.StartedAt) ? state.StartedAt : null;
  return {
    id: raw.Id,
    name: raw.Name.replace(/^\//, ''),
    state: state.Status,
    running: state.Running,
    exitCode: state.Running || started === null ? null : state.ExitCode,
    health: isHealth(health) ? health : 'none',
    imageRef: raw.Config.Image ?? '',
    imageId: raw.Image,
    digest,
    labels: { ...(raw.Config.Labels ?? {}) },
    createdAt: raw.Created,
    startedAt: started,
  };
}

function isHealth(value: unknown): value is HealthStatus {
  return value === 'starting' || value === 'healthy' || value === 'unhealthy' || value === 'none';
}

function byName(a: ContainerInfo, b: ContainerInfo): number {
  return compare(a.name, b.name);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Docker's multiplexed log stream (8-byte frame headers) to plain text; raw text passes through. */
export function demultiplex(buffer: Buffer): string {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset < buffer.length) {
    if (offset + 8 > buffer.length) return buffer.toString('utf8');
    const kind = buffer[offset]!;
    const size = buffer.readUInt32BE(offset + 4);
    if (kind > 2 || buffer[offset + 1] !== 0 || offset + 8 + size > buffer.length) {
      return buffer.toString('utf8');
    }
    parts.push(buffer.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return Buffer.concat(parts).toString('utf8');
}
