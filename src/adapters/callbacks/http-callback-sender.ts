/**
 * Sends callbacks (Docker Hub's `callback_url`) as one JSON POST under a
 * CallbackPolicy. The order is the security model: check the URL, resolve the
 * host, check every address, then connect only to those addresses (a custom
 * `lookup` hands them to the socket, so DNS is asked once). Redirects are not
 * followed, TLS is verified, the whole call has one time budget, and at most
 * a few KiB of the answer are read. It logs nothing: the caller records the
 * result.
 */
import type { LookupAddress } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';
import type { CallbackResult, CallbackSender } from '../../domain/ports/callback-sender.js';
import type { CallbackPolicy, CallbackTarget } from './callback-policy.js';
import { describeOrigin } from './callback-policy.js';

export const DEFAULT_CALLBACK_TIMEOUT_MS = 5000;
const MAX_RESPONSE_BYTES = 4096;

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Every address a host name has. */
export type HostResolver = (host: string) => Promise<readonly ResolvedAddress[]>;

export interface HttpCallbackSenderOptions {
  policy: CallbackPolicy;
  /** One budget for the whole call: resolving, connecting, TLS, sending and the answer. */
  timeoutMs?: number;
  /** Default: the system resolver (getaddrinfo, so /etc/hosts counts). */
  resolve?: HostResolver;
}

type Failure = Extract<CallbackResult, { ok: false }>;

/**
 * @example
 * const sender = new HttpCallbackSender({ policy: new CallbackPolicy({ allowedHosts: ['registry.hub.docker.com'] }) });
 * await sender.send(callbackUrl, { state: 'success', description: 'Redeployed', context: 'Hoist', target_url });
 */
export class HttpCallbackSender implements CallbackSender {
  readonly timeoutMs: number;
  readonly #policy: CallbackPolicy;
  readonly #resolve: HostResolver;

  constructor(options: HttpCallbackSenderOptions) {
    this.#policy = options.policy;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_CALLBACK_TIMEOUT_MS;
    this.#resolve = options.resolve ?? systemResolve;
  }

  async send(url: string, body: object): Promise<CallbackResult> {
    const checked = this.#policy.checkUrl(url);
    if (!checked.ok) return { ok: false, reason: `refused by policy: ${checked.reason}` };
    const target = checked.target;
    let payload: string | undefined;
    try {
      payload = JSON.stringify(body);
    } catch {
      payload = undefined;
    }
    if (payload === undefined) {
      return { ok: false, reason: 'the callback body could not be written as JSON' };
    }

    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.timeoutMs);
    try {
      const resolved = await this.#addressesOf(target, deadline.signal);
      if (!resolved.ok) return resolved;
      const { addresses } = resolved;
      const verdict = this.#policy.checkAddresses(
        target,
        addresses.map((a) => a.address),
      );
      if (!verdict.ok) return { ok: false, reason: `refused by policy: ${verdict.reason}` };
      return await post(target, addresses, payload, deadline.signal, this.timeoutMs);
    } finally {
      clearTimeout(timer);
    }
  }

  async #addressesOf(
    target: CallbackTarget,
    signal: AbortSignal,
  ): Promise<{ ok: true; addresses: readonly ResolvedAddress[] } | Failure> {
    if (target.ipLiteral) {
      return {
        ok: true,
        addresses: [{ address: target.host, family: isIP(target.host) === 6 ? 6 : 4 }],
      };
    }
    try {
      const found = await untilAborted(this.#resolve(target.host), signal);
      if (found.length === 0) return { ok: false, reason: `${target.host} has no address` };
      return { ok: true, addresses: found };
    } catch (error) {
      if (signal.aborted) return timedOut(target, this.timeoutMs);
      const code = (error as NodeJS.ErrnoException).code;
      return {
        ok: false,
        reason: `could not resolve ${target.host}${code ? ` (${code})` : ''}`,
      };
    }
  }
}

async function systemResolve(host: string): Promise<readonly ResolvedAddress[]> {
  const found = await dnsLookup(host, { all: true, verbatim: true });
  return found.map((entry) => ({ address: entry.address, family: entry.family === 6 ? 6 : 4 }));
}

function post(
  target: CallbackTarget,
  addresses: readonly ResolvedAddress[],
  payload: string,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<CallbackResult> {
  return new Promise((resolve) => {
    let status: number | undefined;
    let answer: CallbackResult | undefined;
    let settled = false;
    const finish = (result: CallbackResult): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      request.destroy();
      resolve(result);
    };
    const onAbort = (): void => finish(answer ?? timedOut(target, timeoutMs));

    // The socket gets only the addresses that were checked; net never asks DNS itself.
    const pinned: LookupFunction = (_host, options, callback) => {
      const first = addresses[0];
      if (options.all) {
        callback(
          null,
          addresses.map((a): LookupAddress => ({ address: a.address, family: a.family })),
        );
      } else if (first) {
        callback(null, first.address, first.family);
      } else {
        callback(Object.assign(new Error('no checked address'), { code: 'ENOTFOUND' }), '', 0);
      }
    };

    const transport = target.protocol === 'https:' ? https : http;
    const request = transport.request({
      protocol: target.protocol,
      hostname: target.host,
      port: target.port,
      path: target.path,
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(payload),
        'user-agent': 'Hoist',
      },
      lookup: pinned,
      agent: false,
    });

    request.on('response', (response) => {
      status = response.statusCode ?? 0;
      answer = resultFor(status, response.headers.location, target);
      const result = answer;
      let read = 0;
      response.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read >= MAX_RESPONSE_BYTES) finish(result);
      });
      response.on('end', () => finish(result));
      response.on('close', () => finish(result));
      response.on('error', () => finish(result));
    });
    request.on('error', (error: NodeJS.ErrnoException) => {
      finish(answer ?? connectionFailure(target, error));
    });

    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) onAbort();
    else request.end(payload);
  });
}

function resultFor(
  status: number,
  location: string | undefined,
  target: CallbackTarget,
): CallbackResult {
  if (status >= 200 && status < 300) return { ok: true, status };
  if (status >= 300 && status < 400) {
    return {
      ok: false,
      status,
      reason: `${target.display} answered ${status} with a redirect${
        location === undefined ? '' : ` to ${describeLocation(location, target)}`
      }; redirects are not followed`,
    };
  }
  const text = http.STATUS_CODES[status];
  return {
    ok: false,
    status,
    reason: `${target.display} answered ${status}${text ? ` ${text}` : ''}; a 2xx status was expected`,
  };
}

function describeLocation(location: string, target: CallbackTarget): string {
  try {
    return describeOrigin(new URL(location, target.href));
  } catch {
    return 'an invalid location';
  }
}

const TLS_CODES =
  /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|^ERR_TLS|^ERR_SSL|^EPROTO$/;

function connectionFailure(target: CallbackTarget, error: NodeJS.ErrnoException): Failure {
  const code = error.code ?? '';
  const detail = `${error.message}${code && !error.message.includes(code) ? ` (${code})` : ''}`;
  if (TLS_CODES.test(code)) {
    return {
      ok: false,
      reason: `TLS verification of ${target.host} failed, so nothing was sent to ${target.display}: ${detail}`,
    };
  }
  return { ok: false, reason: `could not connect to ${target.display}: ${detail}` };
}

function timedOut(target: CallbackTarget, timeoutMs: number): Failure {
  const budget = timeoutMs % 1000 === 0 ? `${timeoutMs / 1000} s` : `${timeoutMs} ms`;
  return { ok: false, reason: `${target.display} did not answer within ${budget} (timeout)` };
}

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(new Error('aborted'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
