/** Docker's container inspect answer in the domain's words (ContainerInfo). */
import type { ContainerInfo, HealthStatus } from '../../domain/ports/engine.js';
import type { RawContainer, RawPortBinding } from './docker-api-types.js';

const ZERO_TIME = /^0001-01-01T/;

export function toContainerInfo(raw: RawContainer, digest: string | null): ContainerInfo {
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

export function byName(a: ContainerInfo, b: ContainerInfo): number {
  return compare(a.name, b.name);
}

export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
