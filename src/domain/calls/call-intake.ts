/**
 * The public call path, one pipeline for every kind of secret URL: look the
 * token up, read the payload, refuse, drop repeats, decide, enqueue, record.
 * What differs per kind lives in its CallEndpoint (hook-endpoint.ts,
 * registry-endpoint.ts).
 *
 * It only touches the store: the call is recorded and its actions enqueued in
 * one transaction of the CallStore (one commit for a group of calls), and the
 * worker is woken afterwards. Nothing here talks to Docker: a payload is
 * matched against the image and digest the store last saw each service run.
 */
import type { Clock } from '../clock.js';
import { isoNow } from '../clock.js';
import type { HoistError } from '../errors.js';
import type { Enqueued } from '../actions/action-queue.js';
import type { Action } from '../actions/action.js';
import { judgePush, noPushReason } from '../payloads/match-push.js';
import { parsePayload } from '../payloads/parse-payload.js';
import type { CallResultName, Metrics } from '../ports/metrics.js';
import type { CallStore, CallTx } from '../ports/store.js';
import type { HoistItself } from '../services/hoist-itself.js';
import { hashSecretToken } from '../secret-token.js';
import type { CallEndpoint, CallKind, CallResult, TakenCall } from './call-endpoint.js';
import { HookEndpoint, type HookOutcome } from './hook-endpoint.js';
import type { IncomingCall } from './incoming-call.js';
import { RegistryEndpoint, type RegistryOutcome } from './registry-endpoint.js';

// Routes tell an unknown token by its code; it is defined with the endpoints that raise it.
export { UNKNOWN_TOKEN_CODE } from './call-endpoint.js';

export interface CallOutcomes {
  hook: HookOutcome;
  registry: RegistryOutcome;
}

type Answered<Outcome> = { result: CallResultName } & (
  { outcome: Outcome; enqueued: Enqueued[] } | { refused: HoistError }
);

export class CallIntake {
  readonly #endpoints: { [K in CallKind]: CallEndpoint<unknown, CallOutcomes[K]> };

  constructor(
    private readonly deps: {
      store: CallStore;
      clock: Clock;
      /** The engine whose autoredeploy services registry endpoints redeploy. */
      engineId: string;
      /** Calls never act on Hoist's own service unless it allows them. */
      itself: HoistItself;
      onEnqueued: (action: Action) => void;
      metrics?: Metrics;
    },
  ) {
    this.#endpoints = {
      hook: new HookEndpoint(deps.clock) as CallEndpoint<unknown, HookOutcome>,
      registry: new RegistryEndpoint(deps.engineId) as CallEndpoint<unknown, RegistryOutcome>,
    };
  }

  /**
   * `count` is the N of `POST /hooks/{token}/N`: how many replicas a SCALEUP
   * handler adds (default 1, at most the handler's maxScale).
   */
  async receive<K extends CallKind>(
    kind: K,
    token: string,
    call: IncomingCall,
    count?: string,
  ): Promise<CallOutcomes[K]> {
    const endpoint = this.#endpoints[kind] as CallEndpoint<unknown, CallOutcomes[K]>;
    const tokenHash = hashSecretToken(token);
    // One transaction from the token look-up to the record: an endpoint revoked meanwhile
    // cannot slip a call in, and the store may commit many calls at once.
    const answered = await this.deps.store.transaction((tx) =>
      this.#take(endpoint, tx, tokenHash, call, count),
    );
    // Counted once committed: a call whose transaction failed (503) left no trace to count.
    this.deps.metrics?.callTaken(kind, answered.result);
    if ('refused' in answered) throw answered.refused;
    for (const { action, coalesced } of answered.enqueued) {
      if (!coalesced) this.deps.onEnqueued(action);
    }
    return answered.outcome;
  }

  /** The call's whole decision, inside the caller's transaction; a refusal is recorded, then returned. */
  async #take<Target, Outcome>(
    endpoint: CallEndpoint<Target, Outcome>,
    tx: CallTx,
    tokenHash: string,
    call: IncomingCall,
    count: string | undefined,
  ): Promise<Answered<Outcome>> {
    const target = await endpoint.find(tx, tokenHash);
    if (target === null) return { refused: endpoint.unknown, result: 'unknown_token' };
    // Only now: a body sent to a URL that is no endpoint's costs nothing to read (1 MiB of
    // JSON is milliseconds of CPU).
    const payload = parsePayload({
      contentType: call.contentType,
      body: call.body,
      headers: call.headers,
    });
    const taken: TakenCall<Target> = {
      target,
      call,
      payload,
      receivedAt: isoNow(this.deps.clock),
      count,
    };
    const result = await this.#decide(endpoint, tx, taken);
    await endpoint.record(tx, taken, result);
    if (result.kind === 'refused') return { refused: result.error, result: 'refused' };
    const enqueued = result.kind === 'enqueued' ? result.enqueued : [];
    return { outcome: endpoint.answer(result), enqueued, result: resultName(result) };
  }

  async #decide<Target, Outcome>(
    endpoint: CallEndpoint<Target, Outcome>,
    tx: CallTx,
    taken: TakenCall<Target>,
  ): Promise<CallResult> {
    const { target, payload } = taken;
    const refusal = endpoint.refusal(taken, this.deps.clock);
    if (refusal) return { kind: 'refused', ...refusal };

    if (payload.deliveryKey) {
      const first = await endpoint.findFirst(tx, target, payload.deliveryKey);
      if (first) {
        const actions: Action[] = [];
        for (const id of first.actionIds) {
          const action = await tx.getAction(id);
          if (action) actions.push(action);
        }
        return { kind: 'duplicate', actions, firstReceivedAt: first.receivedAt };
      }
    }

    const matches = endpoint.matchesPushes(target);
    if (payload.kind === 'plain') {
      const reason = endpoint.plainReason(target);
      if (reason !== null) return { kind: 'ignored', reason };
    } else if (matches && payload.pushes.length === 0) {
      return { kind: 'ignored', reason: noPushReason(payload) };
    }

    const enqueued: Enqueued[] = [];
    const passedOver: string[] = [];
    let selfRefusal: string | null = null;
    for (const service of await endpoint.services(tx, taken)) {
      const verdict =
        matches && service.running ? judgePush(service.running, payload) : { expectedDigest: null };
      if ('ignore' in verdict) {
        passedOver.push(verdict.ignore);
        continue;
      }
      const refusal = await this.deps.itself.refusal(tx, service.id, 'redeploying or scaling');
      if (refusal) {
        selfRefusal = refusal;
        continue;
      }
      enqueued.push(
        await endpoint.enqueue(tx, this.deps.clock, taken, {
          id: service.id,
          expectedDigest: verdict.expectedDigest,
        }),
      );
    }
    if (enqueued.length === 0) {
      // A call that would have acted on Hoist itself says so, whatever else it passed over.
      return { kind: 'ignored', reason: selfRefusal ?? endpoint.nothingMatched(taken, passedOver) };
    }
    return { kind: 'enqueued', enqueued };
  }
}

/** A call that queued nothing new but joined what was waiting is coalesced; a repeat is ignored. */
function resultName(result: Exclude<CallResult, { kind: 'refused' }>): CallResultName {
  switch (result.kind) {
    case 'enqueued':
      return result.enqueued.every((e) => e.coalesced) ? 'coalesced' : 'accepted';
    case 'ignored':
    case 'duplicate':
      return 'ignored';
  }
}
