/**
 * Signed calls: a handler with a signing secret accepts a call only when it
 * carries a valid signature in one of two schemes (or in Standard Webhooks
 * only, when the handler says so).
 *
 * - Standard Webhooks (standardwebhooks.com): headers `webhook-id`,
 *   `webhook-timestamp` (Unix seconds, within 5 minutes of now either way) and
 *   `webhook-signature`, a space-separated list of `v1,<base64>` entries of
 *   which one must be HMAC-SHA256 over `${id}.${timestamp}.${body}`. The key
 *   is the base64 part of a `whsec_...` secret, decoded. A secret without that
 *   prefix is used as UTF-8 bytes, as it is written (the reference libraries
 *   would base64-decode it instead); Hoist's own secrets always have the prefix.
 * - GitHub: `X-Hub-Signature-256: sha256=<hex>`, HMAC-SHA256 of the raw body
 *   keyed with the secret's UTF-8 bytes, the whole `whsec_...` string included
 *   (what GitHub does with the secret pasted into its form). It signs no time
 *   and `X-GitHub-Delivery` is not signed: a copied call can be replayed.
 *
 * A call that carries Standard Webhooks headers is judged by them alone, even
 * with an `X-Hub-Signature-256` beside them: a stale or wrong timestamped
 * signature is not excused by a timeless one.
 *
 * Signatures are compared in constant time. Reasons name what is wrong, never
 * the secret or a signature.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { headerReader, type HeaderReader } from '../request-headers.js';
import type { AcceptedSignatures } from './webhook.js';

export type SignatureScheme = 'standard-webhooks' | 'github';

export type SignatureCheck = { ok: true; scheme: SignatureScheme } | { ok: false; reason: string };

export interface SignedCall {
  secret: string;
  /** Request headers; names are matched without regard to case. */
  headers: Record<string, string | undefined>;
  /** The raw body, exactly as received. */
  body: Buffer;
  now: Date;
  /** Default `any`. */
  accepts?: AcceptedSignatures;
}

const SECRET_PREFIX = 'whsec_';
/** How far `webhook-timestamp` may be from now, in either direction. */
export const TIMESTAMP_TOLERANCE_SECONDS = 5 * 60;

/** A new signing secret: `whsec_` and the base64 of 32 random bytes. */
export function generateSigningSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64');
}

/**
 * @example
 * verifySignature({ secret, headers: request.headers, body: rawBody, now: new Date() });
 * // { ok: true, scheme: 'github' } or { ok: false, reason: 'X-Hub-Signature-256 does not match the body' }
 */
export function verifySignature(call: SignedCall): SignatureCheck {
  const header = headerReader(call.headers);
  if (!call.secret) return { ok: false, reason: 'the handler has no signing secret' };

  if (header('webhook-signature') || header('webhook-id') || header('webhook-timestamp')) {
    const reason = standardWebhooksProblem(call, header);
    return reason === null ? { ok: true, scheme: 'standard-webhooks' } : { ok: false, reason };
  }
  if (call.accepts === 'standard-webhooks') {
    const what =
      header('x-hub-signature-256') || header('x-hub-signature')
        ? 'the call carries only a GitHub signature, which has no timestamp and could be a replay'
        : 'the call is not signed';
    return {
      ok: false,
      reason: `${what}: this handler accepts Standard Webhooks signatures only (webhook-id, webhook-timestamp, webhook-signature)`,
    };
  }
  const github = header('x-hub-signature-256');
  if (github !== null) {
    const reason = gitHubProblem(call, github);
    return reason === null ? { ok: true, scheme: 'github' } : { ok: false, reason };
  }
  if (header('x-hub-signature')) {
    return {
      ok: false,
      reason:
        'the call has only X-Hub-Signature (SHA-1); this handler needs X-Hub-Signature-256 or a Standard Webhooks signature',
    };
  }
  return {
    ok: false,
    reason:
      'the call is not signed: this handler needs webhook-id, webhook-timestamp and webhook-signature (Standard Webhooks) or X-Hub-Signature-256 (GitHub)',
  };
}

function standardWebhooksProblem(call: SignedCall, header: HeaderReader): string | null {
  const id = header('webhook-id');
  const timestamp = header('webhook-timestamp');
  const signatures = header('webhook-signature');
  if (id === null || timestamp === null || signatures === null) {
    const missing = [
      id === null && 'webhook-id',
      timestamp === null && 'webhook-timestamp',
      signatures === null && 'webhook-signature',
    ].filter(Boolean);
    return `the Standard Webhooks header${missing.length > 1 ? 's' : ''} ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing`;
  }
  if (!/^[0-9]{1,15}$/.test(timestamp)) {
    return 'webhook-timestamp is not a whole number of seconds';
  }
  const age = Math.round(call.now.getTime() / 1000 - Number(timestamp));
  if (age > TIMESTAMP_TOLERANCE_SECONDS) {
    return `webhook-timestamp is ${age} s old; at most ${TIMESTAMP_TOLERANCE_SECONDS} s are allowed`;
  }
  if (age < -TIMESTAMP_TOLERANCE_SECONDS) {
    return `webhook-timestamp is ${-age} s in the future; at most ${TIMESTAMP_TOLERANCE_SECONDS} s are allowed`;
  }

  const key = call.secret.startsWith(SECRET_PREFIX)
    ? Buffer.from(call.secret.slice(SECRET_PREFIX.length), 'base64')
    : Buffer.from(call.secret, 'utf8');
  if (key.length === 0) return 'the signing secret holds no key';
  const expected = createHmac('sha256', key)
    .update(`${id}.${timestamp}.`, 'utf8')
    .update(call.body)
    .digest();

  const candidates = signatures
    .split(' ')
    .filter((entry) => entry.startsWith('v1,'))
    .map((entry) => Buffer.from(entry.slice(3), 'base64'));
  if (candidates.length === 0) return 'webhook-signature holds no v1 signature';
  if (candidates.some((candidate) => sameBytes(candidate, expected))) return null;
  return `no v1 signature in webhook-signature matches the body (${candidates.length} checked)`;
}

function gitHubProblem(call: SignedCall, value: string): string | null {
  if (!value.startsWith('sha256=')) return 'X-Hub-Signature-256 does not start with sha256=';
  const hex = value.slice('sha256='.length);
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
    return 'X-Hub-Signature-256 is not sha256= followed by 64 hex digits';
  }
  const expected = createHmac('sha256', Buffer.from(call.secret, 'utf8'))
    .update(call.body)
    .digest();
  return sameBytes(Buffer.from(hex, 'hex'), expected)
    ? null
    : 'X-Hub-Signature-256 does not match the body';
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
