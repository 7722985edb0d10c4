/**
 * The shapes the CLI reads from the HTTP API (see /api/docs), derived from the
 * API's own schemas (src/http/api-types.ts). Type-only, but for the lists of
 * action states, roles and scopes, which come from the modules that hold them
 * and import nothing: the CLI's JS loads nothing else of the server.
 */
import type { Service as WireService } from '../http/api-types.js';

export type {
  AcceptedSignatures,
  Action,
  ActionLogEntry,
  ActionState,
  ActionWithLog,
  ApiToken,
  AuditEvent,
  CreatedToken,
  CreatedUser,
  CreatedWebhook,
  CreateServiceRequest,
  CreateTokenRequest,
  CreateUserRequest,
  CreateWebhookRequest,
  Engine,
  Enqueued,
  Me,
  PasswordChangeRequest,
  Role,
  Scope,
  ServiceSettings,
  SignInRequest,
  UpdateUserRequest,
  User,
  Webhook,
  WebhookOperation,
} from '../http/api-types.js';

/**
 * A service as the CLI reads it. The CLI may talk to a server older than
 * itself, and those did not send createdByHoist, swarm, self or
 * allowSelfRedeploy: `hoist service show` leaves out what is missing.
 */
export type Service = Omit<
  WireService,
  'createdByHoist' | 'swarm' | 'self' | 'allowSelfRedeploy'
> & {
  createdByHoist?: WireService['createdByHoist'];
  swarm?: WireService['swarm'];
  self?: WireService['self'];
  allowSelfRedeploy?: WireService['allowSelfRedeploy'];
};

export { ROLES, SCOPES } from '../domain/auth/access.js';
export { ACTION_STATES, ENDED_STATES } from '../domain/actions/action-state.js';
export { MAX_PAGE_LIMIT } from '../domain/paging.js';
export { SIGNATURE_SCHEMES } from '../domain/webhooks/webhook.js';
