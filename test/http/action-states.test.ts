/**
 * The one list of action states (src/domain/actions/action-state.ts) is the
 * API's: GET /api/v1/actions filters by each of its states and refuses any
 * other, naming the ones it takes. In process, over real HTTP; no Docker.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ACTION_STATES } from '../../src/domain/actions/action-state.js';
import { startTestApp, type TestApp } from '../helper.js';
import type { ErrorBody } from '../support/api-bodies.js';

describe('action states on the API', () => {
  let server: TestApp;

  before(async () => {
    server = await startTestApp();
  });

  after(async () => {
    await server?.close();
  });

  test('GET /api/v1/actions takes every state of the list as ?state=', async () => {
    for (const state of ACTION_STATES) {
      const response = await server.api<{ actions: unknown[] }>(
        'GET',
        `/api/v1/actions?state=${encodeURIComponent(state)}`,
      );
      assert.equal(response.status, 200, `${state}: ${JSON.stringify(response.body)}`);
      assert.deepEqual(response.body.actions, [], state);
    }
  });

  test('any other state is refused with 400 naming the states it takes', async () => {
    for (const state of ['Bogus', 'success', 'Cancelled', '']) {
      const response = await server.api<ErrorBody>(
        'GET',
        `/api/v1/actions?state=${encodeURIComponent(state)}`,
      );
      assert.equal(response.status, 400, `${state}: ${JSON.stringify(response.body)}`);
      assert.equal(response.body.error.code, 'bad_request', state);
      assert.match(response.body.error.message, /state/, state);
      assert.ok(
        response.body.error.message.includes(`(allowed: ${ACTION_STATES.join(', ')})`),
        response.body.error.message,
      );
    }
  });
});
