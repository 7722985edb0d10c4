import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Action } from '../../src/domain/actions/action.js';
import { presentAction } from '../../src/http/presenters.js';

const action: Action = {
  id: 'a1',
  serviceId: 's1',
  type: 'redeploy',
  state: 'Pending',
  trigger: { kind: 'webhook', webhookId: 'w1', webhookName: 'ci' },
  options: {
    reuseVolumes: true,
    triggerBody: '{"secret":"from the caller"}',
    expectedDigest: 'sha256:abc',
  },
  imageRef: null,
  digestBefore: null,
  digestAfter: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  startedAt: null,
  endedAt: null,
  reason: null,
  attempts: 0,
  progress: '{"step":"pull"}',
};

describe('presentAction', () => {
  // The event stream serializes this object as it is: nothing but the API's fields may leave.
  it("keeps the caller's body, the expected digest and the journal inside", () => {
    const shown = presentAction(action, 'http://hoist.example');
    const text = JSON.stringify(shown);
    assert.ok(!text.includes('from the caller'), 'no trigger body');
    assert.ok(!text.includes('sha256:abc'), 'no expected digest');
    assert.ok(!('progress' in shown), 'no journal');
    assert.deepEqual(JSON.parse(text).options, { reuseVolumes: true });
    assert.equal(shown.url, 'http://hoist.example/api/v1/actions/a1');
  });
});
