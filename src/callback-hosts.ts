/**
 * The syntax of the Docker Hub callback allow-list (HOIST_CALLBACK_ALLOWED_HOSTS):
 * read by config.ts, which refuses a bad entry at start, and by the callback
 * policy, which matches URLs against the entries. Pure: no network.
 */

export const DEFAULT_CALLBACK_HOSTS: readonly string[] = Object.freeze(['registry.hub.docker.com']);

export interface AllowedHost {
  readonly host: string;
  /** null: the default port of the URL's scheme. */
  readonly port: number | null;
}

/** Throws an Error saying what is wrong when `entry` is not `host` or `host:port`. */
export function parseAllowedHost(entry: string): AllowedHost {
  const text = entry.trim();
  if (text === '') throw new Error('an allow-list entry is empty.');
  if (text.includes('://')) {
    throw new Error(
      `"${text}" has a scheme; write host or host:port (the scheme is always https).`,
    );
  }
  if (text.includes('*')) {
    throw new Error(`"${text}" has a wildcard; list each host exactly.`);
  }
  const match = /^(\[[^\]]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(text);
  if (!match || /[/?#@\\\s]/.test(text)) {
    throw new Error(
      `"${text}" is not host or host:port (write IPv6 addresses in brackets: [::1]:8123).`,
    );
  }
  let host: string;
  try {
    host = normalizeHost(new URL(`http://${match[1] ?? ''}/`).hostname);
  } catch {
    throw new Error(`"${text}" is not a valid host name or IP address.`);
  }
  const port = match[2] === undefined ? null : Number(match[2]);
  if (port !== null && (port < 1 || port > 65535)) {
    throw new Error(`"${text}" has port ${port}; ports go from 1 to 65535.`);
  }
  return { host, port };
}

/** Lower case (the URL parser already did), IPv6 brackets off, one trailing dot off. */
export function normalizeHost(hostname: string): string {
  return hostname
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '')
    .toLowerCase();
}
