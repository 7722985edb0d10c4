/** Image references pinned to a digest: `repo:tag@sha256:...`. */

/** `repo:tag@sha256:...` -> `repo:tag`; an unpinned reference is returned as it is. */
export function withoutDigest(imageRef: string): string {
  const at = imageRef.indexOf('@');
  return at < 0 ? imageRef : imageRef.slice(0, at);
}

/** `repo:tag@sha256:...` -> `sha256:...`; null when the reference is not pinned. */
export function digestOf(imageRef: string): string | null {
  const at = imageRef.indexOf('@');
  return at < 0 ? null : imageRef.slice(at + 1);
}
