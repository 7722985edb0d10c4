import type { ActionState } from './action-state.js';

export type { ActionState } from './action-state.js';

/** Names and states follow Tutum's actions. */

export type ActionType = 'redeploy' | 'scale';

export type ActionTrigger =
  | { kind: 'webhook'; webhookId: string; webhookName: string }
  /** username: who the token belongs to (absent on actions from before accounts). */
  | { kind: 'api'; tokenName: string; username?: string }
  | { kind: 'registry'; registryId: string; registryName: string };

export interface ActionOptions {
  /** redeploy: keep the old containers' anonymous volumes (Tutum's reuse_volumes; default true). */
  reuseVolumes?: boolean;
  /** scale: set the number of replicas to this. */
  replicas?: number;
  /** scale: add this many replicas (a SCALEUP handler's call). */
  add?: number;
  /** redeploy: the triggering call's body, given to the new containers as HOIST_TRIGGER_BODY. */
  triggerBody?: string;
  /**
   * redeploy: the digest a registry reported pushed. Registries notify before
   * the tag has moved, so a pull that still gets another digest is retried.
   */
  expectedDigest?: string;
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

/**
 * How a run of an action ended, with what the run found out about the image
 * (unset: nothing to report). The worker writes it all to the action at once.
 */
export interface ActionOutcome {
  state: 'Success' | 'Failed';
  reason: string | null;
  imageRef?: string | null;
  digestBefore?: string | null;
  digestAfter?: string | null;
}

/** The action's fields an outcome sets besides its state and reason. */
export function outcomeFields(
  outcome: ActionOutcome,
): Partial<Pick<Action, 'imageRef' | 'digestBefore' | 'digestAfter'>> {
  const fields: Partial<Pick<Action, 'imageRef' | 'digestBefore' | 'digestAfter'>> = {};
  if (outcome.imageRef !== undefined) fields.imageRef = outcome.imageRef;
  if (outcome.digestBefore !== undefined) fields.digestBefore = outcome.digestBefore;
  if (outcome.digestAfter !== undefined) fields.digestAfter = outcome.digestAfter;
  return fields;
}
