/**
 * Docker image references ("nginx", "127.0.0.1:5000/team/app:dev@sha256:...")
 * and the canonical registry host and repository path by which two names of
 * one repository compare equal.
 *
 * The rules are Docker's (distribution/reference): the first component of a
 * name is a registry host when it holds a "." or a ":", is "localhost", or has
 * upper-case letters; otherwise the repository is on Docker Hub, "docker.io"
 * (also spelled index.docker.io and registry-1.docker.io), where a one-part
 * name is an official image under "library/".
 *
 * Nothing here throws: any string parses, and values that come from outside
 * (payloads) are checked with the `is...` predicates before they are trusted.
 */

export interface ImageReference {
  /** As written, without tag or digest: what to pull ("nginx", "127.0.0.1:5000/team/app"). */
  repository: string;
  /** Registry host, lower-case: "docker.io" for Docker Hub names, "127.0.0.1:5000". */
  host: string;
  /** Repository path on that host: "library/nginx" for official Hub images, "team/app". */
  path: string;
  tag: string | null;
  digest: string | null;
}

export const HUB_HOST = 'docker.io';
const HUB_ALIASES = new Set([HUB_HOST, 'index.docker.io', 'registry-1.docker.io']);

/** A full or `sha256:`-prefixed image id: a reference that names no repository. */
export const IMAGE_ID = /^(sha256:)?[0-9a-f]{64}$/;

/**
 * Splits a reference into repository, tag and digest, and names its registry
 * host and repository path canonically.
 *
 * @example
 * parseImageReference('nginx');
 * // { repository: 'nginx', host: 'docker.io', path: 'library/nginx', tag: null, digest: null }
 * parseImageReference('127.0.0.1:5000/app:dev@sha256:ab...');
 * // { repository: '127.0.0.1:5000/app', host: '127.0.0.1:5000', path: 'app', tag: 'dev', digest: 'sha256:ab...' }
 */
export function parseImageReference(ref: string): ImageReference {
  let rest = ref.trim();
  let digest: string | null = null;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | null = null;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return { repository: rest, ...splitRepository(rest), tag, digest };
}

/** Why a reference cannot be followed by tag (see `followedTag`). */
export type UnfollowableProblem = 'empty' | 'image-id' | 'no-repository' | 'digest-only';

export type FollowedTag =
  | { ok: true; reference: ImageReference & { tag: string } }
  | { ok: false; problem: 'empty' | 'image-id' }
  | { ok: false; problem: 'no-repository' | 'digest-only'; reference: ImageReference };

/**
 * Whether newer images of a reference can be followed by tag, and if so the
 * reference with the tag it follows: "latest" when it names none. Empty text,
 * an image id, a reference with no repository and one pinned to a digest with
 * no tag cannot be followed. A repository:tag@digest follows its tag.
 *
 * The webhook's push matching and the engine's pulls both decide by this, so
 * a push the one matches is one the other redeploys. (A short hex string such
 * as "4a1f3c" reads as a repository here; only the engine can tell whether it
 * is an image id prefix.)
 *
 * @example
 * followedTag('127.0.0.1:5000/app'); // { ok: true, reference: { ..., path: 'app', tag: 'latest' } }
 * followedTag(`app@${digest}`); // { ok: false, problem: 'digest-only', reference: { ... } }
 */
export function followedTag(ref: string): FollowedTag {
  const trimmed = ref.trim();
  if (!trimmed) return { ok: false, problem: 'empty' };
  if (IMAGE_ID.test(trimmed)) return { ok: false, problem: 'image-id' };
  const reference = parseImageReference(trimmed);
  if (!reference.repository) return { ok: false, problem: 'no-repository', reference };
  if (reference.digest && !reference.tag) return { ok: false, problem: 'digest-only', reference };
  return { ok: true, reference: { ...reference, tag: reference.tag ?? 'latest' } };
}

/** "team/app" -> docker.io + "team/app"; "127.0.0.1:5000/app" -> "127.0.0.1:5000" + "app". */
function splitRepository(repository: string): { host: string; path: string } {
  const slash = repository.indexOf('/');
  if (slash >= 0) {
    const first = repository.slice(0, slash);
    if (/[.:A-Z]/.test(first) || first === 'localhost') {
      return canonicalName(first, repository.slice(slash + 1));
    }
  }
  return canonicalName(HUB_HOST, repository);
}

/**
 * A registry host and repository path as a registry or a payload names them,
 * in the form `parseImageReference` gives, so the two compare.
 *
 * @example
 * canonicalName('index.docker.io', 'nginx'); // { host: 'docker.io', path: 'library/nginx' }
 */
export function canonicalName(host: string, path: string): { host: string; path: string } {
  let canonicalHost = host.trim().toLowerCase();
  if (HUB_ALIASES.has(canonicalHost)) canonicalHost = HUB_HOST;
  const canonicalPath =
    canonicalHost === HUB_HOST && path !== '' && !path.includes('/') ? `library/${path}` : path;
  return { host: canonicalHost, path: canonicalPath };
}

/** The digest among an image's RepoDigests that belongs to the repository of `imageRef`. */
export function digestFor(
  imageRef: string,
  repoDigests: readonly string[] | null | undefined,
): string | null {
  if (!imageRef || IMAGE_ID.test(imageRef)) return null;
  const wanted = parseImageReference(imageRef);
  if (wanted.digest) return wanted.digest;
  for (const entry of repoDigests ?? []) {
    const at = entry.indexOf('@');
    if (at < 0) continue;
    const name = splitRepository(entry.slice(0, at));
    if (name.host === wanted.host && name.path === wanted.path) return entry.slice(at + 1);
  }
  return null;
}

/** A tag as Docker allows it: word characters, "." and "-", at most 128, not starting with either. */
export function isTag(value: string): boolean {
  return /^\w[\w.-]{0,127}$/.test(value);
}

/** A content digest ("sha256:" and its hex), as OCI defines it, bounded in length. */
export function isDigest(value: string): boolean {
  return value.length <= 256 && /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/.test(value);
}

/** A repository path: lower-case components separated by "/", as Docker allows them. */
export function isRepositoryPath(value: string): boolean {
  if (value.length === 0 || value.length > 255) return false;
  return value
    .split('/')
    .every((component) => /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/.test(component));
}

/** A registry host: a DNS name or IP literal, with an optional port ("127.0.0.1:5000", "[::1]:5000"). */
export function isRegistryHost(value: string): boolean {
  if (value.length === 0 || value.length > 255) return false;
  return /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:.]+\])(?::[0-9]{1,5})?$/.test(
    value,
  );
}
