import { newRecordId } from '../record-id.js';
import type { Clock } from '../clock.js';
import { isoNow } from '../clock.js';
import { HoistError } from '../errors.js';
import type { Store } from '../ports/store.js';
import { hashSecretToken } from '../secret-token.js';
import { enqueueRedeploy } from '../actions/action-queue.js';
import type { Action } from '../actions/action.js';
import { parsePayload } from '../payloads/parse-payload.js';
import { judgePush, noPushReason } from '../payloads/match-push.js';
import { describePush } from '../payloads/describe-push.js';
import type { IncomingCall } from '../webhooks/hook-intake.js';
import type { RegistryCall } from './registry.js';

/** As for handlers: unknown and revoked endpoints answer alike. */
export const UNKNOWN_REGISTRY_MESSAGE =
  'No registry endpoint has this URL. It may have been revoked.';

export type RegistryCallOutcome =
  | { kind: 'accepted'; actions: Action[] }
  | { kind: 'ignored'; reason: string }
  /** The actions the first call queued or joined, as they are now. */
  | { kind: 'duplicate'; actions: Action[] };

/**
 * Autoredeploy: a registry's notification of a manifest push redeploys every
 * service that has autoredeploy on and runs that registry's repo:tag, once
 * each (a redeploy already waiting is joined), and only if it does not run
 * the pushed digest already. Like the handler path, this only touches the store.
 */
export class RegistryIntake {
  constructor(
    private readonly deps: {
      store: Store;
      clock: Clock;
      engineId: string;
      onEnqueued: (action: Action) => void;
    },
  ) {}

  async receive(token: string, call: IncomingCall): Promise<RegistryCallOutcome> {
    const { store, clock } = this.deps;
    const tokenHash = hashSecretToken(token);
    const created: Action[] = [];
    // One transaction from the token look-up on, as for handlers: an endpoint revoked meanwhile
    // cannot slip a call in.
    const outcome = await store.transaction(async (tx): Promise<RegistryCallOutcome> => {
      const registry = await tx.findRegistryByTokenHash(tokenHash);
      if (!registry || registry.revokedAt) {
        throw new HoistError('webhook_not_found', UNKNOWN_REGISTRY_MESSAGE);
      }
      // Only for a known endpoint: a body sent to any other URL costs nothing to read.
      const payload = parsePayload({
        contentType: call.contentType,
        body: call.body,
        headers: call.headers,
      });
      const record: RegistryCall = {
        id: newRecordId(),
        registryId: registry.id,
        receivedAt: isoNow(clock),
        remoteAddress: call.remoteAddress,
        deliveryKey: payload.deliveryKey,
        pushed: payload.pushes.map(describePush),
        outcome: 'accepted',
        reason: null,
        actionIds: [],
      };
      if (payload.deliveryKey) {
        const first = await tx.findRegistryCallByKey(registry.id, payload.deliveryKey);
        if (first) {
          await tx.insertRegistryCall({
            ...record,
            deliveryKey: null,
            outcome: 'duplicate',
            reason: `a repeat of the call received at ${first.receivedAt}`,
          });
          const actions: Action[] = [];
          for (const id of first.actionIds) {
            const action = await tx.getAction(id);
            if (action) actions.push(action);
          }
          return { kind: 'duplicate', actions };
        }
      }
      if (payload.pushes.length === 0) {
        const reason =
          payload.kind === 'plain'
            ? 'not a registry notification: a registry endpoint acts only on reported pushes'
            : noPushReason(payload);
        await tx.insertRegistryCall({ ...record, outcome: 'ignored', reason });
        return { kind: 'ignored', reason };
      }
      const services = await tx.listAutoredeployServices(this.deps.engineId);
      const actions: Action[] = [];
      for (const service of services) {
        const verdict = judgePush(service, payload);
        if ('ignore' in verdict) continue;
        const enqueued = await enqueueRedeploy(tx, clock, {
          serviceId: service.id,
          trigger: { kind: 'registry', registryId: registry.id, registryName: registry.name },
          options: {
            reuseVolumes: true,
            ...(verdict.expectedDigest ? { expectedDigest: verdict.expectedDigest } : {}),
          },
        });
        actions.push(enqueued.action);
        if (!enqueued.coalesced) created.push(enqueued.action);
      }
      if (actions.length === 0) {
        const reason = `no service with autoredeploy on runs ${record.pushed.join(', ')} (or it runs that digest already)`;
        await tx.insertRegistryCall({ ...record, outcome: 'ignored', reason });
        return { kind: 'ignored', reason };
      }
      await tx.insertRegistryCall({ ...record, actionIds: actions.map((a) => a.id) });
      return { kind: 'accepted', actions };
    });
    for (const action of created) this.deps.onEnqueued(action);
    return outcome;
  }
}
