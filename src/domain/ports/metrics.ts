/**
 * The metrics port: what the domain tells an operator's monitoring as it
 * happens. The call intake counts calls, the action worker counts and times
 * actions and notes each service's last successful redeploy. Every label
 * value comes from a fixed list or is a service (bounded by the number of
 * services); nothing here ever carries a token or a payload.
 */
import type { ActionState, ActionType } from '../actions/action.js';
import type { CallKind } from '../calls/call-endpoint.js';

/**
 * What came of a call of a secret URL: queued a new action, joined one
 * waiting (coalesced), ignored (another image, a repeat, nothing to do),
 * refused (signature, count, rate limit), or its token named no endpoint
 * (unknown or revoked).
 */
export const CALL_RESULTS = [
  'accepted',
  'coalesced',
  'ignored',
  'refused',
  'unknown_token',
] as const;

export type CallResultName = (typeof CALL_RESULTS)[number];

export interface Metrics {
  /** One call taken, once what it wrote has committed. */
  callTaken(kind: CallKind, result: CallResultName): void;
  /** An action reached its final state after running this long. */
  actionEnded(type: ActionType, state: ActionState, seconds: number): void;
  /** The last redeploy of this service that succeeded ended at `at` (ISO-8601). */
  redeploySucceeded(service: { id: string; name: string }, at: string): void;
}
