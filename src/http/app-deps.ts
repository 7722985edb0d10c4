import type { Actions } from '../domain/actions/actions.js';
import type { Registries } from '../domain/registries/registries.js';
import type { ActionEvents } from '../domain/actions/action-events.js';
import type { ApiTokens } from '../domain/auth/api-tokens.js';
import type { Users } from '../domain/auth/users.js';
import type { AuditTrail } from '../domain/audit/audit-trail.js';
import type { EngineStatus } from '../domain/engines/engine-status.js';
import type { ServiceCatalog } from '../domain/services/service-catalog.js';
import type { ServiceProvisioning } from '../domain/services/service-provisioning.js';
import type { CallIntake } from '../domain/calls/call-intake.js';
import type { WebhookHandlers } from '../domain/webhooks/webhook-handlers.js';
import type { RateLimiter } from '../domain/rate-limiter.js';
import type { FastifyBaseLogger } from 'fastify';
import type { TlsPair } from './tls-certificate.js';

/** What GET /metrics serves: the Prometheus text page, made when it is asked for. */
export interface MetricsPage {
  render(): Promise<{ contentType: string; body: string }>;
}

/** Everything the HTTP layer needs, built by main (or a test) and handed to buildApp. */
export interface AppDeps {
  publicUrl: string;
  logger: FastifyBaseLogger;
  apiTokens: ApiTokens;
  users: Users;
  audit: AuditTrail;
  catalog: ServiceCatalog;
  provisioning: ServiceProvisioning;
  webhooks: WebhookHandlers;
  /** The public call path: handler and registry endpoint calls. */
  intake: CallIntake;
  actions: Actions;
  registries: Registries;
  /** Live news of actions, for GET /api/v1/events. */
  events: ActionEvents;
  engines: () => Promise<EngineStatus[]>;
  /** Throws when the server cannot take calls (store not writable). */
  ready: () => Promise<void>;
  /** Slow clients: headers and body must arrive within this; idle connections close after it. Default 30 s. */
  requestTimeoutMs?: number;
  /** Limits unknown-token answers per client address; a default one when absent. */
  unknownTokenLimiter?: RateLimiter;
  /** GET /metrics, behind `token` when it is set; absent: metrics are off (404). */
  metrics?: { page: MetricsPage; token: string | null };
  /** Serve HTTPS with this certificate (swapped later with the server's setSecureContext). */
  tls?: TlsPair;
}
