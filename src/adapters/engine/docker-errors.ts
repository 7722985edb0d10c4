/**
 * Engine API failures in the domain's words: EngineUnavailableError (naming the
 * host tried) when the daemon cannot be reached, HoistError('engine_error')
 * carrying the daemon's own message when it answers with an error.
 */
import { EngineUnavailableError, HoistError } from '../../domain/errors.js';

/** What docker-modem and the HTTP stack throw. */
export interface DockerishError {
  statusCode?: number;
  code?: string;
  message?: string;
  json?: unknown;
  reason?: string;
}

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOENT',
  'EACCES',
  'EPERM',
  'EPIPE',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNABORTED',
  'ENOTSOCK',
  'UND_ERR_SOCKET',
]);

export function statusOf(error: unknown): number | undefined {
  const status = (error as DockerishError | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** The daemon's own message from a docker-modem error. */
export function daemonMessage(error: DockerishError): string {
  const json = error.json as { message?: unknown } | string | null | undefined;
  if (json && typeof json === 'object' && typeof json.message === 'string') return json.message;
  if (typeof json === 'string' && json.trim()) return json.trim();
  if (Buffer.isBuffer(json) && json.length > 0) return json.toString('utf8').trim();
  const match = /^\(HTTP code \d+\) [^-]*- ([\s\S]*)$/.exec(error.message ?? '');
  const text = (match ? match[1]! : (error.message ?? 'unknown error')).trim();
  try {
    const parsed = JSON.parse(text) as { message?: unknown };
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // not JSON
  }
  return text;
}

/** A failed attempt to `what` on the engine at dockerHost, as the domain sees it. */
export function translateError(error: unknown, what: string, dockerHost: string): HoistError {
  if (error instanceof HoistError) return error;
  const e = (error ?? {}) as DockerishError;
  if (typeof e.statusCode === 'number') {
    return new HoistError('engine_error', `Docker could not ${what}: ${daemonMessage(e)}`, {
      cause: error,
    });
  }
  const message = e.message ?? String(error);
  if (
    (e.code && UNREACHABLE_CODES.has(e.code)) ||
    /socket hang up|timed? ?out|ECONNRESET|EPIPE|connect E/i.test(message)
  ) {
    return unavailableError(dockerHost, what, message, error);
  }
  return new HoistError('engine_error', `Docker could not ${what}: ${message}`, {
    cause: error,
  });
}

export function unavailableError(
  dockerHost: string,
  what: string,
  detail: string,
  cause?: unknown,
): EngineUnavailableError {
  const hint = dockerHost.startsWith('unix://')
    ? `Check that dockerd is running and that Hoist can use its socket: run Hoist as root or in the docker group, mount ${dockerHost.slice('unix://'.length)} into Hoist's container, or set DOCKER_HOST to the engine's address.`
    : 'Check that dockerd is running and listening there, or set DOCKER_HOST to the engine\u2019s address.';
  return new EngineUnavailableError(
    `Cannot reach the Docker engine at ${dockerHost} (tried to ${what}: ${detail}). ${hint}`,
    { cause },
  );
}
