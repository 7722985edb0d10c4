/** Handler tokens live in URL paths; every path that reaches a log or a message goes through this. */
export function redactPath(url: string): string {
  return url.replace(/^\/hooks\/[^/?#]+/, '/hooks/[redacted]');
}
