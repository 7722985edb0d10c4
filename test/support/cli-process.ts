/**
 * The hoist CLI run as a user runs it: its own process, a HOME of the test's,
 * and no HOIST_* (or NO_COLOR) from the environment the tests run in, only
 * what the test gives.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './repo-root.js';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** `bin`: bin/hoist.js on the compiled dist/ (as installed); `source`: src/cli/main.ts through tsx. */
  entry: 'bin' | 'source';
  /** HOME and XDG_CONFIG_HOME (where a login is saved) go under it. */
  home: string;
  env?: Record<string, string>;
  /** What the CLI reads on stdin; none by default. */
  input?: string;
}

const ENTRIES = {
  bin: [path.join(REPO_ROOT, 'bin', 'hoist.js')],
  source: ['--import', 'tsx', path.join(REPO_ROOT, 'src', 'cli', 'main.ts')],
};

/** Killed after this long: a CLI that waits on something forever fails its test, not the run. */
const CLI_TIMEOUT_MS = 120_000;

export function runCli(args: string[], options: CliOptions): Promise<CliRun> {
  const env: NodeJS.ProcessEnv = {
    ...Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith('HOIST_') && k !== 'NO_COLOR'),
    ),
    HOME: options.home,
    XDG_CONFIG_HOME: path.join(options.home, 'config'),
    ...options.env,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...ENTRIES[options.entry], ...args], {
      cwd: REPO_ROOT,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), CLI_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}
