/**
 * Which services an engine runs: standalone containers grouped by Compose's
 * labels, Hoist's own label or their name, and on a swarm manager every Swarm
 * service. Also the engine's own description (info).
 */
import type {
  ContainerInfo,
  DiscoveredService,
  EngineInfo,
  ServiceKind,
  ServiceRef,
} from '../../domain/ports/engine.js';
import { isTransientContainerName } from '../../domain/actions/container-names.js';
import { digestFor } from '../../domain/image-reference.js';
import type { DockerApi } from './docker-api.js';
import { byName, compare, toContainerInfo } from './container-info.js';
import { discoverSwarm, getSwarmService } from './docker-swarm.js';
import { HOIST_SERVICE_LABEL } from './service-specs.js';
import { isSwarmTask, swarmActive } from './swarm-services.js';

const COMPOSE_PROJECT = 'com.docker.compose.project';
const COMPOSE_SERVICE = 'com.docker.compose.service';

interface RawVersion {
  Version?: string;
  ApiVersion?: string;
}

export async function engineInfo(api: DockerApi): Promise<EngineInfo> {
  const [info, version] = await Promise.all([
    api.rawInfo(),
    api.call('read the engine version', () => api.docker.version() as Promise<RawVersion>),
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
export async function listServices(api: DockerApi): Promise<DiscoveredService[]> {
  const [info, standalone] = await Promise.all([api.rawInfo(), discover(api, {})]);
  // A worker node cannot see the cluster's services (the engine answers 503).
  const swarm = swarmActive(info) && info.Swarm?.ControlAvailable ? await discoverSwarm(api) : [];
  return [...standalone, ...swarm].sort(byKindAndKey);
}

export async function getService(
  api: DockerApi,
  ref: ServiceRef,
): Promise<DiscoveredService | null> {
  if (ref.kind === 'swarm') return getSwarmService(api, ref.key);
  const filters: Record<string, string[]> = {};
  if (ref.kind === 'compose') {
    const slash = ref.key.indexOf('/');
    if (slash < 0) return null;
    filters.label = [
      `${COMPOSE_PROJECT}=${ref.key.slice(0, slash)}`,
      `${COMPOSE_SERVICE}=${ref.key.slice(slash + 1)}`,
    ];
  } else if (ref.kind === 'hoist') {
    filters.label = [`${HOIST_SERVICE_LABEL}=${ref.key}`];
  } else {
    filters.name = [`^/${escapeRegExp(ref.key)}$`];
  }
  const services = await discover(api, filters);
  return services.find((s) => s.kind === ref.kind && s.key === ref.key) ?? null;
}

async function discover(
  api: DockerApi,
  filters: Record<string, string[]>,
): Promise<DiscoveredService[]> {
  const summaries = (await api.listSummaries(filters)).filter(
    (s) => !isSwarmTask(s) && !(s.Names ?? []).some((n) => isTransientContainerName(n)),
  );
  const [raws, digests] = await Promise.all([api.inspectAll(summaries), api.repoDigests()]);

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

export function classify(info: ContainerInfo): { kind: ServiceKind; key: string; name: string } {
  const project = info.labels[COMPOSE_PROJECT];
  const service = info.labels[COMPOSE_SERVICE];
  if (project && service) {
    return { kind: 'compose', key: `${project}/${service}`, name: `${project}-${service}` };
  }
  const hoist = info.labels[HOIST_SERVICE_LABEL];
  if (hoist) return { kind: 'hoist', key: hoist, name: hoist };
  return { kind: 'container', key: info.name, name: info.name };
}

function byKindAndKey(a: DiscoveredService, b: DiscoveredService): number {
  return a.kind === b.kind ? compare(a.key, b.key) : compare(a.kind, b.kind);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
