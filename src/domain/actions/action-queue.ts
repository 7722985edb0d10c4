import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import { isoNow } from '../clock.js';
import type { ActionQueueStore } from '../ports/store.js';
import type { Action, ActionOptions, ActionTrigger } from './action.js';

export interface Enqueued {
  action: Action;
  /** true when the request joined a redeploy that was already waiting. */
  coalesced: boolean;
}

/**
 * The coalescing rule: a service has at most one Pending redeploy. A request
 * that finds one joins it, so a burst of calls during a redeploy yields
 * exactly one follow-up. A request that reports a pushed digest makes it the
 * one the waiting redeploy expects: the newest push wins (else a Swarm service
 * would be pinned to the older one). Must run inside the caller's transaction
 * so the look-up and the insert are atomic (the store also enforces it with a
 * unique index).
 */
export async function enqueueRedeploy(
  tx: ActionQueueStore,
  clock: Clock,
  input: { serviceId: string; trigger: ActionTrigger; options: ActionOptions },
): Promise<Enqueued> {
  const pending = await tx.findPendingAction(input.serviceId, 'redeploy');
  if (pending) {
    const pushed = input.options.expectedDigest;
    if (pushed === undefined || pushed === pending.options.expectedDigest) {
      return { action: pending, coalesced: true };
    }
    const options = { ...pending.options, expectedDigest: pushed };
    await tx.updateAction(pending.id, { options });
    return { action: { ...pending, options }, coalesced: true };
  }
  return { action: await insertAction(tx, clock, 'redeploy', input), coalesced: false };
}

/**
 * Scale requests are never coalesced: five SCALEUP calls add five replicas.
 * They queue behind whatever the service is running, in order.
 */
export async function enqueueScale(
  tx: ActionQueueStore,
  clock: Clock,
  input: { serviceId: string; trigger: ActionTrigger; options: ActionOptions },
): Promise<Enqueued> {
  return { action: await insertAction(tx, clock, 'scale', input), coalesced: false };
}

async function insertAction(
  tx: ActionQueueStore,
  clock: Clock,
  type: Action['type'],
  input: { serviceId: string; trigger: ActionTrigger; options: ActionOptions },
): Promise<Action> {
  const now = isoNow(clock);
  const action: Action = {
    id: randomUUID(),
    serviceId: input.serviceId,
    type,
    state: 'Pending',
    trigger: input.trigger,
    options: input.options,
    imageRef: null,
    digestBefore: null,
    digestAfter: null,
    createdAt: now,
    startedAt: null,
    endedAt: null,
    reason: null,
    attempts: 0,
    progress: null,
  };
  await tx.insertAction(action);
  await tx.appendActionLog(action.id, now, describeTrigger(input.trigger));
  return action;
}

function describeTrigger(trigger: ActionTrigger): string {
  switch (trigger.kind) {
    case 'webhook':
      return `Requested by webhook "${trigger.webhookName}" (${trigger.webhookId})`;
    case 'registry':
      return `Requested by a push reported to registry endpoint "${trigger.registryName}" (autoredeploy)`;
    case 'api':
      return trigger.username === undefined
        ? `Requested through the API by token "${trigger.tokenName}"`
        : `Requested through the API by ${trigger.username} (token "${trigger.tokenName}")`;
  }
}
