/**
 * Rows and domain records, both ways: the Kysely store and the call store
 * read and write the same tables, so they share these mappings.
 */
import type {
  Action,
  ActionOptions,
  ActionState,
  ActionTrigger,
  ActionType,
} from '../../domain/actions/action.js';
import type { ApiToken } from '../../domain/auth/api-token.js';
import { isRole, isScope } from '../../domain/auth/access.js';
import type { User } from '../../domain/auth/user.js';
import type {
  AuditActorKind,
  AuditEvent,
  AuditObjectKind,
} from '../../domain/audit/audit-event.js';
import type { ServiceKind } from '../../domain/ports/engine.js';
import type { ActionPatch } from '../../domain/ports/store.js';
import type { Registry, RegistryCall } from '../../domain/registries/registry.js';
import type { ServiceRecord } from '../../domain/services/service.js';
import type { Delivery, DeliveryOutcome } from '../../domain/webhooks/delivery.js';
import type { CallHandler, Webhook, WebhookOperation } from '../../domain/webhooks/webhook.js';
import type {
  ActionRow,
  ActionUpdate,
  ApiTokenRow,
  UserRow,
  AuditEventRow,
  DeliveryRow,
  RegistryCallRow,
  RegistryRow,
  ServiceRow,
  WebhookRow,
} from './database.js';

export function deliveryRow(delivery: Delivery): DeliveryRow {
  return {
    id: delivery.id,
    webhook_id: delivery.webhookId,
    service_id: delivery.serviceId,
    received_at: delivery.receivedAt,
    remote_address: delivery.remoteAddress,
    user_agent: delivery.userAgent,
    content_type: delivery.contentType,
    payload_kind: delivery.payloadKind,
    outcome: delivery.outcome,
    reason: delivery.reason,
    action_id: delivery.actionId,
    delivery_key: delivery.deliveryKey,
    pushed: delivery.pushed,
    digest: delivery.digest,
    callback_url: delivery.callbackUrl,
    callback_result: delivery.callbackResult,
  };
}

export function actionRow(action: Action): ActionRow {
  return {
    id: action.id,
    service_id: action.serviceId,
    type: action.type,
    state: action.state,
    trigger: JSON.stringify(action.trigger),
    options: JSON.stringify(action.options),
    image_ref: action.imageRef,
    digest_before: action.digestBefore,
    digest_after: action.digestAfter,
    created_at: action.createdAt,
    started_at: action.startedAt,
    ended_at: action.endedAt,
    reason: action.reason,
    attempts: action.attempts,
    progress: encodeProgress(action.progress),
  };
}

export function toService(row: ServiceRow): ServiceRecord {
  return {
    id: row.id,
    engineId: row.engine_id,
    kind: row.kind as ServiceKind,
    key: row.key,
    name: row.name,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    imageRef: row.image_ref,
    digest: row.digest,
    autoredeploy: Number(row.autoredeploy) === 1,
    allowSelfRedeploy: Number(row.allow_self_redeploy) === 1,
  };
}

/** The columns a call reads of its handler (CallHandler), in both stores. */
export const CALL_HANDLER_COLUMNS = [
  'id',
  'service_id',
  'name',
  'operation',
  'max_scale',
  'signature_scheme',
  'pass_body',
  'rate_limit_per_minute',
  'signing_secret',
] as const satisfies ReadonlyArray<keyof WebhookRow>;

export type CallHandlerRow = Pick<WebhookRow, (typeof CALL_HANDLER_COLUMNS)[number]>;

export function toCallHandler(row: CallHandlerRow): CallHandler {
  return {
    id: row.id,
    serviceId: row.service_id,
    name: row.name,
    operation: row.operation as WebhookOperation,
    maxScale: Number(row.max_scale),
    signatureScheme: row.signature_scheme === 'standard-webhooks' ? 'standard-webhooks' : 'any',
    passBody: Number(row.pass_body) === 1,
    rateLimitPerMinute:
      row.rate_limit_per_minute === null ? null : Number(row.rate_limit_per_minute),
    signingSecret: row.signing_secret,
  };
}

export function toWebhook(row: WebhookRow): Webhook {
  const { signingSecret, ...handler } = toCallHandler(row);
  return {
    ...handler,
    tokenPrefix: row.token_prefix,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
    lastCalledAt: row.last_called_at,
    callCount: Number(row.call_count),
    signed: signingSecret !== null,
  };
}

export function toDelivery(row: DeliveryRow): Delivery {
  return {
    id: row.id,
    webhookId: row.webhook_id,
    serviceId: row.service_id,
    receivedAt: row.received_at,
    remoteAddress: row.remote_address,
    userAgent: row.user_agent,
    contentType: row.content_type,
    payloadKind: row.payload_kind,
    outcome: row.outcome as DeliveryOutcome,
    reason: row.reason,
    actionId: row.action_id,
    deliveryKey: row.delivery_key,
    pushed: row.pushed,
    digest: row.digest,
    callbackUrl: row.callback_url,
    callbackResult: row.callback_result,
  };
}

export function toRegistry(row: RegistryRow): Registry {
  return {
    id: row.id,
    name: row.name,
    tokenPrefix: row.token_prefix,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  };
}

export function registryCallRow(call: RegistryCall): RegistryCallRow {
  return {
    id: call.id,
    registry_id: call.registryId,
    received_at: call.receivedAt,
    remote_address: call.remoteAddress,
    delivery_key: call.deliveryKey,
    pushed: JSON.stringify(call.pushed),
    outcome: call.outcome,
    reason: call.reason,
    action_ids: JSON.stringify(call.actionIds),
  };
}

export function toRegistryCall(row: RegistryCallRow): RegistryCall {
  return {
    id: row.id,
    registryId: row.registry_id,
    receivedAt: row.received_at,
    remoteAddress: row.remote_address,
    deliveryKey: row.delivery_key,
    pushed: JSON.parse(row.pushed) as string[],
    outcome: row.outcome as RegistryCall['outcome'],
    reason: row.reason,
    actionIds: JSON.parse(row.action_ids) as string[],
  };
}

export function toAction(row: ActionRow): Action {
  return {
    id: row.id,
    serviceId: row.service_id,
    type: row.type as ActionType,
    state: row.state as ActionState,
    trigger: JSON.parse(row.trigger) as ActionTrigger,
    options: JSON.parse(row.options) as ActionOptions,
    imageRef: row.image_ref,
    digestBefore: row.digest_before,
    digestAfter: row.digest_after,
    createdAt: row.created_at,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    reason: row.reason,
    attempts: Number(row.attempts),
    progress: row.progress === null ? null : (JSON.parse(row.progress) as unknown),
  };
}

export function toApiToken(row: ApiTokenRow): ApiToken {
  if (row.user_id === null) throw new Error(`API token ${row.id} has no owner`);
  return {
    id: row.id,
    name: row.name,
    userId: row.user_id,
    scopes: row.scopes.split(',').filter(isScope),
    tokenPrefix: row.token_prefix,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
  };
}

export function toAuditEvent(row: AuditEventRow): AuditEvent {
  return {
    id: row.id,
    at: row.at,
    actor: row.actor,
    actorKind: row.actor_kind as AuditActorKind,
    tokenName: row.token_name,
    address: row.address,
    action: row.action,
    objectKind: row.object_kind as AuditObjectKind | null,
    objectId: row.object_id,
    objectName: row.object_name,
    serviceId: row.service_id,
    detail: row.detail,
  };
}

export function toUser(row: UserRow): User {
  if (!isRole(row.role)) throw new Error(`user ${row.username} has an unknown role ${row.role}`);
  return {
    id: row.id,
    username: row.username,
    role: row.role,
    createdAt: row.created_at,
    passwordSetAt: row.password_set_at,
  };
}

/** null/undefined progress is stored as NULL and read back as null. */
function encodeProgress(progress: unknown): string | null {
  if (progress === undefined || progress === null) return null;
  return JSON.stringify(progress);
}

/** Only the keys present (and not undefined) in the patch are written. */
export function toActionUpdate(patch: ActionPatch): ActionUpdate {
  const set: ActionUpdate = {};
  if (patch.state !== undefined) set.state = patch.state;
  if (patch.imageRef !== undefined) set.image_ref = patch.imageRef;
  if (patch.digestBefore !== undefined) set.digest_before = patch.digestBefore;
  if (patch.digestAfter !== undefined) set.digest_after = patch.digestAfter;
  if (patch.startedAt !== undefined) set.started_at = patch.startedAt;
  if (patch.endedAt !== undefined) set.ended_at = patch.endedAt;
  if (patch.reason !== undefined) set.reason = patch.reason;
  if (patch.attempts !== undefined) set.attempts = patch.attempts;
  if (patch.options !== undefined) set.options = JSON.stringify(patch.options);
  if ('progress' in patch && patch.progress !== undefined) {
    set.progress = encodeProgress(patch.progress);
  }
  return set;
}
