/**
 * Which callback URLs Hoist may call, and which addresses it may then connect
 * to. A callback URL arrives in an unauthenticated payload, so it is an SSRF
 * vector: whoever knows a handler URL could make Hoist POST to its own network.
 *
 * Two gates, both required:
 * 1. `checkUrl`, on the URL as the WHATWG parser (the same one the request
 *    uses) understands it: http(s) only, https unless allowed, no userinfo, a
 *    host that exactly equals an allow-list entry (so IP literals in any
 *    spelling are refused unless that address is listed), and the scheme's
 *    default port unless the entry names another.
 * 2. `checkAddresses`, on every address the host resolves to: none may be
 *    loopback, private, link-local, CGNAT, unspecified, multicast or reserved
 *    (IPv4-mapped and NAT64 forms count as their IPv4 address), unless
 *    `allowPrivateAddresses`. The sender then connects only to the addresses
 *    that were checked, so a DNS answer that changes in between is never used.
 */
import { isIP } from 'node:net';
import {
  DEFAULT_CALLBACK_HOSTS,
  normalizeHost,
  parseAllowedHost,
  type AllowedHost,
} from '../../callback-hosts.js';
import { callerText } from '../../domain/caller-text.js';

export interface CallbackPolicyOptions {
  /** `host` or `host:port` entries; IPv6 literals in brackets (`[::1]:8123`). */
  allowedHosts?: readonly string[];
  /** Plain http as well as https. Default false. */
  allowHttp?: boolean;
  /** Let allow-listed hosts resolve to loopback, private or link-local addresses. Default false. */
  allowPrivateAddresses?: boolean;
}

export type UrlRefusalKind =
  | 'invalid_url'
  | 'scheme'
  | 'userinfo'
  | 'http_not_allowed'
  | 'ip_literal'
  | 'host_not_allowed'
  | 'port_not_allowed';

/** A URL that passed `checkUrl`, taken apart the way the request will use it. */
export interface CallbackTarget {
  readonly protocol: 'http:' | 'https:';
  /** Lower case, without a trailing dot; an IPv6 literal without brackets. */
  readonly host: string;
  readonly ipLiteral: boolean;
  readonly port: number;
  /** Path and query, for the request line. */
  readonly path: string;
  /** The parsed URL, for resolving a relative Location; never shown. */
  readonly href: string;
  /** scheme://host/path: safe to show (no credentials, query or fragment). */
  readonly display: string;
}

export type UrlCheck =
  { ok: true; target: CallbackTarget } | { ok: false; kind: UrlRefusalKind; reason: string };

export type AddressCheck = { ok: true } | { ok: false; kind: 'private_address'; reason: string };

/** What an IP address is, as far as calling it from Hoist goes. Only `public` is called by default. */
export type AddressKind =
  | 'public'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'shared'
  | 'unspecified'
  | 'multicast'
  | 'reserved';

/**
 * The callback allow-list and its rules.
 *
 * @example
 * const policy = new CallbackPolicy({ allowedHosts: ['127.0.0.1:8123'], allowHttp: true });
 * policy.checkUrl('http://127.0.0.1:8123/hook'); // { ok: true, target: ... }
 * policy.checkUrl('http://2130706433:80/'); // { ok: false, kind: 'port_not_allowed', ... }
 */
export class CallbackPolicy {
  readonly allowedHosts: readonly string[];
  readonly allowHttp: boolean;
  readonly allowPrivateAddresses: boolean;
  readonly #entries: readonly AllowedHost[];

  /** Throws an Error naming the entry when an allow-list entry is not `host` or `host:port`. */
  constructor(options: CallbackPolicyOptions = {}) {
    const hosts = options.allowedHosts ?? DEFAULT_CALLBACK_HOSTS;
    this.#entries = Object.freeze(hosts.map(parseAllowedHost));
    this.allowedHosts = Object.freeze(hosts.map((entry) => entry.trim()));
    this.allowHttp = options.allowHttp ?? false;
    this.allowPrivateAddresses = options.allowPrivateAddresses ?? false;
    Object.freeze(this);
  }

  checkUrl(url: string): UrlCheck {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return refuse('invalid_url', 'the callback URL is not a valid absolute URL');
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
      return refuse(
        'scheme',
        `callback URLs must use ${this.allowHttp ? 'http or https' : 'https'}, not ${parsed.protocol.slice(0, 20).replace(/:$/, '')}`,
      );
    }
    const display = describeOrigin(parsed);
    if (parsed.username !== '' || parsed.password !== '' || hasUserinfo(url)) {
      return refuse(
        'userinfo',
        `${display}: callback URLs with a user name or password (user@host) are refused`,
      );
    }
    if (parsed.protocol === 'http:' && !this.allowHttp) {
      return refuse(
        'http_not_allowed',
        `${display} uses plain http; only https callbacks are sent`,
      );
    }
    const host = normalizeHost(parsed.hostname);
    const ipLiteral = isIP(host) !== 0;
    const port = parsed.port === '' ? defaultPort(parsed.protocol) : Number(parsed.port);
    const sameHost = this.#entries.filter((entry) => entry.host === host);
    if (sameHost.length === 0) {
      return ipLiteral
        ? refuse(
            'ip_literal',
            `${display} names the IP address ${host} instead of an allow-listed host (${this.#listed()})`,
          )
        : refuse(
            'host_not_allowed',
            `${callerText(host)} is not on the callback allow-list (${this.#listed()})`,
          );
    }
    const ports = sameHost.map((entry) => entry.port ?? defaultPort(parsed.protocol));
    if (!ports.includes(port)) {
      return refuse(
        'port_not_allowed',
        `${display} uses port ${port}; ${host} is allowed on port ${ports.join(', ')} only`,
      );
    }
    return {
      ok: true,
      target: Object.freeze({
        protocol: parsed.protocol,
        host,
        ipLiteral,
        port,
        path: `${parsed.pathname}${parsed.search}`,
        href: parsed.href,
        display,
      }),
    };
  }

  /** Checks every address `target.host` resolved to (or the literal itself): one bad address refuses the call. */
  checkAddresses(target: CallbackTarget, addresses: readonly string[]): AddressCheck {
    if (this.allowPrivateAddresses) return { ok: true };
    for (const address of addresses) {
      const kind = classifyAddress(address);
      if (kind === 'public') continue;
      const what = kind === null ? 'not an IP address' : ADDRESS_WORDS[kind];
      const subject = target.ipLiteral
        ? `${address} is ${what}`
        : `${target.host} resolves to ${address}, ${what}`;
      return {
        ok: false,
        kind: 'private_address',
        reason: `${subject}; callbacks to loopback, private, link-local and other non-public addresses are refused`,
      };
    }
    return { ok: true };
  }

  #listed(): string {
    return this.allowedHosts.join(', ');
  }
}

const ADDRESS_WORDS: Record<Exclude<AddressKind, 'public'>, string> = {
  loopback: 'a loopback address',
  private: 'a private-network address',
  'link-local': 'a link-local address (where cloud metadata services live)',
  shared: 'a carrier-grade NAT (100.64.0.0/10) address',
  unspecified: 'an unspecified address',
  multicast: 'a multicast address',
  reserved: 'a reserved, non-public address',
};

/**
 * scheme://host[:port] of a URL: all a reason (logged, and stored as a delivery's callback
 * result) may show. Docker Hub's callback path carries a per-push secret, and the query,
 * fragment and credentials can hold tokens too. A payload chose the host: it is caller text.
 */
export function describeOrigin(url: URL): string {
  return callerText(`${url.protocol}//${url.host}`);
}

/**
 * What kind of address `address` is (IPv4, or IPv6 with or without brackets or
 * a zone); null when it is not an IP address.
 */
export function classifyAddress(address: string): AddressKind | null {
  const bare = address.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
  const family = isIP(bare);
  if (family === 4) return classifyIPv4(ipv4ToNumber(bare));
  if (family === 6) return classifyIPv6(ipv6ToGroups(bare));
  return null;
}

const IPV4_RANGES: ReadonlyArray<readonly [string, number, AddressKind]> = [
  ['0.0.0.0', 8, 'unspecified'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'shared'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'reserved'],
  ['192.0.2.0', 24, 'reserved'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'reserved'],
  ['198.51.100.0', 24, 'reserved'],
  ['203.0.113.0', 24, 'reserved'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];

function classifyIPv4(value: number): AddressKind {
  for (const [base, prefix, kind] of IPV4_RANGES) {
    const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
    if ((value & mask) >>> 0 === ipv4ToNumber(base)) return kind;
  }
  return 'public';
}

function classifyIPv6(groups: readonly number[]): AddressKind {
  const at = (index: number): number => groups[index] ?? 0;
  const zeroUpTo = (end: number): boolean => groups.slice(0, end).every((group) => group === 0);
  const lowIPv4 = ((at(6) << 16) | at(7)) >>> 0;
  if (zeroUpTo(8)) return 'unspecified';
  if (zeroUpTo(7) && at(7) === 1) return 'loopback';
  // ::ffff:a.b.c.d (mapped) and 64:ff9b::a.b.c.d (NAT64) reach the IPv4 address.
  if (zeroUpTo(5) && at(5) === 0xffff) return classifyIPv4(lowIPv4);
  if (at(0) === 0x64 && at(1) === 0xff9b && groups.slice(2, 6).every((g) => g === 0)) {
    return classifyIPv4(lowIPv4);
  }
  // ::a.b.c.d, the deprecated IPv4-compatible form: never a public destination.
  if (zeroUpTo(6)) {
    const kind = classifyIPv4(lowIPv4);
    return kind === 'public' ? 'reserved' : kind;
  }
  if (at(0) === 0x64 && at(1) === 0xff9b && at(2) === 1) return 'private';
  if (at(0) === 0x2002) return classifyIPv4(((at(1) << 16) | at(2)) >>> 0);
  if ((at(0) & 0xfe00) === 0xfc00) return 'private';
  if ((at(0) & 0xffc0) === 0xfe80) return 'link-local';
  if ((at(0) & 0xffc0) === 0xfec0) return 'private';
  if ((at(0) & 0xff00) === 0xff00) return 'multicast';
  if (at(0) === 0x2001 && (at(1) === 0 || at(1) === 0x0db8)) return 'reserved';
  if ((at(0) & 0xe000) !== 0x2000) return 'reserved';
  return 'public';
}

function ipv4ToNumber(address: string): number {
  return address.split('.').reduce((value, octet) => (value * 256 + Number(octet)) >>> 0, 0);
}

/** Eight 16-bit groups of a valid IPv6 address (as `isIP` accepts it). */
function ipv6ToGroups(address: string): number[] {
  const groupsOf = (part: string): number[] =>
    part === ''
      ? []
      : part.split(':').flatMap((group) => {
          if (!group.includes('.')) return [parseInt(group, 16)];
          const value = ipv4ToNumber(group);
          return [value >>> 16, value & 0xffff];
        });
  const [head = '', tail] = address.split('::');
  if (tail === undefined) return groupsOf(head);
  const left = groupsOf(head);
  const right = groupsOf(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

function defaultPort(protocol: string): number {
  return protocol === 'https:' ? 443 : 80;
}

/**
 * An `@` anywhere in the authority, even with an empty user name
 * (`https://:@host/`), which the URL parser drops without a trace.
 */
function hasUserinfo(url: string): boolean {
  const authority = /^[^:]*:[/\\]*([^/\\?#]*)/.exec(url.replace(/[\t\n\r]/g, ''));
  return authority?.[1]?.includes('@') ?? false;
}

function refuse(kind: UrlRefusalKind, reason: string): UrlCheck {
  return { ok: false, kind, reason };
}
