/**
 * The engine port: what the domain needs from a Docker engine, in the domain's
 * words. The Docker adapter implements it; unit tests of the domain's decisions
 * use a fake. Every method throws EngineUnavailableError when the daemon cannot
 * be reached, and HoistError('engine_error') when it answers with an error.
 */

export type EngineMode = 'standalone' | 'swarm';

export interface EngineInfo {
  mode: EngineMode;
  version: string;
  apiVersion: string;
  name: string;
}

/**
 * What a service is on its engine: a Swarm service, or a grouping of
 * standalone containers (Compose labels, Hoist's own label, or one named
 * container).
 */
export type ServiceKind = 'swarm' | 'compose' | 'hoist' | 'container';

export interface ServiceRef {
  kind: ServiceKind;
  /** swarm: the Swarm service ID; compose: "project/service"; hoist: the io.hoist.service label; container: the container name. */
  key: string;
}

/** The service of the container Hoist itself runs in. */
export interface OwnService extends ServiceRef {
  name: string;
  containerId: string;
}

export type HealthStatus = 'none' | 'starting' | 'healthy' | 'unhealthy';

export interface ContainerInfo {
  id: string;
  /** Without Docker's leading slash. */
  name: string;
  /** Docker's state: created, running, paused, restarting, removing, exited, dead. */
  state: string;
  running: boolean;
  exitCode: number | null;
  health: HealthStatus;
  imageRef: string;
  imageId: string;
  /** The repo digest (sha256:...) of the image the container runs, when the engine knows one. */
  digest: string | null;
  labels: Record<string, string>;
  createdAt: string;
  startedAt: string | null;
  /** Publishes at least one port on the host: two copies cannot run at once. */
  publishesPorts: boolean;
}

/** One task of a Swarm service. */
export interface TaskInfo {
  id: string;
  slot: number | null;
  nodeId: string;
  /** The node's hostname, when the engine knows it. */
  node: string | null;
  /** Status.State: new, pending, running, complete, failed, shutdown, rejected, ... */
  state: string;
  desiredState: string;
  /** Status.Err: why the task failed, when it did. */
  error: string | null;
  message: string | null;
  /** The image its spec names (repo:tag@digest once Hoist pinned it). */
  imageRef: string;
  containerId: string | null;
  updatedAt: string;
}

export interface SwarmDetails {
  /** null for a global service. */
  desiredReplicas: number | null;
  runningTasks: number;
  /** Tasks that are running or meant to run (not the shut-down history). */
  tasks: TaskInfo[];
}

export interface DiscoveredService extends ServiceRef {
  name: string;
  /** The image reference its containers (or its Swarm spec) name. */
  imageRef: string;
  /** Standalone kinds; empty for a Swarm service. */
  containers: ContainerInfo[];
  /** Swarm services only. */
  swarm?: SwarmDetails;
  labels: Record<string, string>;
}

export type SwarmUpdateState =
  | 'updating'
  | 'paused'
  | 'completed'
  | 'rollback_started'
  | 'rollback_paused'
  | 'rollback_completed';

export interface SwarmServiceState {
  id: string;
  name: string;
  /** The spec's version index (what an update must name). */
  version: number;
  imageRef: string;
  forceUpdate: number;
  /** null for a global service. */
  replicas: number | null;
  /** The last update's status; null when the service was never updated. */
  update: {
    state: SwarmUpdateState | null;
    message: string | null;
    startedAt: string | null;
    completedAt: string | null;
  } | null;
  labels: Record<string, string>;
}

export interface PortSpec {
  /** Port on the host (standalone) or published by the swarm. */
  published: number;
  target: number;
  protocol: 'tcp' | 'udp';
  /** Swarm only: 'ingress' (routing mesh, the default) or 'host'. */
  mode?: 'ingress' | 'host';
}

export interface VolumeSpec {
  /** A named volume, or an absolute host path for a bind mount. */
  source: string;
  target: string;
  readOnly?: boolean;
}

/** A service Hoist creates (POST /api/v1/services). */
export interface NewService {
  name: string;
  image: string;
  replicas: number;
  env: Record<string, string>;
  ports: PortSpec[];
  volumes: VolumeSpec[];
  networks: string[];
  restartPolicy: 'no' | 'always' | 'unless-stopped' | 'on-failure';
  /** Extra labels; io.hoist.service is always added. */
  labels: Record<string, string>;
}

export interface PulledImage {
  imageId: string;
  digest: string | null;
}

export interface ReplacementSpec {
  /** The container whose configuration is copied. */
  fromContainerId: string;
  /** The image reference the new container runs (already pulled). */
  imageRef: string;
  name: string;
  /** Labels added to (or overriding) the copied ones. */
  labels: Record<string, string>;
  /** Carry the old container's anonymous volumes over (Tutum's reuse_volumes). */
  reuseVolumes: boolean;
  /** Environment added to (or overriding) the copied environment. */
  env?: Record<string, string>;
}

/**
 * A standalone container's place on one user-defined network (the default
 * bridge has no name resolution): what it takes to put it back there.
 */
export interface NetworkMembership {
  /** The network's name. */
  network: string;
  /** Its aliases there, without the short id Docker adds itself. */
  aliases: string[];
  /** Set only when the address was chosen by the user (static), not by the engine. */
  ipv4Address: string | null;
  ipv6Address: string | null;
  /** Legacy links on that network, as "container:alias". */
  links: string[];
}

export interface Engine {
  info(): Promise<EngineInfo>;
  listServices(): Promise<DiscoveredService[]>;
  getService(ref: ServiceRef): Promise<DiscoveredService | null>;
  /**
   * The service whose container this process runs in, when that container is on this
   * engine (Hoist run as a container); null otherwise.
   */
  findOwnService(): Promise<OwnService | null>;
  pullImage(imageRef: string): Promise<PulledImage>;
  /** null when no such container exists. */
  inspectContainer(id: string): Promise<ContainerInfo | null>;
  listContainersWithLabel(label: string, value: string): Promise<ContainerInfo[]>;
  /** Creates (does not start) a container from another's configuration; returns its id. */
  createReplacement(spec: ReplacementSpec): Promise<string>;
  startContainer(id: string): Promise<void>;
  /** Stops within the container's own stop timeout; no error when already stopped. */
  stopContainer(id: string): Promise<void>;
  renameContainer(id: string, name: string): Promise<void>;
  /** Force-removes; no error when already gone. */
  removeContainer(id: string, options: { volumes: boolean }): Promise<void>;
  /** The container's user-defined networks and its aliases there; [] when it is on none. */
  networkMemberships(id: string): Promise<NetworkMembership[]>;
  /**
   * Takes a running container's aliases off these networks, so the engine's
   * DNS stops handing out its address, without cutting its open connections.
   */
  withdrawAliases(id: string, memberships: NetworkMembership[]): Promise<void>;
  /** Puts back what withdrawAliases took (aliases, static addresses, links); a no-op where nothing is missing. */
  restoreAliases(id: string, memberships: NetworkMembership[]): Promise<void>;
  /** The last lines the container printed (stdout and stderr), for failure reasons. */
  logsTail(id: string, lines: number): Promise<string>;

  // Standalone services Hoist creates.

  /** Creates (does not start) one container of a Hoist-created service, labelled io.hoist.service. */
  createServiceContainer(service: NewService, name: string): Promise<string>;

  // Swarm.

  /**
   * The digest a registry serves for repo:tag now (the engine's distribution
   * endpoint), with credentials from the Docker config file when the registry
   * has some there.
   */
  resolveDigest(imageRef: string): Promise<string>;
  inspectSwarmService(id: string): Promise<SwarmServiceState | null>;
  listSwarmTasks(serviceId: string): Promise<TaskInfo[]>;
  /**
   * Sets the spec's image (repo:tag@digest) and increments ForceUpdate, so it
   * redeploys even when the digest is unchanged. Everything else in the spec,
   * its update and rollback config included, is left as it is.
   */
  updateSwarmServiceImage(id: string, imageRef: string): Promise<void>;
  scaleSwarmService(id: string, replicas: number): Promise<void>;
  /** Creates a Swarm service labelled io.hoist.service; returns its ID. */
  createSwarmService(service: NewService): Promise<string>;
  removeSwarmService(id: string): Promise<void>;
}
