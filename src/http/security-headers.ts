import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Every HTML page Hoist serves (the web UI, the API docs, the "not built" page) may be opened
 * by someone signed in with an API token: none may be framed (clickjacking), sniffed into
 * another type, or leak its URL in a Referer.
 */
export const HTML_SECURITY_HEADERS = {
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
} as const;

/** The policy of a page that sets none of its own: nothing but Hoist's own files. */
export const DEFAULT_PAGE_CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/** onSend hook of the scopes that serve pages: HTML answers get the headers above, and a CSP if they have none. */
export async function htmlSecurityHeaders(
  _request: FastifyRequest,
  reply: FastifyReply,
  payload: unknown,
): Promise<unknown> {
  const type = reply.getHeader('content-type');
  if (typeof type !== 'string' || !type.startsWith('text/html')) return payload;
  reply.headers(HTML_SECURITY_HEADERS);
  if (!reply.hasHeader('content-security-policy')) {
    reply.header('content-security-policy', DEFAULT_PAGE_CSP);
  }
  return payload;
}

/**
 * Swagger UI's own policy (hashes of its inline script and style) with two changes: it may not
 * be framed at all, and it does not force https (Hoist is often reached over plain http on a
 * LAN, where upgrade-insecure-requests would break the page).
 */
export function apiDocsCsp(policy: string): string {
  return policy
    .replace(/frame-ancestors [^;]*/, "frame-ancestors 'none'")
    .replace(/\s*upgrade-insecure-requests;?/, '')
    .trim();
}
