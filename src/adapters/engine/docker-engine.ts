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
  NewService,
  PulledImage,
  NetworkMembership,
  ReplacementSpec,
  ServiceKind,
  ServiceRef,
  SwarmServiceState,
  TaskInfo,
} from '../../domain/ports/engine.js';
import { EngineUnavailableError, HoistError } from '../../domain/errors.js';
import { isTransientContainerName } from '../../domain/actions/container-names.js';
import type {
  RawContainer,
  RawContainerSummary,
  RawImage,
  RawImageSummary,
  RawInfo,
  RawNode,
  RawPortBinding,
  RawService,
  RawServiceSpec,
  RawTask,
} from './docker-api-types.js';
import { DEFAULT_DOCKER_HOST, createDockerClient } from './docker-client.js';
import { NetworkAliases, networkMembershipsOf } from './network-aliases.js';
import { digestFor, followedTag, parseImageReference } from '../../domain/image-reference.js';
import { registryCredentials, type RegistryCredentials } from './registry-auth.js';
import {
  anonymousDestinations,
  replacementConfig,
  type ContainerCreateBody,
} from './replacement-config.js';
import {
  HOIST_SERVICE_LABEL as HOIST_SERVICE,
  serviceContainerConfig,
  swarmServiceSpec,
} from './service-specs.js';
import {
  SWARM_SERVICE_ID_LABEL,
  newestFirst,
  nodeNames,
  specWithImage,
  specWithReplicas,
  toDiscoveredSwarmService,
  toSwarmServiceState,
  toTaskInfo,
} from './swarm-services.js';

const COMPOSE_PROJECT = 'com.docker.compose.project';
const COMPOSE_SERVICE = 'com.docker.compose.service';

export interface DockerEngineOptions {
  /** Where the daemon is: unix:///path/docker.sock, tcp://host:port or http(s)://host:port. Named in errors. */
  dockerHost?: string;
  /** A ready client (tests, or a custom TLS set-up); built from dockerHost when absent. */
  docker?: Dockerode;
  /** Idle timeout of one request, in ms (default 5 minutes: a stop waits for the container's stop timeout). */
  requestTimeoutMs?: number;
  /** Where the Docker config file with registry credentials is: default $DOCKER_CONFIG, else ~/.docker (read per call). */
  dockerConfigDir?: string;
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
  private readonly dockerConfigDir: string | undefined;

  constructor(options: DockerEngineOptions = {}) {
    this.dockerHost = options.dockerHost ?? DEFAULT_DOCKER_HOST;
    this.docker =
      options.docker ??
      createDockerClient(this.dockerHost, { requestTimeoutMs: options.requestTimeoutMs });
    this.dockerConfigDir = options.dockerConfigDir;
  }

  async info(): Promise<EngineInfo> {
    const [info, version] = await Promise.all([
      this.rawInfo(),
      this.call('read the engine version', () => this.docker.version() as Promise<RawVersion>),
    ]);
    return {
      mode: swarmActive(info) ? 'swarm' : 'standalone',
      version: version.Version ?? info.ServerVersion ?? 'unknown',
      apiVersion: version.ApiVersion ?? 'unknown',
      name: info.Name ?? '',
    };
  }

  /**
   * Standalone services, and on a swarm manager every Swarm service too (in
   * three calls, whatever their number: services, tasks, nodes). Containers of
   * Swarm tasks are not standalone services.
   */
  async listServices(): Promise<DiscoveredService[]> {
    const [info, standalone] = await Promise.all([this.rawInfo(), this.discover({})]);
    // A worker node cannot see the cluster's services (the engine answers 503).
    const swarm =
      swarmActive(info) && info.Swarm?.ControlAvailable ? await this.discoverSwarm() : [];
    return [...standalone, ...swarm].sort(byKindAndKey);
  }

  async getService(ref: ServiceRef): Promise<DiscoveredService | null> {
    if (ref.kind === 'swarm') return this.getSwarmService(ref.key);
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
    const credentials = await this.credentialsFor(pullRef);
    const stream = (await this.call(`pull ${pullRef}`, () =>
      this.docker.createImage({
        fromImage: repository,
        tag,
        ...(credentials.auth ? { authconfig: credentials.auth } : {}),
      }),
    ).catch((error: unknown) => {
      if (!(error instanceof HoistError) || error instanceof EngineUnavailableError) throw error;
      const hint = credentialsHint(credentials, error.message);
      if (!hint) throw error;
      throw new HoistError(error.code, `${error.message}${hint}`, { cause: error.cause });
    })) as NodeJS.ReadableStream;
    const events = await this.readProgress(stream, `pull ${pullRef}`);
    const failure = events.find((e) => e.error || e.errorDetail);
    if (failure) {
      const message = failure.errorDetail?.message ?? failure.error ?? 'unknown error';
      throw new HoistError(
        'engine_error',
        `Pulling ${pullRef} failed: ${message}${credentialsHint(credentials, message)}`,
      );
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

  /** Standalone containers only: the containers of Swarm tasks are Swarm's to manage. */
  async listContainersWithLabel(label: string, value: string): Promise<ContainerInfo[]> {
    const summaries = (await this.listSummaries({ label: [`${label}=${value}`] })).filter(
      (s) => !isSwarmTask(s),
    );
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
    const config = replacementConfig(old, oldImage?.Config ?? null, spec);
    // A reused anonymous volume is the old container's data: never removed with a failed copy.
    return this.createContainer(spec.name, config, { removeVolumesOnFailure: !spec.reuseVolumes });
  }

  async createServiceContainer(service: NewService, name: string): Promise<string> {
    // The engine accepts a connection of a created container to any name and fails only at start.
    await Promise.all(service.networks.map((network) => this.requireNetwork(network)));
    return this.createContainer(name, serviceContainerConfig(service), {
      removeVolumesOnFailure: true,
    });
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
    // Docker's `v` removes only volumes it made anonymously; those Hoist carried over by name
    // (ANONYMOUS_VOLUMES_LABEL) are anonymous too, and go with their container the same way.
    const carried = options.volumes ? await this.carriedVolumes(id) : [];
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
    for (const name of carried) {
      // Still in use elsewhere (409) or already gone (404): not ours to force.
      await this.docker
        .getVolume(name)
        .remove()
        .catch(() => undefined);
    }
  }

  private async carriedVolumes(id: string): Promise<string[]> {
    const raw = await this.inspectRaw(id);
    if (!raw) return [];
    const destinations = new Set(anonymousDestinations(raw.Config.Labels ?? {}));
    return (raw.Mounts ?? [])
      .filter((m) => m.Type === 'volume' && m.Name && destinations.has(m.Destination))
      .map((m) => m.Name!);
  }

  async networkMemberships(id: string): Promise<NetworkMembership[]> {
    const raw = await this.inspectRaw(id);
    return raw ? networkMembershipsOf(raw) : [];
  }

  async withdrawAliases(id: string, memberships: NetworkMembership[]): Promise<void> {
    const raw = await this.inspectRaw(id);
    if (raw) await this.networkAliases().withdraw(id, memberships, raw);
  }

  async restoreAliases(id: string, memberships: NetworkMembership[]): Promise<void> {
    const raw = await this.inspectRaw(id);
    if (raw) await this.networkAliases().restore(id, memberships, raw);
  }

  private networkAliases(): NetworkAliases {
    return new NetworkAliases(this.docker, (what, fn) => this.call(what, fn));
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
  // Swarm.

  async resolveDigest(imageRef: string): Promise<string> {
    const { repository, tag } = await this.redeployableRef(imageRef);
    const ref = `${repository}:${tag}`;
    const credentials = await this.credentialsFor(ref);
    let answer: { Descriptor?: { digest?: string } } | null;
    try {
      answer = await this.request(`resolve ${ref} to a digest`, {
        method: 'GET',
        path: `/distribution/${ref}/json`,
        auth: credentials.auth,
      });
    } catch (error) {
      if (error instanceof EngineUnavailableError || !(error instanceof HoistError)) throw error;
      const message = daemonMessage((error.cause ?? {}) as DockerishError);
      throw new HoistError(
        'engine_error',
        `Cannot resolve ${ref} to a digest: ${message}. ${resolveHint(ref, credentials, message)}`,
        { cause: error.cause ?? error },
      );
    }
    const digest = answer?.Descriptor?.digest;
    if (!digest || !/^sha256:[0-9a-f]{64}$/.test(digest)) {
      throw new HoistError(
        'engine_error',
        `Cannot resolve ${ref} to a digest: the engine answered without one (${JSON.stringify(answer).slice(0, 200)}).`,
      );
    }
    return digest;
  }

  async inspectSwarmService(id: string): Promise<SwarmServiceState | null> {
    const raw = await this.inspectServiceRaw(id);
    return raw ? toSwarmServiceState(raw) : null;
  }

  /** Every task of the service, its shut-down history included, newest first. */
  async listSwarmTasks(serviceId: string): Promise<TaskInfo[]> {
    let tasks: RawTask[];
    let nodes: RawNode[];
    try {
      [tasks, nodes] = await Promise.all([
        this.request<RawTask[]>(`list the tasks of Swarm service ${serviceId}`, {
          method: 'GET',
          path: '/tasks',
          query: { filters: { service: [serviceId] } },
        }),
        this.listNodes(),
      ]);
    } catch (error) {
      // The engine answers 404 for a service filter that names no service.
      if (await this.isMissingSwarmObject(error)) return [];
      throw error;
    }
    const names = nodeNames(nodes);
    return tasks.sort(newestFirst).map((t) => toTaskInfo(t, names));
  }

  async updateSwarmServiceImage(id: string, imageRef: string): Promise<void> {
    // Sent with the update, so that every node can pull a private image.
    const credentials = await this.credentialsFor(imageRef);
    await this.updateServiceSpec(
      id,
      `update Swarm service ${id} to ${imageRef}`,
      (service) => specWithImage(service, imageRef),
      credentials,
    );
  }

  async scaleSwarmService(id: string, replicas: number): Promise<void> {
    await this.updateServiceSpec(id, `scale Swarm service ${id} to ${replicas}`, (service) =>
      specWithReplicas(service, replicas),
    );
  }

  /**
   * Like `docker service create`, pins the image to the digest the registry
   * serves now (so every node runs the same image), or, when the registry
   * cannot say (an image only on this node), leaves the reference as it is.
   */
  async createSwarmService(service: NewService): Promise<string> {
    const credentials = await this.credentialsFor(service.image);
    const parsed = parseImageReference(service.image);
    let image = service.image;
    if (!parsed.digest) {
      const digest = await this.resolveDigest(image).catch((error: unknown) => {
        if (error instanceof EngineUnavailableError) throw error;
        return null;
      });
      if (digest) image = `${parsed.repository}:${parsed.tag ?? 'latest'}@${digest}`;
    }
    const created = await this.request<{ ID?: string } | null>(
      `create Swarm service ${service.name}`,
      {
        method: 'POST',
        path: '/services/create',
        body: swarmServiceSpec({ ...service, image }),
        auth: credentials.auth,
      },
    );
    if (!created?.ID) {
      throw new HoistError(
        'engine_error',
        `Docker created Swarm service ${service.name} but did not say its ID.`,
      );
    }
    return created.ID;
  }

  /** No error when it is already gone. */
  async removeSwarmService(id: string): Promise<void> {
    try {
      await this.request(`remove Swarm service ${id}`, {
        method: 'DELETE',
        path: `/services/${encodeURIComponent(id)}`,
      });
    } catch (error) {
      if (statusOf((error as HoistError).cause) === 404) return;
      throw error;
    }
  }

  // -------------------------------------------------------------------------

  private async rawInfo(): Promise<RawInfo> {
    return this.call('read the engine info', () => this.docker.info() as Promise<RawInfo>);
  }

  /** Every Swarm service, with its tasks and their nodes' names: three calls. */
  private async discoverSwarm(): Promise<DiscoveredService[]> {
    const [services, tasks, nodes] = await Promise.all([
      this.request<RawService[]>('list Swarm services', { method: 'GET', path: '/services' }),
      this.request<RawTask[]>('list Swarm tasks', { method: 'GET', path: '/tasks' }),
      this.listNodes(),
    ]);
    const names = nodeNames(nodes);
    const byService = new Map<string, RawTask[]>();
    for (const task of tasks) {
      const list = byService.get(task.ServiceID ?? '') ?? [];
      list.push(task);
      byService.set(task.ServiceID ?? '', list);
    }
    return services.map((s) => toDiscoveredSwarmService(s, byService.get(s.ID) ?? [], names));
  }

  private async getSwarmService(id: string): Promise<DiscoveredService | null> {
    const service = await this.inspectServiceRaw(id);
    // The engine also finds services by name or ID prefix; the key is the full ID.
    if (!service || service.ID !== id) return null;
    const [tasks, nodes] = await Promise.all([
      this.request<RawTask[]>(`list the tasks of Swarm service ${id}`, {
        method: 'GET',
        path: '/tasks',
        query: { filters: { service: [id] } },
      }),
      this.listNodes(),
    ]);
    return toDiscoveredSwarmService(
      service,
      tasks.filter((t) => t.ServiceID === id),
      nodeNames(nodes),
    );
  }

  private listNodes(): Promise<RawNode[]> {
    return this.request<RawNode[]>('list Swarm nodes', { method: 'GET', path: '/nodes' });
  }

  /** null when there is no such service (or no swarm at all on this engine). */
  private async inspectServiceRaw(id: string): Promise<RawService | null> {
    try {
      return await this.request<RawService>(`inspect Swarm service ${id}`, {
        method: 'GET',
        path: `/services/${encodeURIComponent(id)}`,
      });
    } catch (error) {
      if (await this.isMissingSwarmObject(error)) return null;
      throw error;
    }
  }

  /**
   * A 404, or a 503 from an engine that is in no swarm at all (a standalone
   * engine has no Swarm services). A 503 from a swarm member (a worker, a
   * manager without quorum) is an error, not an absence.
   */
  private async isMissingSwarmObject(error: unknown): Promise<boolean> {
    if (!(error instanceof HoistError) || error instanceof EngineUnavailableError) return false;
    const status = statusOf(error.cause);
    if (status === 404) return true;
    if (status !== 503) return false;
    const info = await this.rawInfo().catch(() => null);
    return info !== null && !swarmActive(info);
  }

  /**
   * Reads the service, changes a copy of its spec, and sends it back with the
   * version it read. When another client updated the service in between
   * ("update out of sequence"), reads it again and retries once.
   */
  private async updateServiceSpec(
    id: string,
    what: string,
    change: (service: RawService) => RawServiceSpec,
    credentials?: RegistryCredentials,
  ): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const service = await this.inspectServiceRaw(id);
      if (!service) {
        throw new HoistError('engine_error', `Cannot ${what}: there is no such Swarm service.`);
      }
      const spec = change(service);
      try {
        await this.request(what, {
          method: 'POST',
          path: `/services/${encodeURIComponent(service.ID)}/update`,
          query: { version: service.Version?.Index ?? 0 },
          body: spec,
          auth: credentials?.auth ?? null,
        });
        return;
      } catch (error) {
        if (attempt < 2 && error instanceof HoistError && /out of sequence/i.test(error.message)) {
          continue;
        }
        throw error;
      }
    }
  }

  /** One JSON call to the Engine API, its errors translated like every other call's. */
  private request<T = unknown>(
    what: string,
    options: {
      method: 'GET' | 'POST' | 'DELETE';
      path: string;
      query?: Record<string, unknown>;
      body?: unknown;
      auth?: object | null;
    },
  ): Promise<T> {
    return this.call(
      what,
      () =>
        new Promise<T>((resolve, reject) => {
          const payload: Record<string, unknown> = {};
          if (options.query) payload._query = options.query;
          if (options.body !== undefined) payload._body = options.body;
          this.docker.modem.dial(
            {
              // docker-modem adds a query string only to paths with a '?'.
              path: options.query ? `${options.path}?` : options.path,
              method: options.method,
              options: payload,
              ...(options.auth ? { authconfig: options.auth } : {}),
              statusCodes: { 200: true, 201: true, 204: true },
            },
            (error, data) => (error ? reject(error) : resolve(data as T)),
          );
        }),
    );
  }

  private async requireNetwork(network: string): Promise<void> {
    try {
      await this.call(`inspect network ${network}`, () =>
        this.docker.getNetwork(network).inspect(),
      );
    } catch (error) {
      if (statusOf((error as HoistError).cause) !== 404) throw error;
      throw new HoistError(
        'bad_request',
        `Network "${network}" does not exist on this engine: create it first (docker network create ${network}) or leave it out.`,
      );
    }
  }

  private credentialsFor(imageRef: string): Promise<RegistryCredentials> {
    return registryCredentials(imageRef, this.dockerConfigDir);
  }

  /** Creates a container and connects it to its other networks; removes it again if that fails. */
  private async createContainer(
    name: string,
    { body, extraNetworks }: ContainerCreateBody,
    options: { removeVolumesOnFailure: boolean },
  ): Promise<string> {
    const created = (await this.call(`create container ${name}`, () =>
      this.docker.createContainer({
        _query: { name },
        _body: body,
      } as unknown as Dockerode.ContainerCreateOptions),
    )) as Dockerode.Container;
    const id = created.id;
    try {
      for (const { network, endpoint } of extraNetworks) {
        await this.call(`connect ${name} to network ${network}`, () =>
          this.docker.getNetwork(network).connect({ Container: id, EndpointConfig: endpoint }),
        );
      }
    } catch (error) {
      await this.removeContainer(id, { volumes: options.removeVolumesOnFailure }).catch(
        () => undefined,
      );
      throw error;
    }
    return id;
  }

  private async discover(filters: Record<string, string[]>): Promise<DiscoveredService[]> {
    const summaries = (await this.listSummaries(filters)).filter(
      (s) => !isSwarmTask(s) && !(s.Names ?? []).some((n) => isTransientContainerName(n)),
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
      services.push({
        ...ref,
        imageRef: containers[0]?.imageRef ?? '',
        containers,
        labels: { ...(containers[0]?.labels ?? {}) },
      });
    }
    return services.sort(byKindAndKey);
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
    const followed = followedTag(ref);
    if (!followed.ok) {
      switch (followed.problem) {
        case 'empty':
        case 'image-id':
          throw notRedeployable(ref, 'it is an image id, not a repository and tag');
        case 'no-repository':
          throw notRedeployable(ref, 'it names no repository');
        case 'digest-only':
          throw notRedeployable(ref, 'it is pinned to a digest and names no tag to follow');
      }
    }
    if (/^[0-9a-f]{6,63}$/.test(ref)) {
      // A short hex string (no tag, no digest) may be an image id prefix rather than a repository name.
      const image = await this.inspectImageOrNull(ref);
      if (image && image.Id.replace(/^sha256:/, '').startsWith(ref)) {
        throw notRedeployable(ref, 'it is an image id, not a repository and tag');
      }
    }
    return { repository: followed.reference.repository, tag: followed.reference.tag };
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

function swarmActive(info: RawInfo): boolean {
  return info.Swarm?.LocalNodeState === 'active';
}

function isSwarmTask(summary: RawContainerSummary): boolean {
  return Boolean(summary.Labels?.[SWARM_SERVICE_ID_LABEL]);
}

const UNAUTHORIZED = /unauthori[sz]ed|authentication required|denied|forbidden|no basic auth/i;

/** What to do about a failed pull, when credentials may be why. */
function credentialsHint(credentials: RegistryCredentials, message: string): string {
  if (credentials.note) return ` (${credentials.note}.)`;
  if (!credentials.auth && UNAUTHORIZED.test(message)) {
    return ` (Hoist sent no credentials for ${credentials.registry}: ${credentials.configPath} has none for it. Run \`docker login ${credentials.registry}\` so that file holds them, or point DOCKER_CONFIG at one that does.)`;
  }
  return '';
}

/** What to do about a digest look-up that failed with `message`. */
function resolveHint(ref: string, credentials: RegistryCredentials, message: string): string {
  if (credentials.note) return `${credentials.note}.`;
  if (UNAUTHORIZED.test(message)) {
    return credentials.auth
      ? `The registry refused the credentials for ${credentials.registry} in ${credentials.configPath}: log in again (docker login ${credentials.registry}).`
      : `Hoist sent no credentials for ${credentials.registry} (${credentials.configPath} has none for it): if the registry needs them, run \`docker login ${credentials.registry}\` so that file holds them, or point DOCKER_CONFIG at one that does.`;
  }
  if (/manifest unknown|name unknown|manifest .*not found|repository .*not found/i.test(message)) {
    return `Check that ${ref} was pushed to the registry (that the tag exists) and that the name is spelled right.`;
  }
  if (/x509|certificate|tls|https/i.test(message) && !/dial tcp|no such host/i.test(message)) {
    return `Check the registry's TLS set-up: the engine must trust its certificate, or list it in insecure-registries.`;
  }
  return `Check that the engine can reach the registry ${credentials.registry} (its name, port and network).`;
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
    publishesPorts: publishesPorts(raw),
  };
}

/**
 * Whether the container holds ports on the host, so that a second copy could
 * not run beside it: a port binding with a host port, a port published now
 * (-P picks them at start), or the host's own network.
 */
function publishesPorts(raw: RawContainer): boolean {
  const holdsHostPort = (bindings: Record<string, RawPortBinding[] | null> | null | undefined) =>
    Object.values(bindings ?? {}).some((list) => (list ?? []).some((b) => Boolean(b.HostPort)));
  return (
    holdsHostPort(raw.HostConfig.PortBindings) ||
    holdsHostPort(raw.NetworkSettings?.Ports) ||
    raw.HostConfig.NetworkMode === 'host'
  );
}

function isHealth(value: unknown): value is HealthStatus {
  return value === 'starting' || value === 'healthy' || value === 'unhealthy' || value === 'none';
}

function byName(a: ContainerInfo, b: ContainerInfo): number {
  return compare(a.name, b.name);
}

function byKindAndKey(a: DiscoveredService, b: DiscoveredService): number {
  return a.kind === b.kind ? compare(a.key, b.key) : compare(a.kind, b.kind);
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
