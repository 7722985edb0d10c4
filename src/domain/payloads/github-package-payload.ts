/**
 * GitHub Packages: the `registry_package` event (and its successor `package`)
 * that GitHub sends when a container image version is published to ghcr.io.
 *
 * ```json
 * { "action": "published",
 *   "registry_package": { "namespace": "octo-org", "name": "hello", "package_type": "CONTAINER",
 *     "package_version": { "version": "sha256:...",
 *       "container_metadata": { "tag": { "name": "latest", "digest": "sha256:..." } } },
 *     "registry": { "url": "https://ghcr.io/octo-org" } } }
 * ```
 *
 * For containers `package_version.version` is the digest; the tag is in
 * `container_metadata.tag.name` (empty for an untagged version). GitHub image
 * names are lower-case, so the owner's login is lowered. Other package types
 * (npm, maven, ...) and other GitHub events that come with `X-GitHub-Event`
 * (`ping` when a webhook is created) push no image: an ignored event.
 */
import {
  canonicalName,
  isDigest,
  isRegistryHost,
  isRepositoryPath,
  isTag,
} from '../image-reference.js';
import type { ImagePush, ParsedPayload } from './payload.js';
import { field, isObject, stringField } from './payload.js';

const GHCR_HOST = 'ghcr.io';
const PACKAGE_EVENTS = new Set(['registry_package', 'package']);
const CONTAINER_TYPES = new Set(['container', 'docker']);

/**
 * The event, or null when this is none. `event` is the `X-GitHub-Event`
 * header: a package event, or `ping`, is a GitHub payload whatever the body
 * holds; without the header a body with `registry_package.package_version`
 * (or `package.package_version.container_metadata`) is one too.
 */
export function parseGitHubPackageEvent(json: unknown, event: string | null): ParsedPayload | null {
  const pkg = packageOf(json);
  const named = event?.trim().toLowerCase() ?? null;
  const isPackageEvent = named !== null && PACKAGE_EVENTS.has(named);
  if (!isPackageEvent && named !== 'ping' && pkg === null) return null;

  const push = isPackageEvent || named === null ? pushOf(pkg) : null;
  return {
    kind: 'github',
    pushes: push ? [push] : [],
    ignoredEvents: push ? 0 : 1,
    deliveryKey: null,
    callbackUrl: null,
  };
}

function packageOf(json: unknown): Record<string, unknown> | null {
  const registryPackage = field(json, 'registry_package');
  if (isObject(registryPackage) && isObject(field(registryPackage, 'package_version'))) {
    return registryPackage;
  }
  const pkg = field(json, 'package');
  if (isObject(pkg) && isObject(field(field(pkg, 'package_version'), 'container_metadata'))) {
    return pkg;
  }
  return null;
}

function pushOf(pkg: Record<string, unknown> | null): ImagePush | null {
  if (!pkg) return null;
  const type = stringField(pkg, 'package_type');
  if (type !== null && !CONTAINER_TYPES.has(type.toLowerCase())) return null;

  const version = field(pkg, 'package_version');
  const tagged = field(field(version, 'container_metadata'), 'tag');
  const versionName = stringField(version, 'version');
  const tag =
    stringField(tagged, 'name') || (versionName && isTag(versionName) ? versionName : null);
  if (!tag || !isTag(tag)) return null;

  const namespace = stringField(pkg, 'namespace') ?? stringField(field(pkg, 'owner'), 'login');
  const name = stringField(pkg, 'name');
  if (!namespace || !name) return null;
  const host = registryHost(stringField(field(pkg, 'registry'), 'url'));
  if (!host) return null;
  const canonical = canonicalName(host, `${namespace}/${name}`.toLowerCase());
  if (!isRepositoryPath(canonical.path)) return null;

  const digest =
    stringField(tagged, 'digest') ?? (versionName && isDigest(versionName) ? versionName : null);
  return { ...canonical, tag, digest: digest && isDigest(digest) ? digest : null };
}

/** The host of `registry.url` ("https://ghcr.io/octo-org"); ghcr.io when it names none. */
function registryHost(url: string | null): string | null {
  if (url === null) return GHCR_HOST;
  try {
    const host = new URL(url).host;
    return isRegistryHost(host) ? host : null;
  } catch {
    return null;
  }
}
