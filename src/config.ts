import path from 'node:path';
import { DEFAULT_CALLBACK_HOSTS, parseAllowedHost } from './callback-hosts.js';
import { ConfigError } from './config-error.js';
import { readSecretFiles } from './secret-settings.js';

/** Where Docker Hub callbacks may go (server.ts builds the policy from it). */
export interface CallbackSettings {
  /** `host` or `host:port` entries; IPv6 literals in brackets (`[::1]:8123`). */
  readonly allowedHosts: readonly string[];
  /** Plain http as well as https. */
  readonly allowHttp: boolean;
  /** Let allow-listed hosts resolve to loopback, private or link-local addresses. */
  readonly allowPrivateAddresses: boolean;
}

/** GET /metrics (Prometheus): served or not, and the bearer token it needs, if any. */
export interface MetricsSettings {
  readonly enabled: boolean;
  readonly token: string | null;
}

/** HTTPS: the PEM files of the certificate (with its chain) and its key. */
export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;
/** auto: one readable line per event when stdout is a terminal, JSON lines otherwise. */
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Everything Hoist reads from its environment, validated once at start. */
export interface Config {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly publicUrl: string;
  /** A Docker host as in DOCKER_HOST (unix:// or tcp://); undefined means the local socket. */
  readonly dockerHost: string | undefined;
  /** Where the Docker config file with registry credentials is (DOCKER_CONFIG); undefined means ~/.docker. */
  readonly dockerConfigDir: string | undefined;
  readonly monitorSeconds: number;
  readonly healthTimeoutSeconds: number;
  /** Start-first redeploys: how long an old container, out of name resolution, keeps serving before it is stopped. */
  readonly drainSeconds: number;
  readonly maxConcurrentActions: number;
  /** How long a Swarm rolling update may run before its action is Failed. */
  readonly swarmUpdateTimeoutSeconds: number;
  /** Deliveries and registry calls are kept this long. */
  readonly deliveryRetentionDays: number;
  /** How long the audit log keeps an event (HOIST_AUDIT_RETENTION_DAYS). */
  readonly auditRetentionDays: number;
  /** Where Docker Hub callbacks may go. */
  readonly callbacks: CallbackSettings;
  readonly logLevel: string;
  readonly logFormat: LogFormat;
  readonly metrics: MetricsSettings;
  /** undefined: plain HTTP. */
  readonly tls: TlsFiles | undefined;
  /** A request must arrive whole (headers and body) within this; an idle connection is closed after it. */
  readonly requestTimeoutSeconds: number;
  /** Unknown-token answers (404) per client address per minute before 429. */
  readonly unknownTokenLimitPerMinute: number;
}

export { ConfigError };

type Env = Record<string, string | undefined>;

/** Documented in the README's configuration table; keep the two in step. */
export function loadConfig(environment: Env = process.env): Config {
  const env = readSecretFiles(environment);
  const port = integer(env, 'HOIST_PORT', 8080, 0, 65535);
  const host = env.HOIST_HOST?.trim() || '0.0.0.0';
  const tls = tlsFiles(env);
  const publicUrl = url(env, 'HOIST_PUBLIC_URL', `${tls ? 'https' : 'http'}://localhost:${port}`);
  const logLevel = oneOf(env, 'HOIST_LOG_LEVEL', LOG_LEVELS, 'info');
  if (env.HOIST_DATABASE_URL?.trim()) {
    throw new ConfigError(
      'HOIST_DATABASE_URL is set, but this version of Hoist only stores data in its embedded SQLite file (in HOIST_DATA_DIR). Unset HOIST_DATABASE_URL.',
    );
  }
  return Object.freeze({
    port,
    host,
    dataDir: path.resolve(env.HOIST_DATA_DIR?.trim() || './data'),
    publicUrl,
    dockerHost: env.DOCKER_HOST?.trim() || undefined,
    dockerConfigDir: env.DOCKER_CONFIG?.trim() || undefined,
    monitorSeconds: integer(env, 'HOIST_MONITOR_SECONDS', 5, 0, 3600),
    healthTimeoutSeconds: integer(env, 'HOIST_HEALTH_TIMEOUT_SECONDS', 120, 1, 3600),
    drainSeconds: integer(env, 'HOIST_DRAIN_SECONDS', 3, 0, 300),
    maxConcurrentActions: integer(env, 'HOIST_MAX_CONCURRENT_ACTIONS', 4, 1, 64),
    swarmUpdateTimeoutSeconds: integer(env, 'HOIST_SWARM_UPDATE_TIMEOUT_SECONDS', 600, 1, 86400),
    deliveryRetentionDays: integer(env, 'HOIST_DELIVERY_RETENTION_DAYS', 30, 1, 3650),
    auditRetentionDays: integer(env, 'HOIST_AUDIT_RETENTION_DAYS', 365, 1, 36500),
    callbacks: callbackSettings(env),
    logLevel,
    logFormat: oneOf(env, 'HOIST_LOG_FORMAT', LOG_FORMATS, 'auto'),
    metrics: metricsSettings(env),
    tls,
    requestTimeoutSeconds: integer(env, 'HOIST_REQUEST_TIMEOUT_SECONDS', 30, 1, 3600),
    unknownTokenLimitPerMinute: integer(
      env,
      'HOIST_UNKNOWN_TOKEN_LIMIT_PER_MINUTE',
      60,
      1,
      1_000_000,
    ),
  });
}

function callbackSettings(env: Env): CallbackSettings {
  const name = 'HOIST_CALLBACK_ALLOWED_HOSTS';
  const raw = env[name]?.trim();
  const hosts = raw
    ? raw
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry !== '')
    : DEFAULT_CALLBACK_HOSTS;
  if (hosts.length === 0) {
    throw new ConfigError(
      `${name} is "${raw}"; list at least one host, for example registry.hub.docker.com.`,
    );
  }
  for (const entry of hosts) {
    try {
      parseAllowedHost(entry);
    } catch (error) {
      throw new ConfigError(`${name}: ${(error as Error).message}`);
    }
  }
  return Object.freeze({
    allowedHosts: Object.freeze([...hosts]),
    allowHttp: boolean(env, 'HOIST_CALLBACK_ALLOW_HTTP'),
    allowPrivateAddresses: boolean(env, 'HOIST_CALLBACK_ALLOW_PRIVATE'),
  });
}

function metricsSettings(env: Env): MetricsSettings {
  const token = env.HOIST_METRICS_TOKEN?.trim() || null;
  if (token !== null && (token.length < 16 || /\s/.test(token))) {
    // The message never repeats the token: it is a secret, and errors reach logs.
    throw new ConfigError(
      'HOIST_METRICS_TOKEN must be at least 16 characters without spaces; make one with: openssl rand -hex 32',
    );
  }
  // A token alone turns metrics on: nobody sets a token for a page they want off.
  const enabled = boolean(env, 'HOIST_METRICS', token !== null);
  return Object.freeze({ enabled, token });
}

function tlsFiles(env: Env): TlsFiles | undefined {
  const certFile = env.HOIST_TLS_CERT_FILE?.trim();
  const keyFile = env.HOIST_TLS_KEY_FILE?.trim();
  if (!certFile && !keyFile) return undefined;
  if (!certFile || !keyFile) {
    const [set, unset] = certFile
      ? ['HOIST_TLS_CERT_FILE', 'HOIST_TLS_KEY_FILE']
      : ['HOIST_TLS_KEY_FILE', 'HOIST_TLS_CERT_FILE'];
    throw new ConfigError(`${set} is set but ${unset} is not; set both (PEM files) or neither.`);
  }
  return Object.freeze({ certFile: path.resolve(certFile), keyFile: path.resolve(keyFile) });
}

function oneOf<T extends string>(env: Env, name: string, values: readonly T[], fallback: T): T {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = values.find((v) => v === raw.toLowerCase());
  if (value === undefined) {
    throw new ConfigError(`${name} is "${raw}"; use one of ${values.join(', ')}.`);
  }
  return value;
}

function boolean(env: Env, name: string, fallback = false): boolean {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = raw.toLowerCase();
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new ConfigError(`${name} is "${raw}"; use true or false.`);
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} is "${raw}"; it must be a whole number from ${min} to ${max}.`);
  }
  return value;
}

function url(env: Env, name: string, fallback: string): string {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(
      `${name} is "${raw}"; it must be an absolute URL such as https://hoist.example.com.`,
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ConfigError(`${name} must start with http:// or https://, not ${parsed.protocol}//.`);
  }
  return raw.replace(/\/+$/, '');
}
