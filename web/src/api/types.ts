/**
 * The shapes the UI reads from the HTTP API (served at /api/docs/json),
 * derived from the API's own schemas (src/http/api-types.ts). Type-only: the
 * import is erased, so the bundle holds nothing of the server but the lists of
 * action states, from the one module that holds them and imports nothing.
 */

export type {
  Action,
  ActionLogEntry,
  ActionState,
  ActionWithLog,
  AuditEvent,
  CreatedWebhook,
  CreateWebhookRequest,
  Delivery,
  Engine,
  Enqueued,
  Service,
  ServiceSettings,
  SwarmTask,
  Webhook,
  WebhookOperation,
} from '../../../src/http/api-types';

export { ACTION_STATES, ENDED_STATES } from '../../../src/domain/actions/action-state';
