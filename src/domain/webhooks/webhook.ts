export type WebhookOperation = 'REDEPLOY' | 'SCALEUP';

/**
 * The signatures a signed handler accepts: `any` (Standard Webhooks or GitHub's
 * X-Hub-Signature-256) or `standard-webhooks` only. GitHub's scheme signs the
 * body alone, with no time, so a copied call can be sent again at any time;
 * Standard Webhooks signs a timestamp that must be within 5 minutes.
 */
export const SIGNATURE_SCHEMES = ['any', 'standard-webhooks'] as const;
export type AcceptedSignatures = (typeof SIGNATURE_SCHEMES)[number];

/** The largest per-handler limit accepted: a bound on the input, not a measured capacity. */
export const MAX_RATE_LIMIT = 100_000;

/** A webhook handler. The token itself is never stored: only its SHA-256 hash. */
export interface Webhook {
  id: string;
  serviceId: string;
  name: string;
  operation: WebhookOperation;
  tokenPrefix: string;
  createdAt: string;
  revokedAt: string | null;
  lastCalledAt: string | null;
  callCount: number;
  /** SCALEUP: the largest N a call may add (POST /hooks/{token}/N). */
  maxScale: number;
  /** Calls must carry a valid signature (Standard Webhooks or GitHub's X-Hub-Signature-256). */
  signed: boolean;
  /** Which signatures a signed handler accepts; `any` on an unsigned one. */
  signatureScheme: AcceptedSignatures;
  /** The call's body reaches the new containers as HOIST_TRIGGER_BODY (Tutum's TUTUM_TRIGGER_BODY). */
  passBody: boolean;
  /** At most this many calls a minute are taken; the rest get 429. null: no limit. */
  rateLimitPerMinute: number | null;
}

/**
 * What taking a call needs of its handler, and all the call path reads: a row
 * of fewer columns is cheaper to read, and the handler is read on every call.
 */
export type CallHandler = Pick<
  Webhook,
  | 'id'
  | 'serviceId'
  | 'name'
  | 'operation'
  | 'maxScale'
  | 'signatureScheme'
  | 'passBody'
  | 'rateLimitPerMinute'
> &
  WebhookSecrets;

/** What a call needs besides the listing fields: never leaves the server. */
export interface WebhookSecrets {
  signingSecret: string | null;
}

export interface WebhookWithHash extends Webhook, WebhookSecrets {
  tokenHash: string;
}
