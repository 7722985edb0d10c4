/** Shapes of the API's answers as the HTTP tests read them. */

export interface ErrorBody {
  error: { code: string; message: string };
}

/** What POST /api/v1/services/{id}/webhooks answers: the handler and, once only, its secret URL. */
export interface CreatedWebhook {
  webhook: {
    id: string;
    serviceId: string;
    name: string;
    operation: string;
    tokenPrefix: string;
    createdAt: string;
    revokedAt: string | null;
    lastCalledAt: string | null;
    callCount: number;
    signatureScheme: 'any' | 'standard-webhooks';
  };
  url: string;
  signingSecret?: string;
}
