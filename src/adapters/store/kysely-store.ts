/**
 * The Store port on Kysely over SQLite.
 *
 * A KyselyStore built on a Kysely `Transaction` is the `tx` that
 * `transaction(fn)` hands to fn: the same class, bound to the transaction.
 */
import { sql } from 'kysely';
import type { Kysely, Updateable } from 'kysely';
import type { Action, ActionLogEntry, ActionState } from '../../domain/actions/action.js';
import type { Role } from '../../domain/auth/access.js';
import type { ApiToken } from '../../domain/auth/api-token.js';
import type { User } from '../../domain/auth/user.js';
import type { AuditEvent, AuditFilter } from '../../domain/audit/audit-event.js';
import { HoistError } from '../../domain/errors.js';
import type { ServiceKind } from '../../domain/ports/engine.js';
import type { Position } from '../../domain/paging.js';
import type { ActionFilter, ActionPatch, Store } from '../../domain/ports/store.js';
import type { ServiceRecord } from '../../domain/services/service.js';
import type { Delivery } from '../../domain/webhooks/delivery.js';
import type { CallHandler, Webhook, WebhookWithHash } from '../../domain/webhooks/webhook.js';
import type { Registry, RegistryCall } from '../../domain/registries/registry.js';
import type { Database, UsersTable, WebhookRow } from './database.js';
import {
  CALL_HANDLER_COLUMNS,
  actionRow,
  deliveryRow,
  registryCallRow,
  toAction,
  toActionUpdate,
  toApiToken,
  toUser,
  toAuditEvent,
  toDelivery,
  toRegistry,
  toRegistryCall,
  toCallHandler,
  toService,
  toWebhook,
} from './rows.js';
import { FOLD_AT, FOLD_CALLS_SQL, withUnfoldedCalls, type UnfoldedCalls } from './webhook-calls.js';

const DEFAULT_ACTION_LIMIT = 100;

export class KyselyStore implements Store {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /** Whether this store is bound to a transaction (the `tx` of `transaction`). */
  get inTransaction(): boolean {
    return this.#db.isTransaction;
  }

  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    return this.#atomically(fn);
  }

  async #atomically<T>(fn: (tx: KyselyStore) => Promise<T>): Promise<T> {
    if (this.#db.isTransaction) return fn(this);
    return this.#db.transaction().execute((trx) => fn(new KyselyStore(trx)));
  }

  // --- services -----------------------------------------------------------

  async upsertService(input: {
    id: string;
    engineId: string;
    kind: ServiceKind;
    key: string;
    name: string;
    seenAt: string;
    imageRef?: string | null;
    digest?: string | null;
  }): Promise<ServiceRecord> {
    const seesImage = input.imageRef !== undefined;
    const row = await this.#db
      .insertInto('services')
      .values({
        id: input.id,
        engine_id: input.engineId,
        kind: input.kind,
        key: input.key,
        name: input.name,
        created_at: input.seenAt,
        last_seen_at: input.seenAt,
        image_ref: input.imageRef ?? null,
        digest: input.digest ?? null,
      })
      .onConflict((oc) =>
        oc.columns(['engine_id', 'kind', 'key']).doUpdateSet((eb) => ({
          name: eb.ref('excluded.name'),
          last_seen_at: eb.ref('excluded.last_seen_at'),
          ...(seesImage
            ? { image_ref: eb.ref('excluded.image_ref'), digest: eb.ref('excluded.digest') }
            : {}),
        })),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    return toService(row);
  }

  async getService(id: string): Promise<ServiceRecord | null> {
    const row = await this.#db
      .selectFrom('services')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toService(row) : null;
  }

  async updateServiceImage(
    id: string,
    imageRef: string | null,
    digest: string | null,
  ): Promise<void> {
    await this.#db
      .updateTable('services')
      .set({ image_ref: imageRef, digest })
      .where('id', '=', id)
      .execute();
  }

  async updateServiceSettings(
    id: string,
    settings: Partial<{ autoredeploy: boolean; allowSelfRedeploy: boolean }>,
  ): Promise<void> {
    const { autoredeploy, allowSelfRedeploy } = settings;
    const set = {
      ...(autoredeploy !== undefined && { autoredeploy: autoredeploy ? 1 : 0 }),
      ...(allowSelfRedeploy !== undefined && { allow_self_redeploy: allowSelfRedeploy ? 1 : 0 }),
    };
    // An UPDATE must set something; no setting present leaves the row as it is.
    if (Object.keys(set).length === 0) return;
    await this.#db.updateTable('services').set(set).where('id', '=', id).execute();
  }

  async listAutoredeployServices(engineId: string): Promise<ServiceRecord[]> {
    const rows = await this.#db
      .selectFrom('services')
      .selectAll()
      .where('engine_id', '=', engineId)
      .where('autoredeploy', '=', 1)
      .orderBy('name')
      .execute();
    return rows.map(toService);
  }

  async listServices(engineId: string): Promise<ServiceRecord[]> {
    const rows = await this.#db
      .selectFrom('services')
      .selectAll()
      .where('engine_id', '=', engineId)
      .orderBy('name')
      .orderBy('id')
      .execute();
    return rows.map(toService);
  }

  // --- webhooks -----------------------------------------------------------

  async insertWebhook(webhook: WebhookWithHash): Promise<void> {
    try {
      await this.#db
        .insertInto('webhooks')
        .values({
          id: webhook.id,
          service_id: webhook.serviceId,
          name: webhook.name,
          operation: webhook.operation,
          token_prefix: webhook.tokenPrefix,
          token_hash: webhook.tokenHash,
          created_at: webhook.createdAt,
          revoked_at: webhook.revokedAt,
          last_called_at: webhook.lastCalledAt,
          call_count: webhook.callCount,
          max_scale: webhook.maxScale,
          signing_secret: webhook.signingSecret,
          signature_scheme: webhook.signatureScheme,
          pass_body: webhook.passBody ? 1 : 0,
          rate_limit_per_minute: webhook.rateLimitPerMinute,
        })
        .execute();
    } catch (error) {
      if (isActiveNameViolation(error)) {
        throw new HoistError(
          'webhook_name_taken',
          `The service already has an active webhook handler named "${webhook.name}". Choose another name or revoke that handler first.`,
          { cause: error },
        );
      }
      throw error;
    }
  }

  async getWebhook(id: string): Promise<Webhook | null> {
    const row = await this.#db
      .selectFrom('webhooks')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toWebhook(await this.#withCalls(row)) : null;
  }

  async listWebhooks(serviceId: string): Promise<Webhook[]> {
    const rows = await this.#db
      .selectFrom('webhooks')
      .selectAll()
      .where('service_id', '=', serviceId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    const unfolded = await this.#unfoldedCalls(rows.map((r) => r.id));
    return rows.map((row) => toWebhook(withUnfoldedCalls(row, unfolded)));
  }

  async findActiveWebhookByName(serviceId: string, name: string): Promise<Webhook | null> {
    const row = await this.#db
      .selectFrom('webhooks')
      .selectAll()
      .where('service_id', '=', serviceId)
      .where('name', '=', name)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return row ? toWebhook(await this.#withCalls(row)) : null;
  }

  async findActiveWebhookByTokenHash(tokenHash: string): Promise<CallHandler | null> {
    const row = await this.#db
      .selectFrom('webhooks')
      .select(CALL_HANDLER_COLUMNS)
      .where('token_hash', '=', tokenHash)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return row ? toCallHandler(row) : null;
  }

  async revokeWebhook(id: string, at: string): Promise<void> {
    // Revoking twice keeps the first revocation time.
    await this.#db
      .updateTable('webhooks')
      .set({ revoked_at: at })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .execute();
  }

  /** Appended to the call log, folded into the handler's row now and then (webhook-calls.ts). */
  async markWebhookCalled(id: string, at: string): Promise<void> {
    await this.#atomically(async (tx) => {
      const { insertId } = await tx.#db
        .insertInto('webhook_calls')
        .values({ webhook_id: id, at })
        .executeTakeFirst();
      // SQLite's rowid counts the calls since the last fold (the fold empties the table).
      if (Number(insertId) >= FOLD_AT) {
        for (const statement of FOLD_CALLS_SQL) await sql.raw(statement).execute(tx.#db);
      }
    });
  }

  async #withCalls(row: WebhookRow): Promise<WebhookRow> {
    return withUnfoldedCalls(row, await this.#unfoldedCalls([row.id]));
  }

  /** The calls of these handlers not yet folded into their rows, by handler. */
  async #unfoldedCalls(webhookIds: string[]): Promise<Map<string, UnfoldedCalls>> {
    if (webhookIds.length === 0) return new Map();
    const rows = await this.#db
      .selectFrom('webhook_calls')
      .select((eb) => ['webhook_id', eb.fn.countAll<number>().as('n'), eb.fn.max('at').as('last')])
      .where('webhook_id', 'in', webhookIds)
      .groupBy('webhook_id')
      .execute();
    return new Map(rows.map((r) => [r.webhook_id, r]));
  }

  // --- deliveries ---------------------------------------------------------

  async insertDelivery(delivery: Delivery): Promise<void> {
    await this.#db.insertInto('deliveries').values(deliveryRow(delivery)).execute();
  }

  async findDeliveryByKey(webhookId: string, deliveryKey: string): Promise<Delivery | null> {
    const row = await this.#db
      .selectFrom('deliveries')
      .selectAll()
      .where('webhook_id', '=', webhookId)
      .where('delivery_key', '=', deliveryKey)
      .executeTakeFirst();
    return row ? toDelivery(row) : null;
  }

  async listCallbackDeliveries(actionId: string): Promise<Delivery[]> {
    // Both terms, as in the partial index DELIVERY_CALLBACK_INDEX's WHERE clause.
    const rows = await this.#db
      .selectFrom('deliveries')
      .selectAll()
      .where('action_id', '=', actionId)
      .where('callback_url', 'is not', null)
      .orderBy('received_at')
      .orderBy('id')
      .execute();
    return rows.map(toDelivery);
  }

  async setDeliveryCallbackResult(id: string, result: string): Promise<void> {
    await this.#db
      .updateTable('deliveries')
      .set({ callback_result: result })
      .where('id', '=', id)
      .execute();
  }

  pruneDeliveries(before: string): Promise<number> {
    return this.#atomically(async (tx) => {
      const deliveries = await tx.#db
        .deleteFrom('deliveries')
        .where('received_at', '<', before)
        .executeTakeFirst();
      const calls = await tx.#db
        .deleteFrom('registry_calls')
        .where('received_at', '<', before)
        .executeTakeFirst();
      return Number(deliveries.numDeletedRows) + Number(calls.numDeletedRows);
    });
  }

  // --- registries ---------------------------------------------------------

  async insertRegistry(registry: Registry & { tokenHash: string }): Promise<void> {
    await this.#db
      .insertInto('registries')
      .values({
        id: registry.id,
        name: registry.name,
        token_prefix: registry.tokenPrefix,
        token_hash: registry.tokenHash,
        created_at: registry.createdAt,
        revoked_at: registry.revokedAt,
      })
      .execute();
  }

  async listRegistries(): Promise<Registry[]> {
    const rows = await this.#db
      .selectFrom('registries')
      .selectAll()
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toRegistry);
  }

  async getRegistry(id: string): Promise<Registry | null> {
    const row = await this.#db
      .selectFrom('registries')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toRegistry(row) : null;
  }

  async findActiveRegistryByTokenHash(tokenHash: string): Promise<Registry | null> {
    const row = await this.#db
      .selectFrom('registries')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return row ? toRegistry(row) : null;
  }

  async revokeRegistry(id: string, at: string): Promise<void> {
    await this.#db
      .updateTable('registries')
      .set({ revoked_at: at })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .execute();
  }

  async insertRegistryCall(call: RegistryCall): Promise<void> {
    await this.#db.insertInto('registry_calls').values(registryCallRow(call)).execute();
  }

  async findRegistryCallByKey(
    registryId: string,
    deliveryKey: string,
  ): Promise<RegistryCall | null> {
    const row = await this.#db
      .selectFrom('registry_calls')
      .selectAll()
      .where('registry_id', '=', registryId)
      .where('delivery_key', '=', deliveryKey)
      .executeTakeFirst();
    return row ? toRegistryCall(row) : null;
  }

  async listRegistryCalls(
    registryId: string,
    limit: number,
    before?: Position,
  ): Promise<RegistryCall[]> {
    let query = this.#db
      .selectFrom('registry_calls')
      .selectAll()
      .where('registry_id', '=', registryId);
    if (before) {
      query = query.where(({ eb, refTuple, tuple }) =>
        eb(refTuple('received_at', 'id'), '<', tuple(before.at, before.id)),
      );
    }
    const rows = await query
      .orderBy('received_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map(toRegistryCall);
  }

  async listDeliveries(webhookId: string, limit: number, before?: Position): Promise<Delivery[]> {
    let query = this.#db.selectFrom('deliveries').selectAll().where('webhook_id', '=', webhookId);
    if (before) {
      query = query.where(({ eb, refTuple, tuple }) =>
        eb(refTuple('received_at', 'id'), '<', tuple(before.at, before.id)),
      );
    }
    const rows = await query
      .orderBy('received_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map(toDelivery);
  }

  // --- actions ------------------------------------------------------------

  async insertAction(action: Action): Promise<void> {
    await this.#db.insertInto('actions').values(actionRow(action)).execute();
  }

  async getAction(id: string): Promise<Action | null> {
    const row = await this.#db
      .selectFrom('actions')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toAction(row) : null;
  }

  async listActions(filter: ActionFilter): Promise<Action[]> {
    let query = this.#db.selectFrom('actions').selectAll();
    if (filter.serviceId !== undefined) query = query.where('service_id', '=', filter.serviceId);
    if (filter.state !== undefined) query = query.where('state', '=', filter.state);
    const { before } = filter;
    if (before) {
      query = query.where(({ eb, refTuple, tuple }) =>
        eb(refTuple('created_at', 'id'), '<', tuple(before.at, before.id)),
      );
    }
    const rows = await query
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(filter.limit ?? DEFAULT_ACTION_LIMIT)
      .execute();
    return rows.map(toAction);
  }

  async findPendingAction(serviceId: string, type: Action['type']): Promise<Action | null> {
    const row = await this.#db
      .selectFrom('actions')
      .selectAll()
      .where('service_id', '=', serviceId)
      .where('type', '=', type)
      .where('state', '=', 'Pending')
      .orderBy('created_at')
      .orderBy('id')
      .executeTakeFirst();
    return row ? toAction(row) : null;
  }

  async countActions(state: ActionState): Promise<number> {
    const row = await this.#db
      .selectFrom('actions')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('state', '=', state)
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  async listLastSuccessfulRedeploys(): Promise<
    { service: { id: string; name: string }; endedAt: string }[]
  > {
    const rows = await this.#db
      .selectFrom('actions as a')
      .innerJoin('services as s', 's.id', 'a.service_id')
      .select(['s.id', 's.name', (eb) => eb.fn.max('a.ended_at').as('ended_at')])
      .where('a.type', '=', 'redeploy')
      .where('a.state', '=', 'Success')
      .groupBy(['s.id', 's.name'])
      .execute();
    return rows.flatMap((row) =>
      row.ended_at ? [{ service: { id: row.id, name: row.name }, endedAt: row.ended_at }] : [],
    );
  }

  async updateAction(id: string, patch: ActionPatch): Promise<void> {
    const set = toActionUpdate(patch);
    if (Object.keys(set).length === 0) return;
    await this.#db.updateTable('actions').set(set).where('id', '=', id).execute();
  }

  claimNextAction(at: string): Promise<Action | null> {
    return this.#atomically(async (tx) => {
      const db = tx.#db;
      const next = await db
        .selectFrom('actions as a')
        .select('a.id')
        .where('a.state', '=', 'Pending')
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('actions as running')
                .select(sql.lit(1).as('one'))
                .whereRef('running.service_id', '=', 'a.service_id')
                .where('running.state', '=', 'In progress'),
            ),
          ),
        )
        .orderBy('a.created_at')
        .orderBy('a.id')
        .limit(1)
        .executeTakeFirst();
      if (!next) return null;
      const row = await db
        .updateTable('actions')
        .set((eb) => ({
          state: 'In progress' satisfies ActionState,
          started_at: at,
          attempts: eb('attempts', '+', 1),
        }))
        .where('id', '=', next.id)
        .where('state', '=', 'Pending')
        .returningAll()
        .executeTakeFirst();
      return row ? toAction(row) : null;
    });
  }

  appendActionLog(actionId: string, at: string, message: string): Promise<void> {
    return this.#atomically(async (tx) => {
      const db = tx.#db;
      const last = await db
        .selectFrom('action_logs')
        .select((eb) => eb.fn.max('seq').as('seq'))
        .where('action_id', '=', actionId)
        .executeTakeFirst();
      const seq = Number(last?.seq ?? 0) + 1;
      await db
        .insertInto('action_logs')
        .values({ action_id: actionId, seq, at, message })
        .execute();
    });
  }

  async getActionLog(actionId: string): Promise<ActionLogEntry[]> {
    const rows = await this.#db
      .selectFrom('action_logs')
      .select(['seq', 'at', 'message'])
      .where('action_id', '=', actionId)
      .orderBy('seq')
      .execute();
    return rows.map((r) => ({ seq: Number(r.seq), at: r.at, message: r.message }));
  }

  // --- API tokens ---------------------------------------------------------

  async insertApiToken(token: ApiToken & { tokenHash: string }): Promise<void> {
    await this.#db
      .insertInto('api_tokens')
      .values({
        id: token.id,
        name: token.name,
        user_id: token.userId,
        scopes: token.scopes.join(','),
        token_prefix: token.tokenPrefix,
        token_hash: token.tokenHash,
        created_at: token.createdAt,
        expires_at: token.expiresAt,
        last_used_at: token.lastUsedAt,
      })
      .execute();
  }

  async findApiTokenByHash(tokenHash: string): Promise<ApiToken | null> {
    const row = await this.#db
      .selectFrom('api_tokens')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    return row ? toApiToken(row) : null;
  }

  async getApiToken(id: string): Promise<ApiToken | null> {
    const row = await this.#db
      .selectFrom('api_tokens')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toApiToken(row) : null;
  }

  async markApiTokenUsed(id: string, at: string): Promise<void> {
    await this.#db
      .updateTable('api_tokens')
      .set({ last_used_at: at })
      .where('id', '=', id)
      .execute();
  }

  async listApiTokens(userId?: string): Promise<ApiToken[]> {
    let query = this.#db.selectFrom('api_tokens').selectAll();
    if (userId !== undefined) query = query.where('user_id', '=', userId);
    const rows = await query.orderBy('created_at').orderBy('id').execute();
    return rows.map(toApiToken);
  }

  async deleteApiToken(id: string): Promise<void> {
    await this.#db.deleteFrom('api_tokens').where('id', '=', id).execute();
  }

  // --- Audit log -----------------------------------------------------------

  async insertAuditEvent(event: AuditEvent): Promise<void> {
    await this.#db
      .insertInto('audit_events')
      .values({
        id: event.id,
        at: event.at,
        actor: event.actor,
        actor_kind: event.actorKind,
        token_name: event.tokenName,
        address: event.address,
        action: event.action,
        object_kind: event.objectKind,
        object_id: event.objectId,
        object_name: event.objectName,
        service_id: event.serviceId,
        detail: event.detail,
      })
      .execute();
  }

  async listAuditEvents(filter: AuditFilter): Promise<AuditEvent[]> {
    let query = this.#db.selectFrom('audit_events').selectAll();
    if (filter.actor !== undefined) query = query.where('actor', '=', filter.actor);
    if (filter.objectId !== undefined) query = query.where('object_id', '=', filter.objectId);
    if (filter.serviceId !== undefined) query = query.where('service_id', '=', filter.serviceId);
    if (filter.since !== undefined) query = query.where('at', '>=', filter.since);
    if (filter.until !== undefined) query = query.where('at', '<', filter.until);
    const self = filter.onlyAccountsOf;
    if (self !== undefined) {
      // Other people's accounts are theirs and the admins' business.
      query = query.where(({ eb, or }) =>
        or([
          eb('object_kind', 'is', null),
          eb('object_kind', 'not in', ['user', 'token', 'session']),
          eb('actor', '=', self),
        ]),
      );
    }
    const { before } = filter;
    if (before) {
      query = query.where(({ eb, refTuple, tuple }) =>
        eb(refTuple('at', 'id'), '<', tuple(before.at, before.id)),
      );
    }
    const rows = await query
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .limit(filter.limit)
      .execute();
    return rows.map(toAuditEvent);
  }

  async pruneAuditEvents(before: string): Promise<number> {
    const result = await this.#db
      .deleteFrom('audit_events')
      .where('at', '<', before)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  // --- Users ---------------------------------------------------------------

  async insertUser(user: User & { passwordHash: string | null }): Promise<void> {
    await this.#db
      .insertInto('users')
      .values({
        id: user.id,
        username: user.username,
        role: user.role,
        password_hash: user.passwordHash,
        password_set_at: user.passwordSetAt,
        created_at: user.createdAt,
      })
      .execute();
  }

  async getUser(id: string): Promise<User | null> {
    const row = await this.#db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toUser(row) : null;
  }

  async findUserByUsername(
    username: string,
  ): Promise<{ user: User; passwordHash: string | null } | null> {
    const row = await this.#db
      .selectFrom('users')
      .selectAll()
      .where('username', '=', username)
      .executeTakeFirst();
    return row ? { user: toUser(row), passwordHash: row.password_hash } : null;
  }

  async listUsers(): Promise<User[]> {
    const rows = await this.#db
      .selectFrom('users')
      .selectAll()
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toUser);
  }

  async updateUser(
    id: string,
    patch: { role?: Role; passwordHash?: string; passwordSetAt?: string },
  ): Promise<void> {
    const set: Updateable<UsersTable> = {};
    if (patch.role !== undefined) set.role = patch.role;
    if (patch.passwordHash !== undefined) set.password_hash = patch.passwordHash;
    if (patch.passwordSetAt !== undefined) set.password_set_at = patch.passwordSetAt;
    if (Object.keys(set).length === 0) return;
    await this.#db.updateTable('users').set(set).where('id', '=', id).execute();
  }

  async deleteUser(id: string): Promise<void> {
    // Tokens go with their owner (on delete cascade); deleted here too, in case foreign keys are off.
    await this.#db.deleteFrom('api_tokens').where('user_id', '=', id).execute();
    await this.#db.deleteFrom('users').where('id', '=', id).execute();
  }

  async close(): Promise<void> {
    if (this.#db.isTransaction) {
      throw new Error('close() was called on a transaction store; close the root store instead.');
    }
    await this.#db.destroy();
  }
}

// --- row mapping -------------------------------------------------------------

/** A unique violation of the "one active handler name per service" index. */
function isActiveNameViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { code?: unknown; message?: unknown };
  return (
    e.code === 'SQLITE_CONSTRAINT_UNIQUE' &&
    typeof e.message === 'string' &&
    e.message.includes('webhooks.name')
  );
}
