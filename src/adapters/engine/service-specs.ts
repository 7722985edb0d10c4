/**
 * Engine API bodies for the services Hoist creates (POST /api/v1/services): a
 * Swarm service spec, or one standalone container of a Hoist service.
 */
import type { NewService, PortSpec, VolumeSpec } from '../../domain/ports/engine.js';
import type { Labels } from './docker-api-types.js';
import type { ContainerCreateBody } from './replacement-config.js';

export const HOIST_SERVICE_LABEL = 'io.hoist.service';

const SECOND_NS = 1_000_000_000;

/** The user's labels, and io.hoist.service (which they cannot override: it proves ownership). */
function serviceLabels(service: NewService): Labels {
  return { ...service.labels, [HOIST_SERVICE_LABEL]: service.name };
}

function envList(env: Record<string, string>): string[] {
  return Object.entries(env).map(([key, value]) => `${key}=${value}`);
}

function isBind(volume: VolumeSpec): boolean {
  return volume.source.startsWith('/');
}

const SWARM_RESTART: Record<NewService['restartPolicy'], string> = {
  always: 'any',
  'unless-stopped': 'any',
  'on-failure': 'on-failure',
  no: 'none',
};

/**
 * The spec of a Swarm service for `service`. Beyond what the user gave, the
 * defaults a careful operator would pick for a service that gets redeployed:
 * one task at a time; a failed update rolls back (so a broken image never
 * leaves the service paused half way); start-first (the new task runs before
 * the old one stops) unless a host-mode port makes two tasks on one node clash.
 */
export function swarmServiceSpec(service: NewService): Record<string, unknown> {
  const labels = serviceLabels(service);
  const hostPorts = service.ports.some((p) => p.mode === 'host');
  const order = hostPorts ? 'stop-first' : 'start-first';
  const containerSpec: Record<string, unknown> = {
    Image: service.image,
    Labels: labels,
  };
  if (Object.keys(service.env).length > 0) containerSpec.Env = envList(service.env);
  if (service.volumes.length > 0) {
    containerSpec.Mounts = service.volumes.map((v) => ({
      Type: isBind(v) ? 'bind' : 'volume',
      Source: v.source,
      Target: v.target,
      ...(v.readOnly ? { ReadOnly: true } : {}),
    }));
  }
  const spec: Record<string, unknown> = {
    Name: service.name,
    Labels: labels,
    TaskTemplate: {
      ContainerSpec: containerSpec,
      RestartPolicy: { Condition: SWARM_RESTART[service.restartPolicy], Delay: 5 * SECOND_NS },
      ...(service.networks.length > 0
        ? { Networks: service.networks.map((name) => ({ Target: name })) }
        : {}),
      ForceUpdate: 0,
    },
    Mode: { Replicated: { Replicas: service.replicas } },
    UpdateConfig: {
      Parallelism: 1,
      FailureAction: 'rollback',
      Monitor: 5 * SECOND_NS,
      MaxFailureRatio: 0,
      Order: order,
    },
    RollbackConfig: {
      Parallelism: 1,
      FailureAction: 'pause',
      Monitor: 5 * SECOND_NS,
      MaxFailureRatio: 0,
      Order: order,
    },
  };
  if (service.ports.length > 0) {
    spec.EndpointSpec = {
      Mode: 'vip',
      Ports: service.ports.map((p) => ({
        Protocol: p.protocol,
        TargetPort: p.target,
        PublishedPort: p.published,
        PublishMode: p.mode ?? 'ingress',
      })),
    };
  }
  return spec;
}

function portKey(port: PortSpec): string {
  return `${port.target}/${port.protocol}`;
}

const BUILTIN_NETWORKS = new Set(['bridge', 'host', 'none', 'default']);

const CONTAINER_RESTART: Record<NewService['restartPolicy'], { Name: string }> = {
  always: { Name: 'always' },
  'unless-stopped': { Name: 'unless-stopped' },
  'on-failure': { Name: 'on-failure' },
  no: { Name: 'no' },
};

/**
 * The create body of one standalone container of `service`: on its first
 * network at create (with the service name as an alias, as Compose does), the
 * other networks to connect before it starts.
 */
export function serviceContainerConfig(service: NewService): ContainerCreateBody {
  const exposed: Record<string, object> = {};
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const port of service.ports) {
    const key = portKey(port);
    exposed[key] = {};
    (bindings[key] ??= []).push({ HostIp: '', HostPort: String(port.published) });
  }
  const hostConfig: Record<string, unknown> = {
    RestartPolicy: CONTAINER_RESTART[service.restartPolicy],
  };
  if (service.volumes.length > 0) {
    hostConfig.Binds = service.volumes.map(
      (v) => `${v.source}:${v.target}${v.readOnly ? ':ro' : ''}`,
    );
  }
  if (service.ports.length > 0) hostConfig.PortBindings = bindings;

  const body: Record<string, unknown> = {
    Image: service.image,
    Labels: serviceLabels(service),
  };
  if (Object.keys(service.env).length > 0) body.Env = envList(service.env);
  if (service.ports.length > 0) body.ExposedPorts = exposed;

  const [first, ...others] = service.networks;
  // Network-scoped aliases exist only on user-defined networks.
  const endpoint = (network: string) =>
    BUILTIN_NETWORKS.has(network) ? {} : { Aliases: [service.name] };
  if (first) {
    hostConfig.NetworkMode = first;
    body.NetworkingConfig = { EndpointsConfig: { [first]: endpoint(first) } };
  }
  body.HostConfig = hostConfig;
  return {
    body,
    extraNetworks: others.map((network) => ({ network, endpoint: endpoint(network) })),
  };
}
