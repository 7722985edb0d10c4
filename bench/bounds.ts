/**
 * Bound rows: how fast a Node server (node:http, better-sqlite3, Hoist's
 * schema and Node flags) could ingest on this machine if it kept Hoist's
 * promise (a call is answered only after it is committed to SQLite) but had
 * none of Hoist's HTTP layer. They run bench/bound-server.ts against fresh
 * stores seeded like rows 1 and 2, with the same wrk settings, in the same run
 * as rows 1 and 2, so rows 1a, 1b and 2a can be read against them: an ingest
 * target that even the bound misses cannot be met here by Hoist on this stack
 * and contract, whatever its HTTP layer does. Row 2c shows what many tokens
 * cost the store alone, against what row 2a's target allows.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  HOIST_NODE_FLAGS,
  HOST,
  ROOT,
  fmtWrk,
  freePort,
  queryCount,
  removeDir,
  runWrk,
  seedStore,
  startProc,
  tempDir,
  waitForHttp,
  type Row,
  type WrkResult,
} from './lib.js';
import { HANDLERS, SERVICES } from './many-tokens.js';

/** Row 1's results, measured earlier in the same run. */
export interface IngestBaselines {
  webhook: WrkResult;
  ceiling: WrkResult;
  hoist: WrkResult;
}

/** Node's arguments (after its flags) that run bench/bound-server.ts on `dataDir`'s store. */
export type BoundMode = 'intake' | 'insert' | 'fastify-insert';

export function boundServerArgs(mode: BoundMode, dataDir: string, port: number): string[] {
  return [
    '--import',
    'tsx',
    path.join(ROOT, 'bench/bound-server.ts'),
    mode,
    path.join(dataDir, 'hoist.sqlite'),
    String(port),
  ];
}

async function measureBound(
  mode: BoundMode,
  dataDir: string,
  tokens: string[],
  workDir: string,
): Promise<{ result: WrkResult; recorded: number }> {
  const port = await freePort();
  const proc = startProc(
    process.execPath,
    [...HOIST_NODE_FLAGS, ...boundServerArgs(mode, dataDir, port)],
    { logFile: path.join(workDir, `bound-${mode}.log`) },
  );
  let result: WrkResult;
  const before = queryCount(dataDir, 'select count(*) as n from deliveries');
  try {
    await waitForHttp(port, '/');
    if (tokens.length === 1) {
      result = await runWrk(`http://${HOST}:${port}/hooks/${tokens[0] ?? ''}`, { workDir });
    } else {
      const pathsFile = path.join(workDir, 'paths.txt');
      writeFileSync(pathsFile, tokens.map((t) => `/hooks/${t}`).join('\n') + '\n');
      result = await runWrk(`http://${HOST}:${port}/`, { workDir, pathsFile });
    }
  } finally {
    await proc.stop();
  }
  const recorded = queryCount(dataDir, 'select count(*) as n from deliveries') - before;
  if (result.non2xx + result.socketErrors > 0 || recorded < result.ok2xx) {
    throw new Error(
      `the ${mode} bound server failed calls (${result.non2xx} non-2xx, ${result.socketErrors} socket errors, ${recorded} recorded for ${result.ok2xx} 2xx): see ${workDir}/bound-${mode}.log`,
    );
  }
  return { result, recorded };
}

function vs(bound: WrkResult, base: IngestBaselines): string {
  const w = bound.rps2xx / base.webhook.rps2xx;
  const c = bound.rps2xx / base.ceiling.rps2xx;
  return `${w.toFixed(2)}x webhook, ${(c * 100).toFixed(1)}% of node:http`;
}

function reachable(bound: WrkResult, base: IngestBaselines): string {
  const w = bound.rps2xx / base.webhook.rps2xx >= 3;
  const c = bound.rps2xx / base.ceiling.rps2xx >= 0.4;
  return `1a ${w ? 'reachable' : 'out of reach'}, 1b ${c ? 'reachable' : 'out of reach'}`;
}

export async function bounds(base: IngestBaselines | null): Promise<Row[]> {
  if (!base) throw new Error('row 1 was not measured, so its baselines are missing');
  const dir = tempDir('bounds');
  try {
    // Each server on a fresh store, as row 1 is: 1e must not start from 1d's rows.
    const insertDir = path.join(dir, 'insert');
    const insert = await measureBound(
      'insert',
      insertDir,
      (await seedStore(insertDir, 1, 1, { waiting: true })).tokens,
      dir,
    );
    const fastifyDir = path.join(dir, 'fastify-insert');
    const fastify = await measureBound(
      'fastify-insert',
      fastifyDir,
      (await seedStore(fastifyDir, 1, 1, { waiting: true })).tokens,
      dir,
    );
    const intakeDir = path.join(dir, 'intake');
    const intake = await measureBound(
      'intake',
      intakeDir,
      (await seedStore(intakeDir, 1, 1, { waiting: true })).tokens,
      dir,
    );
    const manyDir = path.join(dir, 'many');
    const many = await seedStore(manyDir, SERVICES, HANDLERS, { waiting: true });
    const intakeMany = await measureBound('intake', manyDir, many.tokens, dir);
    const ratio = intakeMany.result.rps2xx / intake.result.rps2xx;
    // A saturated server spends 1/rate on each call. Row 2a's target (>= 0.9x row 1) leaves
    // 1/0.9 - 1 = a ninth of row 1's time per call for whatever many tokens cost extra.
    const extraUs = 1e6 / intakeMany.result.rps2xx - 1e6 / intake.result.rps2xx;
    const perCallUs = 1e6 / base.hoist.rps2xx;
    const allowedUs = perCallUs / 9;
    const ofInsert = (r: WrkResult) => r.rps2xx / insert.result.rps2xx;
    const insertRate = `1d: ${Math.round(insert.result.rps2xx)} 2xx/s`;
    const baselines = `webhook ${Math.round(base.webhook.rps2xx)} 2xx/s, node:http ${Math.round(base.ceiling.rps2xx)} 2xx/s (row 1)`;
    return [
      {
        name: '1d Bound: one SQLite insert per call, bare node:http',
        hoist: fmtWrk(insert.result),
        baseline: baselines,
        ratio: vs(insert.result, base),
        target: 'reference for 1b and 1g',
        verdict: 'n/a',
        notes: `${reachable(insert.result, base)} for a Node server (node:http, better-sqlite3) that commits each call to Hoist's schema before answering: one delivery insert per call, one commit per event-loop turn, no token look-up, no framework`,
      },
      {
        name: "1e Bound: Hoist's intake, bare node:http",
        hoist: fmtWrk(intake.result),
        baseline: baselines,
        ratio: vs(intake.result, base),
        target: 'reference for 1a and 1b',
        verdict: 'n/a',
        notes: `${reachable(intake.result, base)} for Hoist's call path (CallIntake on its SQLite call store: look-up, coalescing, delivery, counter) without Fastify, routes, hooks or access log`,
      },
      {
        name: '1f Bound: 1d behind bare Fastify',
        hoist: fmtWrk(fastify.result),
        baseline: insertRate,
        ratio: `${(ofInsert(fastify.result) * 100).toFixed(1)}% of 1d`,
        target: 'reference for 1g',
        verdict: 'n/a',
        notes: `1d's insert answered through Fastify (one route, no hooks, no logger, no schema), the framework Hoist answers through. Row 1 does all of this and more (token look-up, coalescing, counter, Hoist's hooks, access log), so under 80% here puts 1g's target out of reach while calls go through Fastify`,
      },
      {
        name: '1g Ingest vs 1d',
        hoist: fmtWrk(base.hoist),
        baseline: insertRate,
        ratio: `${(ofInsert(base.hoist) * 100).toFixed(1)}%`,
        target: '>= 80%',
        verdict: ofInsert(base.hoist) >= 0.8 ? 'met' : 'not met',
        notes: `row 1 (Hoist, every call recorded before the answer) against the least a Node server can do for the same promise; 1e (Hoist's intake without HTTP) is ${(ofInsert(intake.result) * 100).toFixed(1)}% of 1d and 1f (Fastify with nothing in it) ${(ofInsert(fastify.result) * 100).toFixed(1)}%`,
      },
      {
        name: "2c Hoist's intake, many tokens, bare node:http",
        hoist: `${fmtWrk(intakeMany.result)}; ${intakeMany.recorded} deliveries`,
        baseline: `1e (one handler): ${Math.round(intake.result.rps2xx)} 2xx/s`,
        ratio: `${ratio.toFixed(2)}x`,
        target: 'reference for 2a',
        verdict: 'n/a',
        notes: `without the HTTP layer, a call on ${SERVICES} services x ${HANDLERS} handlers takes ${extraUs.toFixed(0)} us more than on one handler (1/rate of 2c minus 1/rate of 1e); 2a allows ${allowedUs.toFixed(0)} us more (a ninth of row 1's ${perCallUs.toFixed(0)} us a call)`,
      },
    ];
  } finally {
    removeDir(dir);
  }
}
