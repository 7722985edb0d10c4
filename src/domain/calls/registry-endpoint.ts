/**
 * Registry endpoint URLs (`/registry-events/{token}`): autoredeploy. A
 * registry's notification of a manifest push redeploys every service of the
 * engine that has autoredeploy on and runs that registry's repo:tag, once
 * each (a redeploy already waiting is joined), and only if it does not run the
 * pushed digest already. Each call is recorded as a registry call.
 */
import { HoistError } from '../errors.js';
import { newRecordId } from '../record-id.js';
import { enqueueRedeploy, type Enqueued } from '../actions/action-queue.js';
import type { Action } from '../actions/action.js';
import type { Clock } from '../clock.js';
import { describePush, describePushes } from '../payloads/describe-push.js';
import type { CallTx } from '../ports/store.js';
import type { Registry, RegistryCall } from '../registries/registry.js';
import {
  UNKNOWN_TOKEN_CODE,
  type CallEndpoint,
  type CallResult,
  type CallService,
  type TakenCall,
} from './call-endpoint.js';

/** As for handlers: unknown and revoked endpoints answer alike. */
export const UNKNOWN_REGISTRY_MESSAGE =
  'No registry endpoint has this URL. It may have been revoked.';

export type RegistryOutcome =
  | { kind: 'accepted'; actions: Action[] }
  | { kind: 'ignored'; reason: string }
  /** The actions the first call queued or joined, as they are now. */
  | { kind: 'duplicate'; actions: Action[] };

export class RegistryEndpoint implements CallEndpoint<Registry, RegistryOutcome> {
  readonly unknown = new HoistError(UNKNOWN_TOKEN_CODE, UNKNOWN_REGISTRY_MESSAGE);

  constructor(private readonly engineId: string) {}

  find(tx: CallTx, tokenHash: string): Promise<Registry | null> {
    return tx.findActiveRegistryByTokenHash(tokenHash);
  }

  /** A registry endpoint's URL has no count: the routes never give one. */
  refusal({ count }: TakenCall<Registry>) {
    if (count === undefined) return null;
    const reason = 'A registry endpoint takes no count: POST to /registry-events/<token> alone.';
    return { reason, error: new HoistError('bad_request', reason) };
  }

  async findFirst(tx: CallTx, target: Registry, deliveryKey: string) {
    const first = await tx.findRegistryCallByKey(target.id, deliveryKey);
    return first ? { receivedAt: first.receivedAt, actionIds: first.actionIds } : null;
  }

  plainReason(): string {
    return 'not a registry notification: a registry endpoint acts only on reported pushes';
  }

  matchesPushes(): boolean {
    return true;
  }

  async services(tx: CallTx): Promise<CallService[]> {
    const services = await tx.listAutoredeployServices(this.engineId);
    return services.map((service) => ({ id: service.id, running: service }));
  }

  nothingMatched({ payload }: TakenCall<Registry>): string {
    return `no service with autoredeploy on runs ${describePushes(payload.pushes)} (or it runs that digest already)`;
  }

  enqueue(
    tx: CallTx,
    clock: Clock,
    { target }: TakenCall<Registry>,
    service: { id: string; expectedDigest: string | null },
  ): Promise<Enqueued> {
    return enqueueRedeploy(tx, clock, {
      serviceId: service.id,
      trigger: { kind: 'registry', registryId: target.id, registryName: target.name },
      options: {
        reuseVolumes: true,
        ...(service.expectedDigest ? { expectedDigest: service.expectedDigest } : {}),
      },
    });
  }

  async record(tx: CallTx, taken: TakenCall<Registry>, result: CallResult): Promise<void> {
    const { target, call, payload, receivedAt } = taken;
    const base: RegistryCall = {
      id: newRecordId(),
      registryId: target.id,
      receivedAt,
      remoteAddress: call.remoteAddress,
      deliveryKey: payload.deliveryKey,
      pushed: payload.pushes.map(describePush),
      outcome: 'accepted',
      reason: null,
      actionIds: [],
    };
    await tx.insertRegistryCall({ ...base, ...registryCallPatch(result) });
  }

  answer(result: Exclude<CallResult, { kind: 'refused' }>): RegistryOutcome {
    switch (result.kind) {
      case 'enqueued':
        return { kind: 'accepted', actions: result.enqueued.map((e) => e.action) };
      case 'ignored':
        return { kind: 'ignored', reason: result.reason };
      case 'duplicate':
        return { kind: 'duplicate', actions: result.actions };
    }
  }
}

/** How a result is written on the registry call; a repeat does not claim the delivery key. */
function registryCallPatch(result: CallResult): Partial<RegistryCall> {
  switch (result.kind) {
    case 'refused':
      return { outcome: 'ignored', reason: result.reason, deliveryKey: null };
    case 'duplicate':
      return {
        outcome: 'duplicate',
        reason: `a repeat of the call received at ${result.firstReceivedAt}`,
        deliveryKey: null,
      };
    case 'ignored':
      return { outcome: 'ignored', reason: result.reason };
    case 'enqueued':
      return { actionIds: result.enqueued.map((e) => e.action.id) };
  }
}
