/** Names and states follow Tutum's actions. */
export type ActionState = 'Pending' | 'In progress' | 'Success' | 'Failed' | 'Canceled';

export const ACTION_STATES: readonly ActionState[] = [
  'Pending',
  'In progress',
  'Success',
  'Failed',
  'Canceled',
];

export type ActionType = 'redeploy';

export type ActionTrigger =
  { kind: 'webhook'; webhookId: string; webhookName: string } | { kind: 'api'; tokenName: string };

export interface ActionOptions {
  reuseVolumes: boolean;
}

export interface Action {
  id: string;
  serviceId: string;
  type: ActionType;
  state: ActionState;
  trigger: ActionTrigger;
  options: ActionOptions;
  imageRef: string | null;
  digestBefore: string | null;
  digestAfter: string | null;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
  /** Why it failed, in one sentence. */
  reason: string | null;
  /** How many times a worker has started it (more than one after a crash or an engine outage). */
  attempts: number;
  /** The runner's write-ahead journal, opaque to everything else (see redeploy.ts). */
  progress: unknown;
}

export interface ActionLogEntry {
  seq: number;
  at: string;
  message: string;
}
