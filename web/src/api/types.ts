/**
 * The shapes the UI reads from the HTTP API (served at /api/docs/json),
 * derived from the API's own schemas (src/http/api-types.ts). Type-only: the
 * import is erased, so the bundle holds nothing of the server; only the two
 * lists below are the UI's own.
 */
import type { ActionState } from '../../../src/http/api-types';

export type {
  Action,
  ActionLogEntry,
  ActionState,
  ActionWithLog,
  CreatedWebhook,
  CreateWebhookRequest,
  Delivery,
  Engine,
  Enqueued,
  Service,
  SwarmTask,
  Webhook,
  WebhookOperation,
} from '../../../src/http/api-types';

export const ACTION_STATES: readonly ActionState[] = [
  'Pending',
  'In progress',
  'Success',
  'Failed',
  'Canceled',
];

export const ENDED_STATES: readonly ActionState[] = ['Success', 'Failed', 'Canceled'];
