import type { ReplacementSpec } from '../../domain/ports/engine.js';
import type {
  Labels,
  RawContainer,
  RawContainerConfig,
  RawEndpoint,
  RawHostConfig,
} from './docker-api-types.js';

/** The PATH Docker gives a container whose image sets none. */
const DOCKER_DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

// ---------------------------------------------------------------------------
// The replacement container's configuration.

/** JSON with sorted keys, so equal configurations compare equal; null/undefined/empty are one. */
function canonical(value: unknown): string {
  const normalize = (v: unknown): unknown => {
    if (v === undefined || v === null) return null;
    if (Array.isArray(v)) return v.length === 0 ? null : v.map(normalize);
    if (typeof v === 'object') {
      const entries = Object.entries(v as Record<string, unknown>)
        .filter(([, x]) => x !== undefined && x !== null)
        .sort(([a], [b]) => compare(a, b));
      if (entries.length === 0) return null;
      return Object.fromEntries(entries.map(([k, x]) => [k, normalize(x)]));
    }
    if (v === '') return null;
    return v;
  };
  return JSON.stringify(normalize(value));
}

function sameAsImage(value: unknown, imageValue: unknown): boolean {
  return canonical(value) === canonical(imageValue);
}

function envKey(entry: string): string {
  const eq = entry.indexOf('=');
  return eq < 0 ? entry : entry.slice(0, eq);
}

/** Where a Binds entry mounts: "src:/dest[:mode]" or "/dest". */
function bindDestination(bind: string): string {
  const parts = bind.split(':');
  if (parts.length === 1) return parts[0]!;
  return parts[1]!;
}

/** A container create body, and the networks to connect it to before it starts (API 1.41 takes one at create). */
/** On a replacement: the destinations of anonymous volumes it carries over by name (JSON list). */
export const ANONYMOUS_VOLUMES_LABEL = 'io.hoist.anonymous-volumes';

/** The destinations a container's ANONYMOUS_VOLUMES_LABEL names; [] when absent or unreadable. */
export function anonymousDestinations(labels: Record<string, string>): string[] {
  try {
    const parsed: unknown = JSON.parse(labels[ANONYMOUS_VOLUMES_LABEL] ?? '[]');
    return Array.isArray(parsed) ? parsed.filter((d): d is string => typeof d === 'string') : [];
  } catch {
    return [];
  }
}

export interface ContainerCreateBody {
  body: Record<string, unknown>;
  extraNetworks: { network: string; endpoint: Record<string, unknown> }[];
}

export type ReplacementConfig = ContainerCreateBody;

/** Builds the create body for a replacement of `old` (exported for unit tests). */
export function replacementConfig(
  old: RawContainer,
  oldImageConfig: RawContainerConfig | null,
  spec: ReplacementSpec,
): ReplacementConfig {
  const c = old.Config;
  const img = oldImageConfig ?? {};
  const shortId = old.Id.slice(0, 12);
  const hostConfig: RawHostConfig = { ...old.HostConfig };
  const networkMode = hostConfig.NetworkMode ?? 'default';
  const sharesNamespace = networkMode === 'host' || networkMode.startsWith('container:');

  const body: Record<string, unknown> = {};

  // Hostname: Docker's default is the container's short id; a new container gets its own.
  if (c.Hostname && c.Hostname !== shortId && !sharesNamespace) body.Hostname = c.Hostname;
  if (c.Domainname && !sharesNamespace) body.Domainname = c.Domainname;
  if (c.User && !sameAsImage(c.User, img.User)) body.User = c.User;
  for (const key of [
    'AttachStdin',
    'AttachStdout',
    'AttachStderr',
    'Tty',
    'OpenStdin',
    'StdinOnce',
    'NetworkDisabled',
  ] as const) {
    if (c[key] !== undefined) body[key] = c[key];
  }
  if (c.MacAddress) body.MacAddress = c.MacAddress;
  if (c.StopTimeout !== undefined && c.StopTimeout !== null) body.StopTimeout = c.StopTimeout;

  // Environment: drop what the old image set (the new image brings its own), apply overrides.
  const imageEnv = new Set(img.Env ?? []);
  const imageHasPath = (img.Env ?? []).some((e) => envKey(e) === 'PATH');
  let env = (c.Env ?? []).filter((e) => !imageEnv.has(e));
  if (!imageHasPath) env = env.filter((e) => e !== DOCKER_DEFAULT_PATH);
  for (const [key, value] of Object.entries(spec.env ?? {})) {
    env = env.filter((e) => envKey(e) !== key);
    env.push(`${key}=${value}`);
  }
  if (env.length > 0) body.Env = env;

  if (c.Cmd && !sameAsImage(c.Cmd, img.Cmd)) body.Cmd = c.Cmd;
  if (c.Entrypoint && !sameAsImage(c.Entrypoint, img.Entrypoint)) body.Entrypoint = c.Entrypoint;
  if (c.WorkingDir && !sameAsImage(c.WorkingDir, img.WorkingDir)) body.WorkingDir = c.WorkingDir;
  if (c.Healthcheck && !sameAsImage(c.Healthcheck, img.Healthcheck)) {
    body.Healthcheck = c.Healthcheck;
  }
  if (c.StopSignal && !sameAsImage(c.StopSignal, img.StopSignal)) body.StopSignal = c.StopSignal;
  if (c.Shell && !sameAsImage(c.Shell, img.Shell)) body.Shell = c.Shell;

  // Labels: the old image's own labels come back from the new image (or go away with it).
  const imageLabels = img.Labels ?? {};
  const labels: Labels = {};
  for (const [key, value] of Object.entries(c.Labels ?? {})) {
    if (imageLabels[key] !== value) labels[key] = value;
  }
  Object.assign(labels, spec.labels);
  body.Labels = labels;

  // Exposed ports: keep those published or exposed by the user, not those only from the image.
  const bindings = hostConfig.PortBindings ?? {};
  const imagePorts = img.ExposedPorts ?? {};
  const exposed: Record<string, object> = {};
  for (const port of Object.keys(c.ExposedPorts ?? {})) {
    if (port in bindings || !(port in imagePorts)) exposed[port] = {};
  }
  if (Object.keys(exposed).length > 0) body.ExposedPorts = exposed;

  // Volumes declared by the user (-v /path) stay; the image's come from the new image.
  const imageVolumes = img.Volumes ?? {};
  const volumes: Record<string, object> = {};
  for (const path of Object.keys(c.Volumes ?? {})) {
    if (!(path in imageVolumes)) volumes[path] = {};
  }
  if (Object.keys(volumes).length > 0) body.Volumes = volumes;

  body.Image = spec.imageRef;

  // Host configuration: everything, with a few corrections.
  delete hostConfig.ContainerIDFile;
  // Docker fills these with its defaults when absent; an explicit copy would freeze them.
  // An empty list (systempaths=unconfined) is a user choice and stays.
  if (hostConfig.MaskedPaths && hostConfig.MaskedPaths.length > 0) delete hostConfig.MaskedPaths;
  if (hostConfig.ReadonlyPaths && hostConfig.ReadonlyPaths.length > 0) {
    delete hostConfig.ReadonlyPaths;
  }
  // Inspect shows legacy links as "/target:/self/alias"; create wants "target:alias".
  if (hostConfig.Links && hostConfig.Links.length > 0) {
    hostConfig.Links = hostConfig.Links.map((link) => {
      const [target = '', alias = ''] = link.split(':');
      return `${target.replace(/^\//, '')}:${alias.slice(alias.lastIndexOf('/') + 1)}`;
    });
  }
  // Anonymous volumes: mounted where they were (reuse), or left for Docker to make afresh.
  // A carried one has to be mounted by name, which would make it look like the user's own
  // volume to every later redeploy: the label remembers which destinations were anonymous.
  const wasAnonymous = new Set(anonymousDestinations(c.Labels ?? {}));
  hostConfig.Binds = (hostConfig.Binds ?? []).filter((b) => !wasAnonymous.has(bindDestination(b)));
  const explicit = new Set<string>([
    ...hostConfig.Binds.map(bindDestination),
    ...(hostConfig.Mounts ?? []).map((m) => m.Target ?? ''),
  ]);
  const carried: string[] = [];
  if (spec.reuseVolumes) {
    for (const mount of old.Mounts ?? []) {
      if (mount.Type !== 'volume' || !mount.Name || explicit.has(mount.Destination)) continue;
      hostConfig.Binds.push(`${mount.Name}:${mount.Destination}:${mount.RW ? 'rw' : 'ro'}`);
      carried.push(mount.Destination);
    }
  }
  if (hostConfig.Binds.length === 0) delete hostConfig.Binds;
  if (carried.length > 0) labels[ANONYMOUS_VOLUMES_LABEL] = JSON.stringify(carried);
  else delete labels[ANONYMOUS_VOLUMES_LABEL];
  body.HostConfig = hostConfig;

  // Networks: one at create (API 1.41), the others connected before start.
  const extraNetworks: ReplacementConfig['extraNetworks'] = [];
  const networks = old.NetworkSettings?.Networks ?? {};
  if (!sharesNamespace && networkMode !== 'none') {
    const primaryName = networkMode === 'default' ? 'bridge' : networkMode;
    const names = Object.keys(networks);
    const primary =
      names.find((n) => n === primaryName) ??
      names.find((n) => (networks[n]?.NetworkID ?? '').startsWith(primaryName)) ??
      names[0];
    for (const name of names) {
      const endpoint = endpointConfig(networks[name]!, shortId);
      if (name === primary) {
        body.NetworkingConfig = { EndpointsConfig: { [name]: endpoint } };
      } else {
        extraNetworks.push({ network: name, endpoint });
      }
    }
  }
  return { body, extraNetworks };
}

function endpointConfig(endpoint: RawEndpoint, oldShortId: string): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  if (endpoint.IPAMConfig && Object.keys(endpoint.IPAMConfig).length > 0) {
    config.IPAMConfig = endpoint.IPAMConfig;
  }
  if (endpoint.Links && endpoint.Links.length > 0) config.Links = endpoint.Links;
  const aliases = (endpoint.Aliases ?? []).filter((a) => a !== oldShortId);
  if (aliases.length > 0) config.Aliases = aliases;
  if (endpoint.DriverOpts && Object.keys(endpoint.DriverOpts).length > 0) {
    config.DriverOpts = endpoint.DriverOpts;
  }
  return config;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
