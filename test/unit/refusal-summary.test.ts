/**
 * RefusalSummary: refused calls are counted per address and logged as one
 * line per address each minute, then forgotten; closing logs the rest. A real
 * pino logger writes into a buffer; the minute is node:test's mock timers.
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { pino } from 'pino';
import { RefusalSummary } from '../../src/http/refusal-summary.js';

describe('RefusalSummary', () => {
  let lines: { address?: string; refused?: number; msg?: string }[];
  let summary: RefusalSummary;

  beforeEach(() => {
    mock.timers.enable({ apis: ['setInterval'] });
    lines = [];
    const sink = new PassThrough();
    sink.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        lines.push(JSON.parse(line) as (typeof lines)[number]);
      }
    });
    summary = new RefusalSummary(pino(sink));
  });

  afterEach(() => {
    summary.close();
    mock.timers.reset();
  });

  it('logs one line per address a minute, then starts counting again', () => {
    for (let i = 0; i < 500; i++) summary.count('192.0.2.1');
    summary.count('198.51.100.7');
    mock.timers.tick(59_999);
    assert.equal(lines.length, 0);
    mock.timers.tick(1);
    assert.deepEqual(
      lines.map(({ address, refused, msg }) => ({ address, refused, msg })),
      [
        {
          address: '192.0.2.1',
          refused: 500,
          msg: 'refused 500 unknown-token calls from 192.0.2.1',
        },
        {
          address: '198.51.100.7',
          refused: 1,
          msg: 'refused 1 unknown-token calls from 198.51.100.7',
        },
      ],
    );

    // A quiet minute logs nothing; the next refusals start from zero.
    mock.timers.tick(60_000);
    assert.equal(lines.length, 2);
    summary.count('192.0.2.1');
    summary.close();
    assert.equal(lines.length, 3);
    assert.equal(lines[2]?.refused, 1);
  });
});
