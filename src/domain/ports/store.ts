/**
 * The store port: persistence the domain needs, in the domain's words. The
 * Kysely adapter implements it on SQLite, the only database Hoist runs on.
 * Times are ISO-8601 UTC strings; ids are UUIDs made by the caller.
 */
import type { Action, ActionLogEntry, ActionState } from '../actions/action.js';
import type { Role } from '../auth/access.js';
import type { ApiToken } from '../auth/api-token.js';
import type { AuditEvent, AuditFilter } from '../audit/audit-event.js';
import type { User } from '../auth/user.js';
import type { ServiceKind } from './engine.js';
import type { ServiceRecord } from '../services/service.js';
import type { Delivery } from '../webhooks/delivery.js';
import type { CallHandler, Webhook, WebhookWithHash } from '../webhooks/webhook.js';
import type { Registry, RegistryCall } from '../registries/registry.js';
import type { Position } from '../paging.js';

export interface ActionFilter {
  serviceId?: string;
  state?: ActionState;
  limit?: number;
  /** Only actions after this position, newest first (paging.ts). */
  before?: Position;
}

export type ActionPatch = Partial<
  Pick<
    Action,
    | 'state'
    | 'imageRef'
    | 'digestBefore'
    | 'digestAfter'
    | 'startedAt'
    | 'endedAt'
    | 'reason'
    | 'attempts'
    | 'progress'
    | 'options'
  >
>;

export interface Store {
  /**
   * Runs fn in one transaction: everything it writes lands, or nothing does.
   * Transactions are serialized, so a read-then-write inside fn is atomic.
   */
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T>;

  /** Finds the record for an engine's grouping, creating it (with `id`) the first time it is seen. */
  upsertService(input: {
    id: string;
    engineId: string;
    kind: ServiceKind;
    key: string;
    name: string;
    seenAt: string;
    /** What the engine shows now; undefined leaves the stored values as they are. */
    imageRef?: string | null;
    digest?: string | null;
  }): Promise<ServiceRecord>;
  updateServiceImage(id: string, imageRef: string | null, digest: string | null): Promise<void>;
  /** Writes the settings present, in one update (a PATCH changes both or neither). */
  updateServiceSettings(
    id: string,
    settings: Partial<{ autoredeploy: boolean; allowSelfRedeploy: boolean }>,
  ): Promise<void>;
  listAutoredeployServices(engineId: string): Promise<ServiceRecord[]>;
  getService(id: string): Promise<ServiceRecord | null>;
  listServices(engineId: string): Promise<ServiceRecord[]>;

  insertWebhook(webhook: WebhookWithHash): Promise<void>;
  getWebhook(id: string): Promise<Webhook | null>;
  listWebhooks(serviceId: string): Promise<Webhook[]>;
  /** Active (not revoked) handler with this name in this service, if any. */
  findActiveWebhookByName(serviceId: string, name: string): Promise<Webhook | null>;
  /**
   * The handler a call names, or null when its token is unknown or revoked. The query
   * leaves revoked handlers out, so both come back alike (no row, no mapping) and take the
   * same time: a caller cannot tell a revoked URL from one that never existed.
   */
  findActiveWebhookByTokenHash(tokenHash: string): Promise<CallHandler | null>;
  revokeWebhook(id: string, at: string): Promise<void>;
  markWebhookCalled(id: string, at: string): Promise<void>;

  insertDelivery(delivery: Delivery): Promise<void>;
  /** Newest first by (receivedAt, id); with `before`, only those after that position (paging.ts). */
  listDeliveries(webhookId: string, limit: number, before?: Position): Promise<Delivery[]>;
  findDeliveryByKey(webhookId: string, deliveryKey: string): Promise<Delivery | null>;
  /** The action's deliveries that carry a callback URL (Docker Hub's), oldest first. */
  listCallbackDeliveries(actionId: string): Promise<Delivery[]>;
  setDeliveryCallbackResult(id: string, result: string): Promise<void>;
  /** Deletes deliveries (and registry calls) received before `before`; returns how many. */
  pruneDeliveries(before: string): Promise<number>;

  insertRegistry(registry: Registry & { tokenHash: string }): Promise<void>;
  listRegistries(): Promise<Registry[]>;
  getRegistry(id: string): Promise<Registry | null>;
  /** As findActiveWebhookByTokenHash: revoked endpoints are left out by the query. */
  findActiveRegistryByTokenHash(tokenHash: string): Promise<Registry | null>;
  revokeRegistry(id: string, at: string): Promise<void>;
  insertRegistryCall(call: RegistryCall): Promise<void>;
  findRegistryCallByKey(registryId: string, deliveryKey: string): Promise<RegistryCall | null>;
  /** Newest first by (receivedAt, id); with `before`, only those after that position (paging.ts). */
  listRegistryCalls(registryId: string, limit: number, before?: Position): Promise<RegistryCall[]>;

  insertAction(action: Action): Promise<void>;
  getAction(id: string): Promise<Action | null>;
  /** Newest first by (createdAt, id). */
  listActions(filter: ActionFilter): Promise<Action[]>;
  findPendingAction(serviceId: string, type: Action['type']): Promise<Action | null>;
  countActions(state: ActionState): Promise<number>;
  /** Per service, when its newest successful redeploy ended. */
  listLastSuccessfulRedeploys(): Promise<
    { service: { id: string; name: string }; endedAt: string }[]
  >;
  updateAction(id: string, patch: ActionPatch): Promise<void>;
  /**
   * Moves the oldest Pending action whose service has nothing In progress to
   * In progress (attempts + 1, startedAt = at) and returns it; null when none.
   */
  claimNextAction(at: string): Promise<Action | null>;
  appendActionLog(actionId: string, at: string, message: string): Promise<void>;
  getActionLog(actionId: string): Promise<ActionLogEntry[]>;

  insertApiToken(token: ApiToken & { tokenHash: string }): Promise<void>;
  findApiTokenByHash(tokenHash: string): Promise<ApiToken | null>;
  getApiToken(id: string): Promise<ApiToken | null>;
  markApiTokenUsed(id: string, at: string): Promise<void>;
  /** Oldest first; one user's, or everyone's. */
  listApiTokens(userId?: string): Promise<ApiToken[]>;
  deleteApiToken(id: string): Promise<void>;

  insertUser(user: User & { passwordHash: string | null }): Promise<void>;
  getUser(id: string): Promise<User | null>;
  /** The user and their password hash (null when they have none), for signing in. */
  findUserByUsername(username: string): Promise<{ user: User; passwordHash: string | null } | null>;
  /** Oldest first. */
  listUsers(): Promise<User[]>;
  updateUser(
    id: string,
    patch: { role?: Role; passwordHash?: string; passwordSetAt?: string },
  ): Promise<void>;
  /** Removes the user and their tokens. */
  deleteUser(id: string): Promise<void>;

  insertAuditEvent(event: AuditEvent): Promise<void>;
  /** Newest first by (at, id). */
  listAuditEvents(filter: AuditFilter): Promise<AuditEvent[]>;
  /** Deletes events before `before`; returns how many. */
  pruneAuditEvents(before: string): Promise<number>;

  close(): Promise<void>;
}

/** What enqueuing an action needs (the coalescing rule in action-queue.ts runs on it). */
export type ActionQueueStore = Pick<
  Store,
  'findPendingAction' | 'insertAction' | 'appendActionLog' | 'updateAction'
>;

/**
 * What taking a call of a secret URL (a handler's or a registry endpoint's)
 * does inside its transaction: the part of the store CallIntake uses.
 */
export interface CallTx
  extends
    ActionQueueStore,
    Pick<
      Store,
      | 'findActiveWebhookByTokenHash'
      | 'findDeliveryByKey'
      | 'getAction'
      | 'getService'
      | 'insertDelivery'
      | 'markWebhookCalled'
      | 'findActiveRegistryByTokenHash'
      | 'findRegistryCallByKey'
      | 'insertRegistryCall'
      | 'listAutoredeployServices'
    > {}

/**
 * Where the public call path runs its transactions. It is its own port so the
 * adapter can serve the call path on a faster road than the rest of the store
 * (SqliteCallStore: prepared statements, one commit for a group of calls).
 * Every Store is a CallStore.
 */
export interface CallStore {
  /** Runs fn in one transaction: everything it writes lands, or nothing does. */
  transaction<T>(fn: (tx: CallTx) => Promise<T>): Promise<T>;
}
