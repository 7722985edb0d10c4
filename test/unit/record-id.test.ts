/**
 * newRecordId: the ids of the rows every call writes, made from a pool of
 * random bytes, in the order they were made.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newRecordId } from '../../src/domain/record-id.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The milliseconds since 1970 an id begins with (its first 48 bits). */
function msOf(id: string): number {
  return parseInt(id.replace(/-/g, '').slice(0, 12), 16);
}

describe('newRecordId', () => {
  it('makes UUIDv7 ids, all different, that sort in the order they were made and begin with the time', () => {
    const before = Date.now();
    // More than one pool of random bytes (256 ids) and many ids within one millisecond.
    const ids = Array.from({ length: 20_000 }, () => newRecordId());
    const after = Date.now();
    for (const id of ids) assert.match(id, UUID_V7);
    assert.equal(new Set(ids).size, ids.length);
    assert.deepEqual([...ids].sort(), ids);
    assert.ok(msOf(ids[0] ?? '') >= before, 'the first id begins with the time it was made');
    // Within one millisecond the counter may carry into the next: at most a little ahead.
    assert.ok(msOf(ids.at(-1) ?? '') <= after + 1, 'the last id begins with the time it was made');
  });

  it('uses fresh random bytes for each id', () => {
    const tails = new Set(Array.from({ length: 1_000 }, () => newRecordId().slice(-12)));
    assert.equal(tails.size, 1_000);
  });
});
