/**
 * One Docker engine as the adapter's files share it: the dockerode client,
 * calls whose failures are translated (docker-errors.ts), and the raw reads
 * several concepts need (inspect a container or an image, list containers and
 * images).
 */
import type Dockerode from 'dockerode';
import type { HoistError } from '../../domain/errors.js';
import type {
  RawContainer,
  RawContainerSummary,
  RawImage,
  RawImageSummary,
  RawInfo,
} from './docker-api-types.js';
import { statusOf, translateError } from './docker-errors.js';
import { registryCredentials, type RegistryCredentials } from './registry-auth.js';

export class DockerApi {
  constructor(
    readonly docker: Dockerode,
    /** Where the daemon is; named in errors. */
    readonly dockerHost: string,
    private readonly dockerConfigDir: string | undefined,
  ) {}

  /** Runs one daemon call, turning failures into EngineUnavailableError or HoistError('engine_error'). */
  async call<T>(what: string, fn: () => Promise<T>, okStatuses: number[] = []): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      const status = statusOf(error);
      if (status !== undefined && okStatuses.includes(status)) return undefined as T;
      throw translateError(error, what, this.dockerHost);
    }
  }

  /** One JSON call to the Engine API, its errors translated like every other call's. */
  request<T = unknown>(
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

  credentialsFor(imageRef: string): Promise<RegistryCredentials> {
    return registryCredentials(imageRef, this.dockerConfigDir);
  }

  async rawInfo(): Promise<RawInfo> {
    return this.call('read the engine info', () => this.docker.info() as Promise<RawInfo>);
  }

  async inspectRaw(id: string): Promise<RawContainer | null> {
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

  async inspectImageOrNull(id: string): Promise<RawImage | null> {
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

  async listSummaries(filters: Record<string, string[]>): Promise<RawContainerSummary[]> {
    return (await this.call('list containers', () =>
      this.docker.listContainers({ all: true, filters }),
    )) as RawContainerSummary[];
  }

  /** Inspects each listed container; one that vanished in between is skipped. */
  async inspectAll(summaries: RawContainerSummary[]): Promise<RawContainer[]> {
    const raws = await Promise.all(summaries.map((s) => this.inspectRaw(s.Id)));
    return raws.filter((r): r is RawContainer => r !== null);
  }

  /** image id -> RepoDigests, in one call. */
  async repoDigests(): Promise<Map<string, string[]>> {
    const images = (await this.call('list images', () =>
      this.docker.listImages(),
    )) as RawImageSummary[];
    return new Map(images.map((i) => [i.Id, i.RepoDigests ?? []]));
  }
}
