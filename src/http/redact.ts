/**
 * The paths whose next segment is a secret token: handler URLs and registry
 * endpoint URLs. Every secret URL the server defines starts with one of these;
 * a new kind (a trigger URL) joins this list, and its routes are built from it.
 */
export const SECRET_URL_PREFIXES = {
  hooks: '/hooks',
  registryEvents: '/registry-events',
} as const;

const SECRET_SEGMENTS = new Set<string>(
  Object.values(SECRET_URL_PREFIXES).map((prefix) => prefix.slice(1)),
);

/** Path separators as a mistyped or hostile URL may spell them. */
const SEPARATOR = /(\/|\\|%2f|%5c)/i;

/**
 * Every path that reaches a log or a message goes through this: the segment
 * after a secret prefix becomes `[redacted]`. Mistyped paths that still carry
 * a token (`//hooks/…`, `/HOOKS/…`, `/hooks%2F…`, `/%68ooks/…`) are redacted too;
 * the query string is kept.
 */
export function redactPath(url: string): string {
  const end = url.search(/[?#]/);
  const path = end < 0 ? url : url.slice(0, end);
  let secretNext = false;
  const parts = path.split(SEPARATOR).map((part) => {
    if (part === '' || SEPARATOR.test(part)) return part;
    if (secretNext) {
      secretNext = false;
      return '[redacted]';
    }
    secretNext = SECRET_SEGMENTS.has(decoded(part).toLowerCase());
    return part;
  });
  return parts.join('') + (end < 0 ? '' : url.slice(end));
}

function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
