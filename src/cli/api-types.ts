/**
 * The shapes the CLI reads from the HTTP API (see /api/docs), derived from the
 * API's own schemas (src/http/api-types.ts). Type-only: the CLI's JS loads
 * nothing of the server, and only the two lists below are its own.
 */
import type { ActionState, Service as WireService } from '../http/api-types.js';

export type {
  Action,
  ActionLogEntry,
  ActionState,
  ActionWithLog,
  CreatedWebhook,
  CreateServiceRequest,
  CreateWebhookRequest,
  Engine,
  Enqueued,
  Webhook,
  WebhookOperation,
} from '../http/api-types.js';

/**
 * A service as the CLI reads it. The CLI may talk to a server older than
 * itself, and those did not send createdByHoist or swarm: `hoist service
 * show` leaves out what is missing.
 */
export type Service = Omit<WireService, 'createdByHoist' | 'swarm'> & {
  createdByHoist?: WireService['createdByHoist'];
  swarm?: WireService['swarm'];
};

export const ACTION_STATES: readonly ActionState[] = [
  'Pending',
  'In progress',
  'Success',
  'Failed',
  'Canceled',
];

export const ENDED_STATES: readonly ActionState[] = ['Success', 'Failed', 'Canceled'];
