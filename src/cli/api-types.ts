/**
 * The shapes the CLI reads from the HTTP API (see /api/docs). The CLI owns
 * these small copies instead of importing the server's schemas, so it loads
 * nothing of the server and only breaks where the wire format does.
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
  apiVersion: string | null;
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
  /** Newer servers only. */
  createdByHoist?: boolean;
  /** Swarm services, on servers that report them. */
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
  maxScale?: number;
  /** At most this many calls a minute; more get 429. null: no limit. */
  rateLimitPerMinute: number | null;
}

export interface CreatedWebhook {
  webhook: Webhook;
  url: string;
}

export interface Action {
  id: string;
  url: string;
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
  action: { id: string; state: ActionState; url: string };
  coalesced: boolean;
}

export interface CreateServiceRequest {
  name: string;
  image: string;
  replicas?: number;
  env?: Record<string, string>;
  ports?: { published: number; target: number; protocol?: 'tcp' | 'udp' }[];
  volumes?: { source: string; target: string; readOnly?: boolean }[];
  networks?: string[];
  restartPolicy?: 'no' | 'always' | 'unless-stopped' | 'on-failure';
  labels?: Record<string, string>;
}
