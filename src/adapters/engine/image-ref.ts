/** Docker image references: parsing, comparing repositories, picking a repo digest. */

export interface ParsedImageRef {
  /** As written, without tag or digest: "nginx", "127.0.0.1:5000/team/app". */
  repository: string;
  tag: string | null;
  digest: string | null;
}

export const IMAGE_ID = /^(sha256:)?[0-9a-f]{64}$/;

export function parseImageRef(ref: string): ParsedImageRef {
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
  return { repository: rest, tag, digest };
}

/** "nginx" -> "docker.io/library/nginx"; "127.0.0.1:5000/app" stays. For comparing repositories. */
export function normalizeRepository(repository: string): string {
  const slash = repository.indexOf('/');
  let domain = 'docker.io';
  let path = repository;
  if (slash >= 0) {
    const first = repository.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost') {
      domain = first;
      path = repository.slice(slash + 1);
    }
  }
  if (domain === 'index.docker.io' || domain === 'registry-1.docker.io') domain = 'docker.io';
  if (domain === 'docker.io' && !path.includes('/')) path = `library/${path}`;
  return `${domain}/${path}`;
}

/** The digest among an image's RepoDigests that belongs to the repository of `imageRef`. */
export function digestFor(
  imageRef: string,
  repoDigests: readonly string[] | null | undefined,
): string | null {
  if (!imageRef || IMAGE_ID.test(imageRef)) return null;
  const parsed = parseImageRef(imageRef);
  if (parsed.digest) return parsed.digest;
  const wanted = normalizeRepository(parsed.repository);
  for (const entry of repoDigests ?? []) {
    const at = entry.indexOf('@');
    if (at < 0) continue;
    if (normalizeRepository(entry.slice(0, at)) === wanted) return entry.slice(at + 1);
  }
  return null;
}
