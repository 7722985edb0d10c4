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
}
