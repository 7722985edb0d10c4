/**
 * Which container this process runs in, when Hoist runs as a container on the
 * engine it manages. Docker bind-mounts a file of the container's own directory
 * (`.../containers/<id>/hostname`) onto /etc/hostname, /etc/hosts and
 * /etc/resolv.conf, so /proc/self/mountinfo names the id, with any network
 * mode (the host's network too) and either cgroup version. HOSTNAME, a short
 * id unless the user set one, is the fallback. Every candidate is confirmed by
 * the engine: Hoist in a container of another engine finds nothing here.
 */
import { readFileSync } from 'node:fs';
import type { OwnService } from '../../domain/ports/engine.js';
import type { DockerApi } from './docker-api.js';
import { classify } from './service-discovery.js';
import { SWARM_SERVICE_ID_LABEL, SWARM_SERVICE_NAME_LABEL } from './swarm-services.js';
import { toContainerInfo } from './container-info.js';

const OWN_FILES = new Set(['/etc/hostname', '/etc/hosts', '/etc/resolv.conf']);
// Docker: .../containers/<id>/hostname; Podman: .../overlay-containers/<id>/userdata/hostname.
const CONTAINER_ID = /\/([0-9a-f]{64})\/(?:userdata\/)?[^/]+$/;
const SHORT_ID = /^[0-9a-f]{12}$/;

/**
 * Container ids in the mount table: the source of a bind mount on one of the
 * files Docker gives each container. Only those mount points count: the host's
 * own table lists every container's shm mount, and those are not ours.
 */
export function containerIdsInMountinfo(mountinfo: string): string[] {
  const ids = new Set<string>();
  for (const line of mountinfo.split('\n')) {
    // id parent major:minor root mount-point ...
    const [, , , root, mountPoint] = line.split(' ');
    if (!root || !mountPoint || !OWN_FILES.has(mountPoint)) continue;
    const id = CONTAINER_ID.exec(root)?.[1];
    if (id) ids.add(id);
  }
  return [...ids];
}

export async function findOwnService(api: DockerApi): Promise<OwnService | null> {
  let mountinfo = '';
  try {
    mountinfo = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    // Not Linux, or no /proc: HOSTNAME alone.
  }
  const hostname = process.env.HOSTNAME ?? '';
  const candidates = containerIdsInMountinfo(mountinfo);
  if (candidates.length === 0 && SHORT_ID.test(hostname)) candidates.push(hostname);
  for (const id of candidates) {
    const raw = await api.inspectRaw(id);
    // A short id is only ours if the container's hostname is that id too.
    if (!raw || (id === hostname && raw.Config.Hostname !== hostname)) continue;
    const labels = raw.Config.Labels ?? {};
    const swarmService = labels[SWARM_SERVICE_ID_LABEL];
    if (swarmService) {
      return {
        kind: 'swarm',
        key: swarmService,
        name: labels[SWARM_SERVICE_NAME_LABEL] ?? swarmService,
        containerId: raw.Id,
      };
    }
    return { ...classify(toContainerInfo(raw, null)), containerId: raw.Id };
  }
  return null;
}
