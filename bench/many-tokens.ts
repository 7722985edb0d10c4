/**
 * Row 2, Many tokens: 10,000 services x 3 REDEPLOY handlers written into the
 * store in one transaction, then wrk POSTs each call to a random one of the
 * 30,000 handler URLs (a Lua request() picking a path). Compared with row 1's
 * calls/s; the server's VmRSS is read from /proc when wrk ends. Each service
 * starts with a Pending redeploy, as row 1's has after its first call, so both
 * rows measure a call that joins one: before, about 4 calls in 10 here queued a
 * new redeploy (an action insert, on a random page), which row 1 never does.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  HOST,
  fmtWrk,
  queryCount,
  removeDir,
  rssMb,
  runWrk,
  seedStore,
  startHoist,
  tempDir,
  type Row,
  type WrkResult,
} from './lib.js';

export const SERVICES = 10_000;
export const HANDLERS = 3;

export async function manyTokens(row1: WrkResult | null): Promise<Row[]> {
  const dir = tempDir('many');
  try {
    const dataDir = path.join(dir, 'data');
    const seedStart = Date.now();
    const { tokens } = await seedStore(dataDir, SERVICES, HANDLERS, { waiting: true });
    const seedS = (Date.now() - seedStart) / 1000;
    const pathsFile = path.join(dir, 'paths.txt');
    writeFileSync(pathsFile, tokens.map((t) => `/hooks/${t}`).join('\n') + '\n');

    const server = await startHoist(dataDir);
    let result: WrkResult;
    let rss: number;
    try {
      result = await runWrk(`http://${HOST}:${server.port}/`, { workDir: dir, pathsFile });
      rss = rssMb(server.pid);
    } finally {
      await server.stop();
    }
    const recorded = queryCount(dataDir, 'select count(*) as n from deliveries');
    const touched = queryCount(dataDir, 'select count(distinct webhook_id) as n from deliveries');
    const ratio = row1 ? result.rps2xx / row1.rps2xx : NaN;
    const errs =
      result.non2xx + result.socketErrors > 0
        ? ` (${result.non2xx} non-2xx, ${result.socketErrors} socket errors)`
        : '';
    return [
      {
        name: `2a Many tokens (${SERVICES} services x ${HANDLERS} handlers)`,
        hoist: `${fmtWrk(result)}${errs}; ${recorded} deliveries over ${touched} handlers`,
        baseline: row1
          ? `row 1 (one handler): ${Math.round(row1.rps2xx)} 2xx/s`
          : 'row 1 not measured',
        ratio: Number.isFinite(ratio) ? `${ratio.toFixed(2)}x` : '-',
        target: 'within 10% of row 1 (>= 0.90x)',
        verdict: Number.isFinite(ratio) ? (ratio >= 0.9 ? 'met' : 'not met') : 'not measured',
        notes: `seeding ${SERVICES * HANDLERS} handlers took ${seedS.toFixed(1)} s`,
      },
      {
        name: '2b Many tokens: server RSS',
        hoist: `${rss.toFixed(0)} MB VmRSS at the end of the run`,
        baseline: '-',
        ratio: '-',
        target: '<= 250 MB',
        verdict: rss <= 250 ? 'met' : 'not met',
      },
    ];
  } finally {
    removeDir(dir);
  }
}
