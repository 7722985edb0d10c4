/** Standalone containers: inspect, create (as a copy or for a new service), start, stop, rename, remove, logs. */
import type Dockerode from 'dockerode';
import type { ContainerInfo, NewService, ReplacementSpec } from '../../domain/ports/engine.js';
import { HoistError } from '../../domain/errors.js';
import { digestFor } from '../../domain/image-reference.js';
import type { DockerApi } from './docker-api.js';
import { statusOf, type DockerishError } from './docker-errors.js';
import { byName, toContainerInfo } from './container-info.js';
import { demultiplex } from './log-demultiplex.js';
import {
  anonymousDestinations,
  replacementConfig,
  type ContainerCreateBody,
} from './replacement-config.js';
import { serviceContainerConfig } from './service-specs.js';
import { isSwarmTask } from './swarm-services.js';

export async function inspectContainer(api: DockerApi, id: string): Promise<ContainerInfo | null> {
  const raw = await api.inspectRaw(id);
  if (!raw) return null;
  const image = await api.inspectImageOrNull(raw.Image);
  return toContainerInfo(raw, digestFor(raw.Config.Image ?? '', image?.RepoDigests));
}

/** Standalone containers only: the containers of Swarm tasks are Swarm's to manage. */
export async function listContainersWithLabel(
  api: DockerApi,
  label: string,
  value: string,
): Promise<ContainerInfo[]> {
  const summaries = (await api.listSummaries({ label: [`${label}=${value}`] })).filter(
    (s) => !isSwarmTask(s),
  );
  const [raws, digests] = await Promise.all([api.inspectAll(summaries), api.repoDigests()]);
  return raws
    .map((raw) => toContainerInfo(raw, digestFor(raw.Config.Image ?? '', digests.get(raw.Image))))
    .sort(byName);
}

export async function createReplacement(api: DockerApi, spec: ReplacementSpec): Promise<string> {
  const old = await api.inspectRaw(spec.fromContainerId);
  if (!old) {
    throw new HoistError(
      'engine_error',
      `Cannot create a replacement: container ${spec.fromContainerId} does not exist.`,
    );
  }
  const oldImage = await api.inspectImageOrNull(old.Image);
  const config = replacementConfig(old, oldImage?.Config ?? null, spec);
  // A reused anonymous volume is the old container's data: never removed with a failed copy.
  return createContainer(api, spec.name, config, { removeVolumesOnFailure: !spec.reuseVolumes });
}

export async function createServiceContainer(
  api: DockerApi,
  service: NewService,
  name: string,
): Promise<string> {
  // The engine accepts a connection of a created container to any name and fails only at start.
  await Promise.all(service.networks.map((network) => requireNetwork(api, network)));
  return createContainer(api, name, serviceContainerConfig(service), {
    removeVolumesOnFailure: true,
  });
}

export async function startContainer(api: DockerApi, id: string): Promise<void> {
  await api.call(`start container ${id}`, () => api.docker.getContainer(id).start(), [304]);
}

export async function stopContainer(api: DockerApi, id: string): Promise<void> {
  await api.call(`stop container ${id}`, () => api.docker.getContainer(id).stop(), [304]);
}

export async function renameContainer(api: DockerApi, id: string, name: string): Promise<void> {
  await api.call(`rename container ${id} to ${name}`, () =>
    api.docker.getContainer(id).rename({ name }),
  );
}

export async function removeContainer(
  api: DockerApi,
  id: string,
  options: { volumes: boolean },
): Promise<void> {
  // Docker's `v` removes only volumes it made anonymously; those Hoist carried over by name
  // (ANONYMOUS_VOLUMES_LABEL) are anonymous too, and go with their container the same way.
  const carried = options.volumes ? await carriedVolumes(api, id) : [];
  try {
    await api.call(`remove container ${id}`, () =>
      api.docker.getContainer(id).remove({ force: true, v: options.volumes }),
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
    await api.docker
      .getVolume(name)
      .remove()
      .catch(() => undefined);
  }
}

async function carriedVolumes(api: DockerApi, id: string): Promise<string[]> {
  const raw = await api.inspectRaw(id);
  if (!raw) return [];
  const destinations = new Set(anonymousDestinations(raw.Config.Labels ?? {}));
  return (raw.Mounts ?? [])
    .filter((m) => m.Type === 'volume' && m.Name && destinations.has(m.Destination))
    .map((m) => m.Name!);
}

export async function logsTail(api: DockerApi, id: string, lines: number): Promise<string> {
  const raw = await api.inspectRaw(id);
  if (!raw) return '';
  const output: unknown = await api.call(`read the logs of ${id}`, () =>
    api.docker.getContainer(id).logs({
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

async function requireNetwork(api: DockerApi, network: string): Promise<void> {
  try {
    await api.call(`inspect network ${network}`, () => api.docker.getNetwork(network).inspect());
  } catch (error) {
    if (statusOf((error as HoistError).cause) !== 404) throw error;
    throw new HoistError(
      'bad_request',
      `Network "${network}" does not exist on this engine: create it first (docker network create ${network}) or leave it out.`,
    );
  }
}

/** Creates a container and connects it to its other networks; removes it again if that fails. */
async function createContainer(
  api: DockerApi,
  name: string,
  { body, extraNetworks }: ContainerCreateBody,
  options: { removeVolumesOnFailure: boolean },
): Promise<string> {
  const created = (await api.call(`create container ${name}`, () =>
    api.docker.createContainer({
      _query: { name },
      _body: body,
    } as unknown as Dockerode.ContainerCreateOptions),
  )) as Dockerode.Container;
  const id = created.id;
  try {
    for (const { network, endpoint } of extraNetworks) {
      await api.call(`connect ${name} to network ${network}`, () =>
        api.docker.getNetwork(network).connect({ Container: id, EndpointConfig: endpoint }),
      );
    }
  } catch (error) {
    await removeContainer(api, id, { volumes: options.removeVolumesOnFailure }).catch(
      () => undefined,
    );
    throw error;
  }
  return id;
}
