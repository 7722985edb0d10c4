/**
 * `npm run bench:profile -- <hoist|intake|insert> [services] [handlers]`: one
 * server of bench rows 1, 1e or 1d, on a store seeded with services x handlers
 * (default 1 x 1; rows 2 and 2c use 10000 x 3), under row 1's wrk load, run
 * with `node --cpu-prof`. Prints where the server's time went (self and
 * inclusive, top 30 functions) and keeps the .cpuprofile (open it in Chrome's
 * DevTools). Needs `npm run build` first for `hoist`.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { boundServerArgs } from './bounds.js';
import {
  HOIST_NODE_FLAGS,
  HOST,
  ROOT,
  fmtWrk,
  freePort,
  runWrk,
  seedStore,
  startProc,
  tempDir,
  waitForHttp,
} from './lib.js';

const waiting = process.argv.includes('--waiting');
const [mode = 'hoist', servicesArg = '1', handlersArg = '1'] = process.argv
  .slice(2)
  .filter((a) => a !== '--waiting');
if (mode !== 'hoist' && mode !== 'intake' && mode !== 'insert') {
  throw new Error('usage: npm run bench:profile -- <hoist|intake|insert> [services] [handlers]');
}
const dir = tempDir('profile');
const { tokens } = await seedStore(dir, Number(servicesArg), Number(handlersArg), { waiting });
const port = await freePort();
const profileDir = path.join(dir, 'cpuprofile');
// A profile is written when the process exits, and a SIGTERM would end it before: exit instead.
const exitOnTerm = `data:text/javascript,process.on('SIGTERM', () => process.exit(0))`;
const node = [
  ...HOIST_NODE_FLAGS,
  '--cpu-prof',
  `--cpu-prof-dir=${profileDir}`,
  '--import',
  exitOnTerm,
];
const args =
  mode === 'hoist'
    ? [...node, path.join(ROOT, 'bin/hoist.js'), 'server']
    : [...node, ...boundServerArgs(mode, dir, port)];
const server = startProc(process.execPath, args, {
  logFile: path.join(dir, 'server.log'),
  env: {
    ...process.env,
    HOIST_HOST: HOST,
    HOIST_PORT: String(port),
    HOIST_DATA_DIR: dir,
    // No engine: calls are taken and recorded, redeploys wait (as in row 1).
    DOCKER_HOST: `unix://${path.join(dir, 'no-engine.sock')}`,
  },
});
try {
  await waitForHttp(port, mode === 'hoist' ? '/api/v1/engines' : '/');
  const pathsFile = path.join(dir, 'paths.txt');
  writeFileSync(pathsFile, tokens.map((t) => `/hooks/${t}`).join('\n') + '\n');
  const result = await runWrk(`http://${HOST}:${port}/`, { workDir: dir, pathsFile });
  process.stdout.write(`${mode}: ${fmtWrk(result)}, ${result.non2xx} non-2xx\n`);
} finally {
  await server.stop();
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
if (!file) throw new Error(`the server wrote no profile: see ${dir}/server.log`);
const profile = JSON.parse(readFileSync(path.join(profileDir, file), 'utf8')) as {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
};
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parentOf = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
const name = ({ callFrame: f }: ProfileNode) =>
  `${f.functionName || '(anonymous)'} ${path.relative(ROOT, f.url.replace('file://', '')) || f.url}:${f.lineNumber + 1}`;
const self = new Map<string, number>();
const inclusive = new Map<string, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  total += dt;
  const leaf = byId.get(id);
  if (!leaf) return;
  self.set(name(leaf), (self.get(name(leaf)) ?? 0) + dt);
  // Each function once per sample, however deep it recurses.
  const seen = new Set<string>();
  for (let n: ProfileNode | undefined = leaf; n; n = byId.get(parentOf.get(n.id) ?? -1)) {
    const key = name(n);
    if (!seen.has(key)) inclusive.set(key, (inclusive.get(key) ?? 0) + dt);
    seen.add(key);
  }
});
for (const [title, times] of [
  ['self', self],
  ['inclusive', inclusive],
] as const) {
  process.stdout.write(`\n${title} time, % of the profile:\n`);
  for (const [key, t] of [...times].sort((a, b) => b[1] - a[1]).slice(0, 30)) {
    process.stdout.write(`${((t / total) * 100).toFixed(1).padStart(6)}  ${key}\n`);
  }
}
process.stdout.write(`\nprofile: ${path.join(profileDir, file)}\n`);
