export type DeliveryOutcome = 'accepted' | 'coalesced' | 'ignored' | 'rejected';

/** One call of a handler URL and what came of it. */
export interface Delivery {
  id: string;
  webhookId: string;
  serviceId: string;
  receivedAt: string;
  remoteAddress: string | null;
  userAgent: string | null;
  contentType: string | null;
  payloadKind: string;
  outcome: DeliveryOutcome;
  reason: string | null;
  actionId: string | null;
  /** The sender's id of this delivery (registry event, X-GitHub-Delivery, webhook-id, callback_url). */
  deliveryKey: string | null;
  /** "host/path:tag" the payload reported pushed, when it named one. */
  pushed: string | null;
  digest: string | null;
  /** Docker Hub: where the outcome is reported when the action ends. */
  callbackUrl: string | null;
  /** What came of that report. */
  callbackResult: string | null;
}
