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
  /** SCALEUP: the largest N of POST /hooks/{token}/N (newer servers). */
  maxScale?: number;
}

export interface CreatedWebhook {
  webhook: Webhook;
  url: string;
}

export interface Action {
  id: string;
  serviceId: string;
  type: string;
  state: ActionState;
  trigger: { kind: string; webhookId?: string; webhookName?: string; tokenName?: string };
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
