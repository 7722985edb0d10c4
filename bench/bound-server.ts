/**
 * The servers of the bound rows (bench/bounds.ts): a bare node:http server on
 * a store seeded like rows 1 and 2, answering 202 only after the call is
 * committed, as Hoist does, but without Fastify, Hoist's routes, hooks and
 * access log. Run as its own process: `node --import tsx bench/bound-server.ts
 * <intake|insert|fastify-insert> <store file> <port>`.
 *
 * - intake: each call goes through Hoist's own CallIntake on its SQLite call
 *   store (token look-up, coalescing, delivery, counter; group commit).
 * - insert: each call is one delivery insert, prepared once, on a connection
 *   opened with Hoist's settings; one commit per event-loop turn; the token
 *   is not even looked up. The least a server that records every call in
 *   Hoist's schema before answering can do.
 * - fastify-insert: insert's work behind a bare Fastify (one route, no hooks,
 *   no logger, no schema), the framework Hoist answers through: the least
 *   Hoist's own server could do for a call.
 */
import { createServer, type IncomingMessage } from 'node:http';
import Fastify from 'fastify';
import { openSqliteConnection, openSqliteStores } from '../src/adapters/store/open-store.js';
import type { DeliveryRow } from '../src/adapters/store/database.js';
import { deliveryRow } from '../src/adapters/store/rows.js';
import { systemClock } from '../src/domain/clock.js';
import { CallIntake } from '../src/domain/calls/call-intake.js';
import type { IncomingCall } from '../src/domain/calls/incoming-call.js';
import { HoistItself } from '../src/domain/services/hoist-itself.js';
import { deliveryRecord } from '../test/support/records.js';

const [mode, file, portArg] = process.argv.slice(2);
const MODES = ['intake', 'insert', 'fastify-insert'] as const;
type Mode = (typeof MODES)[number];
if (!MODES.includes(mode as Mode) || !file || !portArg) {
  throw new Error(`usage: bound-server.ts <${MODES.join('|')}> <store file> <port>`);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function incomingCall(req: IncomingMessage | null, body: Buffer): IncomingCall {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req?.headers ?? {})) {
    if (typeof value === 'string') headers[name] = value;
  }
  return {
    remoteAddress: req?.socket.remoteAddress ?? null,
    userAgent: headers['user-agent'] ?? null,
    contentType: headers['content-type'] ?? null,
    body: body.length > 0 ? body : null,
    headers,
  };
}

type Take = (token: string, call: IncomingCall) => Promise<unknown>;

function insertOnly(): Take {
  const sqlite = openSqliteConnection(file as string);
  const handler = sqlite.prepare('select id, service_id from webhooks limit 1').get() as
    { id: string; service_id: string } | undefined;
  if (!handler) throw new Error(`${file} has no webhook handler: seed it first`);
  const rowOf = (call: IncomingCall) =>
    deliveryRow(
      // A new record id and now, as CallIntake records a call; an accepted call, empty body.
      deliveryRecord(handler.id, handler.service_id, {
        remoteAddress: call.remoteAddress,
        userAgent: call.userAgent,
        contentType: call.contentType,
        payloadKind: 'empty',
        outcome: 'accepted',
      }),
    );
  const columns = Object.keys(rowOf(incomingCall(null, Buffer.alloc(0))));
  const insert = sqlite.prepare(
    `insert into deliveries (${columns.join(', ')}) values (${columns.map((c) => `@${c}`).join(', ')})`,
  );
  const begin = sqlite.prepare('begin immediate');
  const commit = sqlite.prepare('commit');
  const rollback = sqlite.prepare('rollback');
  let group: Array<{ row: DeliveryRow; done: (error?: unknown) => void }> = [];
  const flush = () => {
    const calls = group;
    group = [];
    try {
      begin.run();
      for (const c of calls) insert.run(c.row);
      commit.run();
    } catch (error) {
      if (sqlite.inTransaction) rollback.run();
      for (const c of calls) c.done(error);
      return;
    }
    for (const c of calls) c.done();
  };
  // The handler's token is not even looked up: every call is recorded as a call to it.
  return (_token, call) =>
    new Promise<void>((resolve, reject) => {
      group.push({ row: rowOf(call), done: (error) => (error ? reject(error) : resolve()) });
      // One commit for every call that arrived in this turn of the event loop, as Hoist does.
      if (group.length === 1) setImmediate(flush);
    });
}

async function throughIntake(): Promise<Take> {
  const { store, calls } = await openSqliteStores(file as string);
  // Hoist as run from source: no container of its own to protect.
  const itself = new HoistItself({
    engine: { findOwnService: async () => null },
    store,
    engineId: 'local',
    clock: systemClock,
    logger: console,
  });
  const intake = new CallIntake({
    store: calls,
    clock: systemClock,
    engineId: 'local',
    itself,
    onEnqueued: () => {},
  });
  return (token, call) => intake.receive('hook', token, call);
}

const take = mode === 'intake' ? await throughIntake() : insertOnly();
const PREFIX = '/hooks/';
const ACCEPTED = '{"accepted":true}';

if (mode === 'fastify-insert') {
  const app = Fastify({ logger: false });
  app.post('/hooks/:token', async (request, reply) => {
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    await take((request.params as { token: string }).token, incomingCall(request.raw, body));
    return reply.code(202).header('content-type', 'application/json').send(ACCEPTED);
  });
  await app.listen({ port: Number(portArg), host: '127.0.0.1' });
} else {
  createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const url = req.url ?? '';
      if (req.method !== 'POST' || !url.startsWith(PREFIX)) {
        res.statusCode = 404;
        res.end();
        return;
      }
      try {
        await take(url.slice(PREFIX.length), incomingCall(req, body));
        res.statusCode = 202;
        res.setHeader('content-type', 'application/json');
        res.end(ACCEPTED);
      } catch (error) {
        // wrk counts these as non-2xx; the row reports them.
        res.statusCode = 500;
        res.end(error instanceof Error ? error.message : String(error));
      }
    })();
  }).listen(Number(portArg), '127.0.0.1');
}
