/**
 * In-code migrations of the SQLite store, run by Kysely's Migrator. Every
 * statement is built with Kysely's schema builder (text and integer columns,
 * partial indexes).
 *
 * Migrations are append-only: never edit one that has shipped, add a new one.
 */
import { randomUUID } from 'node:crypto';
import { Migrator, sql } from 'kysely';
import type { Kysely, Migration, MigrationProvider } from 'kysely';
import { FOLD_CALLS_SQL } from './webhook-calls.js';
import {
  ACTION_PENDING_REDEPLOY_INDEX,
  ACTION_PENDING_TYPE_INDEX,
  DELIVERY_CALLBACK_INDEX,
  DELIVERY_KEY_INDEX,
  DELIVERY_TIME_INDEX,
  WEBHOOK_ACTIVE_NAME_INDEX,
} from './database.js';

const initial: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('services')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('engine_id', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('last_seen_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('services_engine_id_kind_key_uq', ['engine_id', 'kind', 'key'])
      .execute();

    await db.schema
      .createTable('webhooks')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('service_id', 'text', (c) => c.notNull().references('services.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('operation', 'text', (c) => c.notNull())
      .addColumn('token_prefix', 'text', (c) => c.notNull())
      .addColumn('token_hash', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('revoked_at', 'text')
      .addColumn('last_called_at', 'text')
      .addColumn('call_count', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .createIndex('webhooks_token_hash_uq')
      .unique()
      .on('webhooks')
      .column('token_hash')
      .execute();
    await db.schema
      .createIndex(WEBHOOK_ACTIVE_NAME_INDEX)
      .unique()
      .on('webhooks')
      .columns(['service_id', 'name'])
      .where(sql.ref('revoked_at'), 'is', null)
      .execute();

    await db.schema
      .createTable('actions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('service_id', 'text', (c) => c.notNull().references('services.id'))
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('trigger', 'text', (c) => c.notNull())
      .addColumn('options', 'text', (c) => c.notNull())
      .addColumn('image_ref', 'text')
      .addColumn('digest_before', 'text')
      .addColumn('digest_after', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('started_at', 'text')
      .addColumn('ended_at', 'text')
      .addColumn('reason', 'text')
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('progress', 'text')
      .execute();
    await db.schema
      .createIndex('actions_service_id_state_created_at_idx')
      .on('actions')
      .columns(['service_id', 'state', 'created_at'])
      .execute();
    // claimNextAction scans Pending actions oldest first.
    await db.schema
      .createIndex('actions_state_created_at_idx')
      .on('actions')
      .columns(['state', 'created_at'])
      .execute();
    // At most one Pending action of a type per service: backs up the domain's coalescing.
    await db.schema
      .createIndex(ACTION_PENDING_TYPE_INDEX)
      .unique()
      .on('actions')
      .columns(['service_id', 'type'])
      .where(sql.ref('state'), '=', 'Pending')
      .execute();

    await db.schema
      .createTable('deliveries')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('webhook_id', 'text', (c) => c.notNull().references('webhooks.id'))
      .addColumn('service_id', 'text', (c) => c.notNull().references('services.id'))
      .addColumn('received_at', 'text', (c) => c.notNull())
      .addColumn('remote_address', 'text')
      .addColumn('user_agent', 'text')
      .addColumn('content_type', 'text')
      .addColumn('payload_kind', 'text', (c) => c.notNull())
      .addColumn('outcome', 'text', (c) => c.notNull())
      .addColumn('reason', 'text')
      .addColumn('action_id', 'text')
      // Deferred, so a transaction may record the delivery before inserting its action.
      .addForeignKeyConstraint('deliveries_action_id_fk', ['action_id'], 'actions', ['id'], (fk) =>
        fk.deferrable().initiallyDeferred(),
      )
      .execute();
    await db.schema
      .createIndex('deliveries_webhook_id_received_at_idx')
      .on('deliveries')
      .columns(['webhook_id', 'received_at'])
      .execute();

    await db.schema
      .createTable('action_logs')
      .addColumn('action_id', 'text', (c) =>
        c.notNull().references('actions.id').onDelete('cascade'),
      )
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('message', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('action_logs_pk', ['action_id', 'seq'])
      .execute();

    await db.schema
      .createTable('api_tokens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('token_prefix', 'text', (c) => c.notNull())
      .addColumn('token_hash', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('last_used_at', 'text')
      .addUniqueConstraint('api_tokens_token_hash_uq', ['token_hash'])
      .execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    for (const table of [
      'action_logs',
      'deliveries',
      'actions',
      'webhooks',
      'api_tokens',
      'services',
    ]) {
      await db.schema.dropTable(table).ifExists().execute();
    }
  },
};

/** SCALEUP handlers (a per-handler maximum) and scale actions, which queue instead of coalescing. */
const scale: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .alterTable('webhooks')
      .addColumn('max_scale', 'integer', (c) => c.notNull().defaultTo(10))
      .execute();
    await db.schema.dropIndex(ACTION_PENDING_TYPE_INDEX).execute();
    await sql`create unique index ${sql.id(ACTION_PENDING_REDEPLOY_INDEX)} on actions (service_id) where state = 'Pending' and type = 'redeploy'`.execute(
      db,
    );
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropIndex(ACTION_PENDING_REDEPLOY_INDEX).execute();
    await db.schema
      .createIndex(ACTION_PENDING_TYPE_INDEX)
      .unique()
      .on('actions')
      .columns(['service_id', 'type'])
      .where(sql.ref('state'), '=', 'Pending')
      .execute();
    await db.schema.alterTable('webhooks').dropColumn('max_scale').execute();
  },
};

/** Registry payloads: matching, idempotency, callbacks, autoredeploy, registry endpoints. */
const payloads: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    for (const [table, column, type] of [
      ['services', 'image_ref', 'text'],
      ['services', 'digest', 'text'],
      ['webhooks', 'signing_secret', 'text'],
      ['deliveries', 'delivery_key', 'text'],
      ['deliveries', 'pushed', 'text'],
      ['deliveries', 'digest', 'text'],
      ['deliveries', 'callback_url', 'text'],
      ['deliveries', 'callback_result', 'text'],
    ] as const) {
      await db.schema.alterTable(table).addColumn(column, type).execute();
    }
    await db.schema
      .alterTable('services')
      .addColumn('autoredeploy', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .alterTable('webhooks')
      .addColumn('pass_body', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .createIndex(DELIVERY_KEY_INDEX)
      .unique()
      .on('deliveries')
      .columns(['webhook_id', 'delivery_key'])
      .where(sql.ref('delivery_key'), 'is not', null)
      .execute();
    await db.schema
      .createIndex('deliveries_action_id_idx')
      .on('deliveries')
      .column('action_id')
      .execute();
    await db.schema
      .createIndex('deliveries_received_at_idx')
      .on('deliveries')
      .column('received_at')
      .execute();
    await db.schema
      .createTable('registries')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('token_prefix', 'text', (c) => c.notNull())
      .addColumn('token_hash', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('revoked_at', 'text')
      .addUniqueConstraint('registries_token_hash_uq', ['token_hash'])
      .execute();
    await db.schema
      .createTable('registry_calls')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('registry_id', 'text', (c) => c.notNull().references('registries.id'))
      .addColumn('received_at', 'text', (c) => c.notNull())
      .addColumn('remote_address', 'text')
      .addColumn('delivery_key', 'text')
      .addColumn('pushed', 'text', (c) => c.notNull())
      .addColumn('outcome', 'text', (c) => c.notNull())
      .addColumn('reason', 'text')
      .addColumn('action_ids', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('registry_calls_registry_id_received_at_idx')
      .on('registry_calls')
      .columns(['registry_id', 'received_at'])
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('registry_calls').execute();
    await db.schema.dropTable('registries').execute();
    await db.schema.dropIndex('deliveries_received_at_idx').execute();
    await db.schema.dropIndex('deliveries_action_id_idx').execute();
    await db.schema.dropIndex(DELIVERY_KEY_INDEX).execute();
    for (const [table, column] of [
      ['services', 'image_ref'],
      ['services', 'digest'],
      ['services', 'autoredeploy'],
      ['webhooks', 'signing_secret'],
      ['webhooks', 'pass_body'],
      ['deliveries', 'delivery_key'],
      ['deliveries', 'pushed'],
      ['deliveries', 'digest'],
      ['deliveries', 'callback_url'],
      ['deliveries', 'callback_result'],
    ] as const) {
      await db.schema.alterTable(table).dropColumn(column).execute();
    }
  },
};

/** An optional per-handler limit on calls a minute (NULL: none, the default). */
const rateLimit: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('webhooks').addColumn('rate_limit_per_minute', 'integer').execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('webhooks').dropColumn('rate_limit_per_minute').execute();
  },
};

/**
 * The only reader of deliveries by action is the Docker Hub callback, which wants the
 * deliveries that carry a callback URL. Indexing every delivery's action id put a write on a
 * random page of that index into every call (action ids are random); the partial index
 * holds only the few calls that came from Docker Hub. Actions are never deleted, so no
 * foreign-key check needs the full index.
 */
const callbackIndex: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropIndex('deliveries_action_id_idx').execute();
    await db.schema
      .createIndex(DELIVERY_CALLBACK_INDEX)
      .on('deliveries')
      .column('action_id')
      .where(sql.ref('callback_url'), 'is not', null)
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropIndex(DELIVERY_CALLBACK_INDEX).execute();
    await db.schema
      .createIndex('deliveries_action_id_idx')
      .on('deliveries')
      .column('action_id')
      .execute();
  },
};

/**
 * No per-call write keyed by handler. With 10,000 services x 3 handlers, a call wrote about
 * 14 KiB (WAL and checkpoint) against under 3 KiB with one handler: the counter update on the
 * handler's row and the entry in the deliveries index by handler each landed on a page no other
 * call of the commit shared. Counters go to an append-only log folded into the handler's row
 * (webhook-calls.ts); deliveries keep only indexes that begin with the time, where every call
 * appends. A handler's latest deliveries are then found by scanning that index newest first,
 * which reads at most the retention period's deliveries (a cold handler's), and writes nothing.
 */
const callLog: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('webhook_calls')
      .addColumn('webhook_id', 'text', (c) => c.notNull())
      .addColumn('at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.dropIndex('deliveries_webhook_id_received_at_idx').execute();
    await db.schema.dropIndex('deliveries_received_at_idx').execute();
    // The handler after the time: a handler's deliveries are read from the index alone.
    await db.schema
      .createIndex(DELIVERY_TIME_INDEX)
      .on('deliveries')
      .columns(['received_at', 'webhook_id'])
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    for (const statement of FOLD_CALLS_SQL) await sql.raw(statement).execute(db);
    await db.schema.dropTable('webhook_calls').execute();
    await db.schema.dropIndex(DELIVERY_TIME_INDEX).execute();
    await db.schema
      .createIndex('deliveries_webhook_id_received_at_idx')
      .on('deliveries')
      .columns(['webhook_id', 'received_at'])
      .execute();
    await db.schema
      .createIndex('deliveries_received_at_idx')
      .on('deliveries')
      .column('received_at')
      .execute();
  },
};

/**
 * Which signatures a signed handler accepts: 'any' (what every handler accepted before) or
 * 'standard-webhooks'.
 */
const signatureScheme: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .alterTable('webhooks')
      .addColumn('signature_scheme', 'text', (c) => c.notNull().defaultTo('any'))
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('webhooks').dropColumn('signature_scheme').execute();
  },
};

/**
 * Actions are listed newest first by (created_at, id), all of them or one service's, a page
 * after a position (domain/paging.ts). Neither list had an index in that order: each sorted
 * every action of the list to read one page. With the id in the index, a page is read in
 * index order from its position, without a sort. The state filters keep their indexes
 * (state, created_at) and (service_id, state, created_at) from 0001.
 */
const actionListIndexes: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createIndex('actions_created_at_id_idx')
      .on('actions')
      .columns(['created_at', 'id'])
      .execute();
    await db.schema
      .createIndex('actions_service_id_created_at_id_idx')
      .on('actions')
      .columns(['service_id', 'created_at', 'id'])
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropIndex('actions_service_id_created_at_id_idx').execute();
    await db.schema.dropIndex('actions_created_at_id_idx').execute();
  },
};

/** Hoist's own service may be redeployed, scaled or removed only when this is on (issue 14). */
const allowSelfRedeploy: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .alterTable('services')
      .addColumn('allow_self_redeploy', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('services').dropColumn('allow_self_redeploy').execute();
  },
};

/**
 * Accounts (issue 15): users with a role, and API tokens owned by a user, with
 * scopes and an optional expiry. Tokens made before this are the admin's, with
 * every scope: the user `admin` is created here for them (without a password:
 * the server sets one at its next start and prints it once).
 */
const accounts: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('users')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('username', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('password_hash', 'text')
      .addColumn('password_set_at', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('users_username_uq', ['username'])
      .execute();
    await db.schema
      .alterTable('api_tokens')
      .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
      .execute();
    await db.schema
      .alterTable('api_tokens')
      .addColumn('scopes', 'text', (c) => c.notNull().defaultTo('read,deploy,manage,admin'))
      .execute();
    await db.schema.alterTable('api_tokens').addColumn('expires_at', 'text').execute();
    await db.schema
      .createIndex('api_tokens_user_id_idx')
      .on('api_tokens')
      .column('user_id')
      .execute();
    const { rows } = await sql<{ n: number }>`select count(*) as n from api_tokens`.execute(db);
    if (Number(rows[0]?.n ?? 0) > 0) {
      const id = randomUUID();
      await sql`insert into users (id, username, role, created_at) values (${id}, 'admin', 'admin', ${new Date().toISOString()})`.execute(
        db,
      );
      await sql`update api_tokens set user_id = ${id}`.execute(db);
    }
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropIndex('api_tokens_user_id_idx').execute();
    for (const column of ['expires_at', 'scopes', 'user_id']) {
      await db.schema.alterTable('api_tokens').dropColumn(column).execute();
    }
    await db.schema.dropTable('users').execute();
  },
};

/** The audit log (issue 15): who changed what, when, from where. */
const auditLog: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('audit_events')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('actor_kind', 'text', (c) => c.notNull())
      .addColumn('token_name', 'text')
      .addColumn('address', 'text')
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('object_kind', 'text')
      .addColumn('object_id', 'text')
      .addColumn('object_name', 'text')
      .addColumn('service_id', 'text')
      .addColumn('detail', 'text')
      .execute();
    // Newest first, and pruning by time; the filters by actor and by object.
    await db.schema
      .createIndex('audit_events_at_id_idx')
      .on('audit_events')
      .columns(['at', 'id'])
      .execute();
    await db.schema
      .createIndex('audit_events_actor_at_idx')
      .on('audit_events')
      .columns(['actor', 'at'])
      .execute();
    await db.schema
      .createIndex('audit_events_object_id_at_idx')
      .on('audit_events')
      .columns(['object_id', 'at'])
      .execute();
    await db.schema
      .createIndex('audit_events_service_id_at_idx')
      .on('audit_events')
      .columns(['service_id', 'at'])
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('audit_events').execute();
  },
};

/** All migrations, by name; the Migrator runs them in name order. */
export const migrations: Readonly<Record<string, Migration>> = Object.freeze({
  '0001_initial': initial,
  '0002_scale': scale,
  '0003_payloads': payloads,
  '0004_rate_limit': rateLimit,
  '0005_callback_index': callbackIndex,
  '0006_call_log': callLog,
  '0007_action_list_indexes': actionListIndexes,
  '0008_signature_scheme': signatureScheme,
  '0009_allow_self_redeploy': allowSelfRedeploy,
  '0010_accounts': accounts,
  '0012_audit_log': auditLog,
});

export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve({ ...migrations }),
};

/** Brings the database up to the latest migration; a no-op when it already is. */
export async function migrateToLatest(db: Kysely<unknown>): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(
      `Database migration ${failed ?? '(unknown)'} failed: ${
        error instanceof Error ? error.message : String(error)
      }`,
      { cause: error },
    );
  }
}
