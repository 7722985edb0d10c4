/**
 * HOIST_LOG_FORMAT=auto picks by what stdout is: JSON lines into a pipe, one
 * readable line per event on a terminal (a real pseudo-terminal, made by
 * util-linux's `script`). Each case is a child process that logs one line.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const LOGGER = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../src/server-logger.ts',
);
const SCRIPT = `
  const { createServerLogger } = await import(${JSON.stringify(LOGGER)});
  createServerLogger({ level: 'info', format: process.argv[1] }).info({ answer: 42 }, 'hello');
`;
const nodeArgs = (format: string) => [
  '--import',
  'tsx',
  '--input-type=module',
  '-e',
  SCRIPT,
  format,
];

describe('createServerLogger', () => {
  it('auto: JSON lines when stdout is a pipe', async () => {
    const { stdout } = await run(process.execPath, nodeArgs('auto'));
    const entry = JSON.parse(stdout.trim()) as { msg: string; answer: number; level: number };
    assert.equal(entry.msg, 'hello');
    assert.equal(entry.answer, 42);
  });

  it('auto: one readable line when stdout is a terminal', async () => {
    const command = [process.execPath, ...nodeArgs('auto')]
      .map((arg) => `'${arg.replaceAll("'", "'\\''")}'`)
      .join(' ');
    const { stdout } = await run('script', ['-q', '-e', '-c', command, '/dev/null']);
    // eslint-disable-next-line no-control-regex
    const text = stdout.replace(/\x1b\[[0-9;]*m/g, '').trim();
    assert.match(text, /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: hello \{"answer":42\}$/);
  });

  it('pretty: readable into a pipe too', async () => {
    const { stdout } = await run(process.execPath, nodeArgs('pretty'));
    assert.match(stdout.trim(), /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: hello \{"answer":42\}$/);
  });
});
