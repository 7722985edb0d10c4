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

/** How a service's containers are grouped on a standalone engine. */
export type ServiceKind = 'compose' | 'hoist' | 'container';

export interface ServiceRef {
  kind: ServiceKind;
  /** compose: "project/service"; hoist: the io.hoist.service label; container: the container name. */
  key: string;
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
}

export interface DiscoveredService extends ServiceRef {
  name: string;
  imageRef: string;
  containers: ContainerInfo[];
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

export interface Engine {
  info(): Promise<EngineInfo>;
  listServices(): Promise<DiscoveredService[]>;
  getService(ref: ServiceRef): Promise<DiscoveredService | null>;
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
  /** The last lines the container printed (stdout and stderr), for failure reasons. */
  logsTail(id: string, lines: number): Promise<string>;
}
