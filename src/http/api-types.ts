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
import type { Delivery as DeliverySchema } from './schemas/delivery-schema.js';
import type { EngineStatus } from './schemas/engine-schema.js';
import type {
  Container as ContainerSchema,
  CreateServiceBody,
  Service as ServiceSchema,
  ServiceSettingsBody,
} from './schemas/service-schema.js';
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
