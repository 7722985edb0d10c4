/**
 * What every parsed payload must be, whatever went in: shared by the example
 * tests (parse-payload) and the fuzzer (payload-fuzz), so both check the same.
 */
import assert from 'node:assert/strict';
import {
  isDigest,
  isRegistryHost,
  isRepositoryPath,
  isTag,
} from '../../src/domain/image-reference.js';
import type { ParsedPayload } from '../../src/domain/payloads/payload.js';

/** A known kind, a valid lower-case name for every push, a printable prefixed key, a callback only from Docker Hub. */
export function assertWellFormed(parsed: ParsedPayload): void {
  assert.ok(['dockerhub', 'registry', 'github', 'plain'].includes(parsed.kind));
  assert.ok(Number.isInteger(parsed.ignoredEvents) && parsed.ignoredEvents >= 0);
  for (const push of parsed.pushes) {
    assert.ok(isRegistryHost(push.host), `host ${push.host}`);
    assert.equal(push.host, push.host.toLowerCase());
    assert.ok(isRepositoryPath(push.path), `path ${push.path}`);
    assert.ok(push.tag === null || isTag(push.tag), `tag ${push.tag}`);
    assert.ok(push.digest === null || isDigest(push.digest), `digest ${push.digest}`);
  }
  if (parsed.kind === 'plain') assert.deepEqual(parsed.pushes, []);
  if (parsed.deliveryKey !== null) assert.match(parsed.deliveryKey, /^[a-z-]+:[\x21-\x7e]{1,200}$/);
  if (parsed.callbackUrl !== null) assert.equal(parsed.kind, 'dockerhub');
}
