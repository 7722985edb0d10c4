import assert from 'node:assert/strict';
import { HoistError } from '../../src/domain/errors.js';

/**
 * The HoistError the promise is refused with; fails the test with
 * `whenAccepted` when it is not refused, and on any other error.
 */
export async function refusal(
  promise: Promise<unknown>,
  whenAccepted = 'the call was accepted',
): Promise<HoistError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof HoistError, String(error));
    return error;
  }
  assert.fail(whenAccepted);
}

/** The HoistError the promise is refused with, which must have this code and a message matching `message`. */
export async function expectHoistError(
  promise: Promise<unknown>,
  code: string,
  message: RegExp,
): Promise<HoistError> {
  const error = await refusal(promise, `expected HoistError ${code}`);
  assert.equal(error.code, code, error.message);
  assert.match(error.message, message);
  return error;
}
