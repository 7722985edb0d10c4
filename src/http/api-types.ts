/**
 * The API's wire types, derived from the typebox schemas that define the API
 * (src/http/schemas): the one place the CLI (src/cli/api-types.ts) and the web
 * UI (web/src/api/types.ts) take them from, so a field added to a schema
 * reaches both clients.
 *
 * Type-only on purpose: this module holds nothing but `import type` and
 * `export type`, so it is erased from the CLI's JS and from the web bundle, and
 * neither loads anything of the server.
 */
import type { Static } from 'typebox';
import type {
  Action as ActionSchema,
  ActionRef as ActionRefSchema,
  ActionStateSchema,
  ActionWithLog as ActionWithLogSchema,
  Enqueued as EnqueuedSchema,
} from './schemas/action-schema.js';
import type {
  ApiToken as ApiTokenSchema,
  CreatedToken as CreatedTokenSchema,
  CreateTokenBody,
  ScopeSchema,
} from './schemas/api-token-schema.js';
import type { Delivery as DeliverySchema } from './schemas/delivery-schema.js';
import type { EngineStatus } from './schemas/engine-schema.js';
import type { AuditEvent as AuditEventSchema } from './schemas/audit-schema.js';
import type {
  Container as ContainerSchema,
  CreateServiceBody,
  Service as ServiceSchema,
  ServiceSettingsBody,
} from './schemas/service-schema.js';
import type {
  CreatedUser as CreatedUserSchema,
  CreateUserBody,
  Me as MeSchema,
  PasswordChangeBody,
  RoleSchema,
  SignInBody,
  UpdateUserBody,
  User as UserSchema,
} from './schemas/user-schema.js';
import type {
  CreatedWebhook as CreatedWebhookSchema,
  CreateWebhookBody,
  Webhook as WebhookSchema,
} from './schemas/webhook-schema.js';

// Actions

export type ActionState = Static<typeof ActionStateSchema>;
export type Action = Static<typeof ActionSchema>;
export type ActionWithLog = Static<typeof ActionWithLogSchema>;
export type ActionLogEntry = ActionWithLog['log'][number];
export type ActionRef = Static<typeof ActionRefSchema>;
/** 202 from a redeploy or scale: the action queued, or the one the call joined. */
export type Enqueued = Static<typeof EnqueuedSchema>;

// Services

export type Service = Static<typeof ServiceSchema>;
export type Container = Static<typeof ContainerSchema>;
export type SwarmTask = NonNullable<Service['swarm']>['tasks'][number];
/** The body of POST /api/v1/services. */
export type CreateServiceRequest = Static<typeof CreateServiceBody>;
/** The body of PATCH /api/v1/services/{id}. */
export type ServiceSettings = Static<typeof ServiceSettingsBody>;

// Webhook handlers and their deliveries

export type Webhook = Static<typeof WebhookSchema>;
export type WebhookOperation = Webhook['operation'];
export type AcceptedSignatures = Webhook['signatureScheme'];
/** The body of POST /api/v1/services/{id}/webhooks. */
export type CreateWebhookRequest = Static<typeof CreateWebhookBody>;
export type CreatedWebhook = Static<typeof CreatedWebhookSchema>;
/** One call of a handler URL and what came of it. */
export type Delivery = Static<typeof DeliverySchema>;

// Engines

/** GET /api/v1/engines: an engine and whether it answers. */
export type Engine = Static<typeof EngineStatus>;

// The audit log

/** One event of GET /api/v1/audit. */
export type AuditEvent = Static<typeof AuditEventSchema>;

// Users and API tokens

export type Role = Static<typeof RoleSchema>;
export type User = Static<typeof UserSchema>;
/** GET /api/v1/me: the caller's user, the token it called with, and what that token may do. */
export type Me = Static<typeof MeSchema>;
/** The body of POST /api/v1/sign-in; it answers `{user, token}`. */
export type SignInRequest = Static<typeof SignInBody>;
/** The body of POST /api/v1/me/password. */
export type PasswordChangeRequest = Static<typeof PasswordChangeBody>;
/** The body of POST /api/v1/users. */
export type CreateUserRequest = Static<typeof CreateUserBody>;
/** 201 from POST /api/v1/users: the user, and the generated password (shown once) or null. */
export type CreatedUser = Static<typeof CreatedUserSchema>;
/** The body of PATCH /api/v1/users/{id}. */
export type UpdateUserRequest = Static<typeof UpdateUserBody>;

export type Scope = Static<typeof ScopeSchema>;
/** An API token as listed: never the token itself. */
export type ApiToken = Static<typeof ApiTokenSchema>;
/** The body of POST /api/v1/tokens. */
export type CreateTokenRequest = Static<typeof CreateTokenBody>;
/** 201 from POST /api/v1/tokens: the token's record and the token itself, shown once. */
export type CreatedToken = Static<typeof CreatedTokenSchema>;
