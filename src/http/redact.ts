/**
 * Handler tokens live in URL paths; every path that reaches a log or a message goes through this.
 * Mistyped paths that still carry a token (`//hooks/…`, `/HOOKS/…`, `/hooks%2F…`) are redacted too.
 */
export function redactPath(url: string): string {
  return url.replace(/(\/hooks(?:\/|%2f)+)[^/?#]+/gi, '$1[redacted]');
}
