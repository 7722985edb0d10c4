/**
 * A flood of calls to unknown secret URLs from one address: past the
 * unknown-token limit each call is answered 429, but the log gets one summary
 * line for the address, not a line per call, and never a token. In process,
 * over real HTTP; no Docker (test/helper.ts).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { addStoredService, startTestApp, type TestApp } from '../helper.js';
import { rawRequest, tokenOf } from '../support/raw-http.js';
import { createWebhook } from '../support/scenario.js';

const LIMIT = 5;
const REFUSED = 200;

interface LogLine {
  msg?: string;
  url?: string;
  status?: number;
  address?: string;
  refused?: number;
}

describe('a flood of unknown-token calls', () => {
  let server: TestApp;
  let validUrl: string;
  /** Every token the flood and the valid calls used, for the log check. */
  const tokens: string[] = [];
  let logs: LogLine[] = [];
  let rawLogs = '';

  before(async () => {
    server = await startTestApp({ HOIST_UNKNOWN_TOKEN_LIMIT_PER_MINUTE: String(LIMIT) });
    const service = await addStoredService(server.store, 'hoist-test-refused-flood');
    validUrl = (await createWebhook(server, service.id, 'valid')).url;
    tokens.push(tokenOf(validUrl));

    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + REFUSED; i++) {
      const token = randomBytes(32).toString('base64url');
      tokens.push(token);
      // Handler and registry endpoint URLs share the limit, and the summary.
      const prefix = i % 2 === 0 ? '/hooks' : '/registry-events';
      statuses.push((await rawRequest(`${server.url}${prefix}/${token}`)).status);
    }
    assert.deepEqual(statuses, [
      ...Array<number>(LIMIT).fill(404),
      ...Array<number>(REFUSED).fill(429),
    ]);
    // The address is limited for unknown tokens only.
    assert.equal((await rawRequest(validUrl)).status, 202);

    // Closing logs what was counted since the last summary line.
    await server.close();
    rawLogs = server.logs();
    logs = rawLogs
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as LogLine);
  });

  after(async () => {
    await server?.close();
  });

  test('logs one summary line for the address, not a line per refused call', () => {
    const requests = logs.filter((l) => l.msg === 'request');
    assert.deepEqual(
      requests.filter((l) => l.status === 429),
      [],
      'a refused call has an access log line',
    );
    // Calls within the limit, and valid calls, keep their own lines.
    assert.equal(requests.filter((l) => l.status === 404).length, LIMIT);
    assert.equal(requests.filter((l) => l.status === 202).length, 1);
    const summaries = logs.filter((l) => /unknown-token calls/.test(l.msg ?? ''));
    assert.equal(summaries.length, 1, JSON.stringify(summaries));
    assert.equal(summaries[0]?.refused, REFUSED);
    assert.equal(summaries[0]?.address, '127.0.0.1');
    assert.equal(summaries[0]?.msg, `refused ${REFUSED} unknown-token calls from 127.0.0.1`);
  });

  test('holds no token', () => {
    for (const token of tokens) {
      assert.ok(!rawLogs.includes(token.slice(0, 16)), 'the log holds (part of) a token');
    }
  });
});
