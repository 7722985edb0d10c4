/**
 * Kysely table types for Hoist's SQLite store: plain text and integer
 * columns, times as ISO-8601 UTC text, JSON as text. Column
 * names are snake_case; the repository maps rows to the camelCase domain types.
 */
import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export interface ServicesTable {
  id: string;
  engine_id: string;
  kind: string;
  key: string;
  name: string;
  created_at: string;
  last_seen_at: string;
  /** The image reference and digest last seen on the engine (payloads are matched against them). */
  image_ref: string | null;
  digest: string | null;
  autoredeploy: Generated<number>;
  /** Hoist's own service only: its protection lifted (migration 0009). */
  allow_self_redeploy: Generated<number>;
}

export interface WebhooksTable {
  id: string;
  service_id: string;
  name: string;
  operation: string;
  token_prefix: string;
  token_hash: string;
  created_at: string;
  revoked_at: string | null;
  last_called_at: string | null;
  call_count: number;
  max_scale: Generated<number>;
  /** Kept in clear: an HMAC check needs it. Never listed. */
  signing_secret: string | null;
  pass_body: Generated<number>;
  /** NULL: no limit (migration 0004). */
  rate_limit_per_minute: number | null;
  /** 'any' or 'standard-webhooks' (migration 0008). */
  signature_scheme: Generated<string>;
}

export interface DeliveriesTable {
  id: string;
  webhook_id: string;
  service_id: string;
  received_at: string;
  remote_address: string | null;
  user_agent: string | null;
  content_type: string | null;
  payload_kind: string;
  outcome: string;
  reason: string | null;
  action_id: string | null;
  delivery_key: string | null;
  pushed: string | null;
  digest: string | null;
  callback_url: string | null;
  callback_result: string | null;
}

/**
 * Calls counted on a handler since the last fold into webhooks.call_count and
 * last_called_at (migration 0006; see webhook-calls.ts). No index: rows are
 * only appended, summed and deleted.
 */
export interface WebhookCallsTable {
  webhook_id: string;
  at: string;
}

export interface RegistriesTable {
  id: string;
  name: string;
  token_prefix: string;
  token_hash: string;
  created_at: string;
  revoked_at: string | null;
}

export interface RegistryCallsTable {
  id: string;
  registry_id: string;
  received_at: string;
  remote_address: string | null;
  delivery_key: string | null;
  /** JSON list of "host/path:tag" pushed. */
  pushed: string;
  outcome: string;
  reason: string | null;
  /** JSON list of the action ids it started or joined. */
  action_ids: string;
}

export interface ActionsTable {
  id: string;
  service_id: string;
  type: string;
  state: string;
  /** JSON text of an ActionTrigger. */
  trigger: string;
  /** JSON text of ActionOptions. */
  options: string;
  image_ref: string | null;
  digest_before: string | null;
  digest_after: string | null;
  created_at: string;
  started_at: string | null;
  ended_at: string | null;
  reason: string | null;
  attempts: number;
  /** JSON text of the runner's journal; NULL when it has none. */
  progress: string | null;
}

export interface ActionLogsTable {
  action_id: string;
  seq: number;
  at: string;
  message: string;
}

export interface ApiTokensTable {
  id: string;
  name: string;
  token_prefix: string;
  token_hash: string;
  created_at: string;
  last_used_at: string | null;
  /** Set for every token since migration 0010 (the column was added to a table with rows). */
  user_id: string | null;
  /** Comma-separated scopes. */
  scopes: string;
  expires_at: string | null;
}

export interface AuditEventsTable {
  id: string;
  at: string;
  actor: string;
  actor_kind: string;
  token_name: string | null;
  address: string | null;
  action: string;
  object_kind: string | null;
  object_id: string | null;
  object_name: string | null;
  service_id: string | null;
  detail: string | null;
}

export interface UsersTable {
  id: string;
  username: string;
  role: string;
  password_hash: string | null;
  password_set_at: string | null;
  created_at: string;
}

export interface Database {
  services: ServicesTable;
  webhooks: WebhooksTable;
  deliveries: DeliveriesTable;
  webhook_calls: WebhookCallsTable;
  actions: ActionsTable;
  action_logs: ActionLogsTable;
  api_tokens: ApiTokensTable;
  users: UsersTable;
  audit_events: AuditEventsTable;
  registries: RegistriesTable;
  registry_calls: RegistryCallsTable;
}

export type ServiceRow = Selectable<ServicesTable>;
export type WebhookRow = Selectable<WebhooksTable>;
export type DeliveryRow = Selectable<DeliveriesTable>;
export type ActionRow = Selectable<ActionsTable>;
export type NewActionRow = Insertable<ActionsTable>;
export type ActionUpdate = Updateable<ActionsTable>;
export type ActionLogRow = Selectable<ActionLogsTable>;
export type ApiTokenRow = Selectable<ApiTokensTable>;
export type UserRow = Selectable<UsersTable>;
export type AuditEventRow = Selectable<AuditEventsTable>;
export type RegistryRow = Selectable<RegistriesTable>;
export type RegistryCallRow = Selectable<RegistryCallsTable>;

/** Index and constraint names the adapter refers to (e.g. to recognise a violation). */
export const WEBHOOK_ACTIVE_NAME_INDEX = 'webhooks_service_id_name_active_uq';
export const ACTION_PENDING_TYPE_INDEX = 'actions_service_id_type_pending_uq';
/** Replaces ACTION_PENDING_TYPE_INDEX from migration 0002: only redeploys coalesce; scale actions queue. */
export const ACTION_PENDING_REDEPLOY_INDEX = 'actions_service_id_pending_redeploy_uq';
/** Idempotency: one delivery per sender's delivery key and handler (migration 0003). */
export const DELIVERY_KEY_INDEX = 'deliveries_webhook_id_delivery_key_uq';
/** The deliveries a Docker Hub callback reports to, by action (migration 0005). */
export const DELIVERY_CALLBACK_INDEX = 'deliveries_action_id_callback_idx';
/** Deliveries by time, then handler: pruning, and a handler's latest deliveries (migration 0006). */
export const DELIVERY_TIME_INDEX = 'deliveries_received_at_webhook_id_idx';
