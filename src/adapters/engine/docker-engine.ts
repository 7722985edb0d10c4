/**
 * The Engine port over the Docker Engine API (dockerode). Written against API
 * 1.41 (Docker 20.10) and newer.
 *
 * Errors: when the daemon cannot be reached this throws EngineUnavailableError
 * (naming the host it tried); when the daemon answers with an error it throws
 * HoistError('engine_error') carrying the daemon's message (docker-errors.ts).
 *
 * A facade: each method hands the shared DockerApi to the file that holds its
 * concept (containers, images, Swarm, discovery). A new operation is a
 * function `(api, ...)` in its concept's file and one delegating method here.
 */
import type Dockerode from 'dockerode';
import type {
  ContainerInfo,
  DiscoveredService,
  Engine,
  EngineInfo,
  NewService,
  PulledImage,
  NetworkMembership,
  OwnService,
  ReplacementSpec,
  ServiceRef,
  SwarmServiceState,
  TaskInfo,
} from '../../domain/ports/engine.js';
import { DockerApi } from './docker-api.js';
import { DEFAULT_DOCKER_HOST, createDockerClient } from './docker-client.js';
import * as containers from './docker-containers.js';
import * as images from './docker-images.js';
import * as swarm from './docker-swarm.js';
import * as discovery from './service-discovery.js';
import * as networks from './network-aliases.js';
import { findOwnService } from './own-container.js';

export interface DockerEngineOptions {
  /** Where the daemon is: unix:///path/docker.sock, tcp://host:port or http(s)://host:port. Named in errors. */
  dockerHost?: string;
  /** A ready client (tests, or a custom TLS set-up); built from dockerHost when absent. */
  docker?: Dockerode;
  /** Idle timeout of one request, in ms (default 5 minutes: a stop waits for the container's stop timeout). */
  requestTimeoutMs?: number;
  /** Where the Docker config file with registry credentials is: default ~/.docker (read per call). */
  dockerConfigDir?: string;
}

export class DockerEngine implements Engine {
  readonly dockerHost: string;
  private readonly api: DockerApi;

  constructor(options: DockerEngineOptions = {}) {
    this.dockerHost = options.dockerHost ?? DEFAULT_DOCKER_HOST;
    const docker =
      options.docker ??
      createDockerClient(this.dockerHost, { requestTimeoutMs: options.requestTimeoutMs });
    this.api = new DockerApi(docker, this.dockerHost, options.dockerConfigDir);
  }

  info(): Promise<EngineInfo> {
    return discovery.engineInfo(this.api);
  }

  listServices(): Promise<DiscoveredService[]> {
    return discovery.listServices(this.api);
  }

  getService(ref: ServiceRef): Promise<DiscoveredService | null> {
    return discovery.getService(this.api, ref);
  }

  findOwnService(): Promise<OwnService | null> {
    return findOwnService(this.api);
  }

  pullImage(imageRef: string): Promise<PulledImage> {
    return images.pullImage(this.api, imageRef);
  }

  inspectContainer(id: string): Promise<ContainerInfo | null> {
    return containers.inspectContainer(this.api, id);
  }

  listContainersWithLabel(label: string, value: string): Promise<ContainerInfo[]> {
    return containers.listContainersWithLabel(this.api, label, value);
  }

  createReplacement(spec: ReplacementSpec): Promise<string> {
    return containers.createReplacement(this.api, spec);
  }

  createServiceContainer(service: NewService, name: string): Promise<string> {
    return containers.createServiceContainer(this.api, service, name);
  }

  startContainer(id: string): Promise<void> {
    return containers.startContainer(this.api, id);
  }

  stopContainer(id: string): Promise<void> {
    return containers.stopContainer(this.api, id);
  }

  renameContainer(id: string, name: string): Promise<void> {
    return containers.renameContainer(this.api, id, name);
  }

  removeContainer(id: string, options: { volumes: boolean }): Promise<void> {
    return containers.removeContainer(this.api, id, options);
  }

  logsTail(id: string, lines: number): Promise<string> {
    return containers.logsTail(this.api, id, lines);
  }

  networkMemberships(id: string): Promise<NetworkMembership[]> {
    return networks.networkMemberships(this.api, id);
  }

  withdrawAliases(id: string, memberships: NetworkMembership[]): Promise<void> {
    return networks.withdrawAliases(this.api, id, memberships);
  }

  restoreAliases(id: string, memberships: NetworkMembership[]): Promise<void> {
    return networks.restoreAliases(this.api, id, memberships);
  }

  resolveDigest(imageRef: string): Promise<string> {
    return images.resolveDigest(this.api, imageRef);
  }

  inspectSwarmService(id: string): Promise<SwarmServiceState | null> {
    return swarm.inspectSwarmService(this.api, id);
  }

  listSwarmTasks(serviceId: string): Promise<TaskInfo[]> {
    return swarm.listSwarmTasks(this.api, serviceId);
  }

  updateSwarmServiceImage(id: string, imageRef: string): Promise<void> {
    return swarm.updateSwarmServiceImage(this.api, id, imageRef);
  }

  scaleSwarmService(id: string, replicas: number): Promise<void> {
    return swarm.scaleSwarmService(this.api, id, replicas);
  }

  createSwarmService(service: NewService): Promise<string> {
    return swarm.createSwarmService(this.api, service);
  }

  removeSwarmService(id: string): Promise<void> {
    return swarm.removeSwarmService(this.api, id);
  }
}
