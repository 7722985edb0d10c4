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
  /** SCALEUP: the largest N a call may add (POST /hooks/{token}/N). */
  maxScale: number;
}

export interface WebhookWithHash extends Webhook {
  tokenHash: string;
}
