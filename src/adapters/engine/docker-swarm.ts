/** Swarm services on a manager: read, list tasks, update the image, scale, create, remove. */
import type {
  DiscoveredService,
  NewService,
  SwarmServiceState,
  TaskInfo,
} from '../../domain/ports/engine.js';
import { EngineUnavailableError, HoistError } from '../../domain/errors.js';
import { parseImageReference } from '../../domain/image-reference.js';
import type { RawNode, RawService, RawServiceSpec, RawTask } from './docker-api-types.js';
import type { DockerApi } from './docker-api.js';
import { statusOf } from './docker-errors.js';
import { resolveDigest } from './docker-images.js';
import type { RegistryCredentials } from './registry-auth.js';
import { swarmServiceSpec } from './service-specs.js';
import {
  newestFirst,
  swarmActive,
  nodeNames,
  specWithImage,
  specWithReplicas,
  toDiscoveredSwarmService,
  toSwarmServiceState,
  toTaskInfo,
} from './swarm-services.js';

export async function inspectSwarmService(
  api: DockerApi,
  id: string,
): Promise<SwarmServiceState | null> {
  const raw = await inspectServiceRaw(api, id);
  return raw ? toSwarmServiceState(raw) : null;
}

/** Every task of the service, its shut-down history included, newest first. */
export async function listSwarmTasks(api: DockerApi, serviceId: string): Promise<TaskInfo[]> {
  let tasks: RawTask[];
  let nodes: RawNode[];
  try {
    [tasks, nodes] = await Promise.all([
      api.request<RawTask[]>(`list the tasks of Swarm service ${serviceId}`, {
        method: 'GET',
        path: '/tasks',
        query: { filters: { service: [serviceId] } },
      }),
      listNodes(api),
    ]);
  } catch (error) {
    // The engine answers 404 for a service filter that names no service.
    if (await isMissingSwarmObject(api, error)) return [];
    throw error;
  }
  const names = nodeNames(nodes);
  return tasks.sort(newestFirst).map((t) => toTaskInfo(t, names));
}

export async function updateSwarmServiceImage(
  api: DockerApi,
  id: string,
  imageRef: string,
): Promise<void> {
  // Sent with the update, so that every node can pull a private image.
  const credentials = await api.credentialsFor(imageRef);
  await updateServiceSpec(
    api,
    id,
    `update Swarm service ${id} to ${imageRef}`,
    (service) => specWithImage(service, imageRef),
    credentials,
  );
}

export async function scaleSwarmService(
  api: DockerApi,
  id: string,
  replicas: number,
): Promise<void> {
  await updateServiceSpec(api, id, `scale Swarm service ${id} to ${replicas}`, (service) =>
    specWithReplicas(service, replicas),
  );
}

/**
 * Like `docker service create`, pins the image to the digest the registry
 * serves now (so every node runs the same image), or, when the registry
 * cannot say (an image only on this node), leaves the reference as it is.
 */
export async function createSwarmService(api: DockerApi, service: NewService): Promise<string> {
  const credentials = await api.credentialsFor(service.image);
  const parsed = parseImageReference(service.image);
  let image = service.image;
  if (!parsed.digest) {
    const digest = await resolveDigest(api, image).catch((error: unknown) => {
      if (error instanceof EngineUnavailableError) throw error;
      return null;
    });
    if (digest) image = `${parsed.repository}:${parsed.tag ?? 'latest'}@${digest}`;
  }
  const created = await api.request<{ ID?: string } | null>(
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
export async function removeSwarmService(api: DockerApi, id: string): Promise<void> {
  try {
    await api.request(`remove Swarm service ${id}`, {
      method: 'DELETE',
      path: `/services/${encodeURIComponent(id)}`,
    });
  } catch (error) {
    if (statusOf((error as HoistError).cause) === 404) return;
    throw error;
  }
}

/** Every Swarm service, with its tasks and their nodes' names: three calls. */
export async function discoverSwarm(api: DockerApi): Promise<DiscoveredService[]> {
  const [services, tasks, nodes] = await Promise.all([
    api.request<RawService[]>('list Swarm services', { method: 'GET', path: '/services' }),
    api.request<RawTask[]>('list Swarm tasks', { method: 'GET', path: '/tasks' }),
    listNodes(api),
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

export async function getSwarmService(
  api: DockerApi,
  id: string,
): Promise<DiscoveredService | null> {
  const service = await inspectServiceRaw(api, id);
  // The engine also finds services by name or ID prefix; the key is the full ID.
  if (!service || service.ID !== id) return null;
  const [tasks, nodes] = await Promise.all([
    api.request<RawTask[]>(`list the tasks of Swarm service ${id}`, {
      method: 'GET',
      path: '/tasks',
      query: { filters: { service: [id] } },
    }),
    listNodes(api),
  ]);
  return toDiscoveredSwarmService(
    service,
    tasks.filter((t) => t.ServiceID === id),
    nodeNames(nodes),
  );
}

function listNodes(api: DockerApi): Promise<RawNode[]> {
  return api.request<RawNode[]>('list Swarm nodes', { method: 'GET', path: '/nodes' });
}

/** null when there is no such service (or no swarm at all on this engine). */
async function inspectServiceRaw(api: DockerApi, id: string): Promise<RawService | null> {
  try {
    return await api.request<RawService>(`inspect Swarm service ${id}`, {
      method: 'GET',
      path: `/services/${encodeURIComponent(id)}`,
    });
  } catch (error) {
    if (await isMissingSwarmObject(api, error)) return null;
    throw error;
  }
}

/**
 * A 404, or a 503 from an engine that is in no swarm at all (a standalone
 * engine has no Swarm services). A 503 from a swarm member (a worker, a
 * manager without quorum) is an error, not an absence.
 */
async function isMissingSwarmObject(api: DockerApi, error: unknown): Promise<boolean> {
  if (!(error instanceof HoistError) || error instanceof EngineUnavailableError) return false;
  const status = statusOf(error.cause);
  if (status === 404) return true;
  if (status !== 503) return false;
  const info = await api.rawInfo().catch(() => null);
  return info !== null && !swarmActive(info);
}

/**
 * Reads the service, changes a copy of its spec, and sends it back with the
 * version it read. When another client updated the service in between
 * ("update out of sequence"), reads it again and retries once.
 */
async function updateServiceSpec(
  api: DockerApi,
  id: string,
  what: string,
  change: (service: RawService) => RawServiceSpec,
  credentials?: RegistryCredentials,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const service = await inspectServiceRaw(api, id);
    if (!service) {
      throw new HoistError('engine_error', `Cannot ${what}: there is no such Swarm service.`);
    }
    const spec = change(service);
    try {
      await api.request(what, {
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
