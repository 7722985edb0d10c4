/**
 * What differs between the kinds of secret URL (handlers, registry
 * endpoints): how a token names its endpoint, what a call must pass before it
 * is looked at, which services it may act on, what it queues for each, and how
 * it is recorded. The pipeline in call-intake.ts does the rest, the same way
 * for every kind.
 */
import type { Clock } from '../clock.js';
import type { HoistError } from '../errors.js';
import type { Enqueued } from '../actions/action-queue.js';
import type { Action } from '../actions/action.js';
import type { ParsedPayload } from '../payloads/payload.js';
import type { CallTx } from '../ports/store.js';
import type { IncomingCall } from './incoming-call.js';

export type CallKind = 'hook' | 'registry';

/**
 * The one code an unknown or revoked token raises, whatever its kind; the
 * message is the endpoint kind's own.
 */
export const UNKNOWN_TOKEN_CODE = 'webhook_not_found';

/** The call being taken, once its endpoint is known and its payload read. */
export interface TakenCall<Target> {
  target: Target;
  call: IncomingCall;
  payload: ParsedPayload;
  receivedAt: string;
  /** The N of `POST /hooks/{token}/N`, when the URL had one. */
  count: string | undefined;
}

/** What came of a call, in the pipeline's words: each endpoint records and answers it in its own. */
export type CallResult =
  | { kind: 'enqueued'; enqueued: Enqueued[] }
  | { kind: 'ignored'; reason: string }
  | { kind: 'duplicate'; actions: Action[]; firstReceivedAt: string }
  | { kind: 'refused'; reason: string; error: HoistError };

/** A service a call may act on; `running` when the payload is to be matched against its image. */
export interface CallService {
  id: string;
  running: { imageRef: string | null; digest: string | null } | null;
}

export interface CallEndpoint<Target, Outcome> {
  /**
   * The answer to an unknown or revoked token: the same for both, made once so a
   * flood of unknown tokens creates no error (nor stack trace) per call.
   */
  readonly unknown: HoistError;
  /**
   * The active endpoint a token names. Revoked ones are left out by the query,
   * so revoked and unknown tokens take the same road and the same time.
   */
  find(tx: CallTx, tokenHash: string): Promise<Target | null>;
  /** Why the call is refused before anything else is looked at (signature, count, rate limit). */
  refusal(taken: TakenCall<Target>, clock: Clock): { reason: string; error: HoistError } | null;
  /** The first call that carried this delivery key, if any. */
  findFirst(
    tx: CallTx,
    target: Target,
    deliveryKey: string,
  ): Promise<{ receivedAt: string; actionIds: string[] } | null>;
  /** Why a payload that names no image is ignored; null when it is a trigger. */
  plainReason(target: Target): string | null;
  /** Whether payloads that report pushes are matched against the services' images. */
  matchesPushes(target: Target): boolean;
  services(tx: CallTx, taken: TakenCall<Target>): Promise<CallService[]>;
  /** Why nothing was queued, given why each service was passed over. */
  nothingMatched(taken: TakenCall<Target>, reasons: string[]): string;
  enqueue(
    tx: CallTx,
    clock: Clock,
    taken: TakenCall<Target>,
    service: { id: string; expectedDigest: string | null },
  ): Promise<Enqueued>;
  record(tx: CallTx, taken: TakenCall<Target>, result: CallResult): Promise<void>;
  answer(result: Exclude<CallResult, { kind: 'refused' }>): Outcome;
}
