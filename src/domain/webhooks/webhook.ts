export type WebhookOperation = 'REDEPLOY' | 'SCALEUP';

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
}

export interface WebhookWithHash extends Webhook {
  tokenHash: string;
}
