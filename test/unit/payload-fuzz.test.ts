/**
 * Property-based fuzzing (fast-check) of every payload parser, through
 * parsePayload (which dispatches to the Docker Hub, registry notification and
 * GitHub package parsers): whatever the body, content type and headers, it
 * never throws and always returns a well-formed result; and a payload (however
 * mangled) naming another repository never matches a service's image.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { matchPush } from '../../src/domain/payloads/match-push.js';
import { parsePayload } from '../../src/domain/payloads/parse-payload.js';
import {
  contentTypeArb,
  headersArb,
  otherRepositoryPayloadArb,
  SERVICE_IMAGES,
} from '../support/payload-arbitraries.js';
import { assertWellFormed } from '../support/payload-checks.js';

const parses = (
  contentType: string | null,
  body: Buffer | null,
  headers: Record<string, string>,
) => {
  const parsed = parsePayload({ contentType, body, headers });
  assertWellFormed(parsed);
  for (const image of SERVICE_IMAGES) matchPush(image, parsed);
  return parsed;
};

describe('payload parsers under random input', () => {
  it('random bytes, any content type and headers: never throws, always well formed', () => {
    fc.assert(
      fc.property(
        contentTypeArb,
        fc.option(fc.uint8Array({ maxLength: 2048 }), { nil: null }),
        headersArb,
        (type, bytes, headers) => {
          parses(type, bytes ? Buffer.from(bytes) : null, headers);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('random JSON values and texts: never throws, always well formed', () => {
    fc.assert(
      fc.property(
        contentTypeArb,
        fc.oneof(fc.json({ maxDepth: 6 }), fc.string({ unit: 'binary', maxLength: 300 })),
        headersArb,
        (type, text, headers) => {
          parses(type, Buffer.from(text, 'utf8'), headers);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('mangled Docker Hub, registry and GitHub payloads naming another repository never match', () => {
    fc.assert(
      fc.property(otherRepositoryPayloadArb, ({ contentType, body, headers }) => {
        const parsed = parses(contentType, Buffer.from(body, 'utf8'), headers);
        for (const image of SERVICE_IMAGES) {
          const match = matchPush(image, parsed);
          assert.notEqual(match.outcome, 'match', `${image} matched ${body}`);
        }
      }),
      { numRuns: 4000 },
    );
  });
});
