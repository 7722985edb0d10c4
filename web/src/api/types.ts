/**
 * The shapes the UI reads from the HTTP API (served at /api/docs/json). The
 * UI keeps these small copies instead of importing the server's schemas, so
 * the bundle holds nothing of the server.
 */

export type ActionState = 'Pending' | 'In progress' | 'Success' | 'Failed' | 'Canceled';

export const ACTION_STATES: readonly ActionState[] = [
  'Pending',
  'In progress',
  'Success',
  'Failed',
  'Canceled',
];

export const ENDED_STATES: readonly ActionState[] = ['Success', 'Failed', 'Canceled'];

export type WebhookOperation = 'REDEPLOY' | 'SCALEUP';

export interface Engine {
  id: string;
  host: string;
  reachable: boolean;
  mode: string | null;
  version: string | null;
  error: string | null;
}

export interface Container {
  id: string;
  name: string;
  state: string;
  running: boolean;
  health: string;
  imageRef: string;
  digest: string | null;
  createdAt: string;
  startedAt: string | null;
}

export interface SwarmTask {
  id: string;
  slot: number | null;
  node: string | null;
  state: string;
  desiredState: string;
  error: string | null;
  imageRef: string;
}

export interface Service {
  id: string;
  engineId: string;
  kind: string;
  name: string;
  imageRef: string;
  digest: string | null;
  present: boolean;
  containers: Container[];
  /** Redeployed when a registry endpoint reports a push of its image reference. */
  autoredeploy: boolean;
  /** Swarm services, on servers whose API reports them. */
  swarm?: { desiredReplicas: number | null; runningTasks: number; tasks: SwarmTask[] } | null;
}

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
  /** SCALEUP: the largest N of POST /hooks/{token}/N. */
  maxScale: number;
  /** Calls must carry a valid signature (Standard Webhooks or X-Hub-Signature-256). */
  signed: boolean;
  /** The call's body reaches the new containers as HOIST_TRIGGER_BODY. */
  passBody: boolean;
  /** At most this many calls a minute (that many at once, then one every 60/N s); more get 429. null: no limit. */
  rateLimitPerMinute: number | null;
}

export interface NewWebhook {
  name: string;
  operation: WebhookOperation;
  signed: boolean;
  passBody: boolean;
  /** 1 to 100000; left out for no limit. */
  rateLimitPerMinute?: number;
}

export interface CreatedWebhook {
  webhook: Webhook;
  /** Shown only in this answer, like the URL. */
  url: string;
  /** A signed handler's secret; shown only in this answer. */
  signingSecret?: string;
}

export type DeliveryOutcome = 'accepted' | 'coalesced' | 'ignored' | 'rejected';

/** One call of a handler URL and what came of it. */
export interface Delivery {
  id: string;
  receivedAt: string;
  remoteAddress: string | null;
  userAgent: string | null;
  contentType: string | null;
  /** dockerhub, registry, github; for plain triggers: empty, json, form, text, other. */
  payloadKind: string;
  /** host/path:tag the payload reported pushed. */
  pushed: string | null;
  digest: string | null;
  outcome: DeliveryOutcome;
  /** Why it was ignored or rejected. */
  reason: string | null;
  actionId: string | null;
  /** What came of the Docker Hub callback, once the action ended. */
  callbackResult: string | null;
}

export interface Action {
  id: string;
  serviceId: string;
  type: string;
  state: ActionState;
  trigger: {
    kind: string;
    webhookId?: string;
    webhookName?: string;
    tokenName?: string;
    registryId?: string;
    registryName?: string;
  };
  options: { reuseVolumes?: boolean; replicas?: number; add?: number };
  imageRef: string | null;
  digestBefore: string | null;
  digestAfter: string | null;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
  reason: string | null;
  attempts: number;
}

export interface ActionLogEntry {
  seq: number;
  at: string;
  message: string;
}

export interface ActionWithLog extends Action {
  log: ActionLogEntry[];
}

export interface Enqueued {
  action: { id: string; state: ActionState };
  coalesced: boolean;
}
