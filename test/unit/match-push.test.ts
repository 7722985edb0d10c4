/**
 * Whether a payload is about the image a service runs: the same registry
 * host, repository and tag, however each side spells them; and the reason a
 * payload about another image is ignored.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matchPush } from '../../src/domain/payloads/match-push.js';
import { parsePayload } from '../../src/domain/payloads/parse-payload.js';
import type { ImagePush, ParsedPayload } from '../../src/domain/payloads/payload.js';

const DIGEST = `sha256:${'4f'.repeat(32)}`;
const OTHER_DIGEST = `sha256:${'a0'.repeat(32)}`;

function payload(kind: ParsedPayload['kind'], pushes: ImagePush[], ignoredEvents = 0) {
  return { kind, pushes, ignoredEvents, deliveryKey: null, callbackUrl: null };
}

function registryPush(host: string, path: string, tag: string, digest = DIGEST): ParsedPayload {
  return payload('registry', [{ host, path, tag, digest }]);
}

/** A Docker Hub payload for `repoName:tag`, parsed as Hoist receives it. */
function hubPayload(repoName: string, tag: string): ParsedPayload {
  const body = { push_data: { tag }, repository: { repo_name: repoName } };
  return parsePayload({
    contentType: 'application/json',
    body: Buffer.from(JSON.stringify(body)),
    headers: {},
  });
}

function outcome(serviceImageRef: string, parsed: ParsedPayload): string {
  const match = matchPush(serviceImageRef, parsed);
  return match.outcome === 'ignore' ? `ignore: ${match.reason}` : match.outcome;
}

describe('matchPush', () => {
  it('triggers on a plain payload, whatever the service runs', () => {
    const plain = payload('plain', []);
    for (const ref of ['127.0.0.1:5000/app:latest', 'nginx', '', `sha256:${'0'.repeat(64)}`]) {
      assert.deepEqual(matchPush(ref, plain), { outcome: 'trigger' });
    }
  });

  it('matches the same host, repository and tag, and gives the pushed digest', () => {
    const parsed = registryPush('127.0.0.1:5000', 'app', 'latest');
    assert.deepEqual(matchPush('127.0.0.1:5000/app:latest', parsed), {
      outcome: 'match',
      push: { host: '127.0.0.1:5000', path: 'app', tag: 'latest', digest: DIGEST },
    });
  });

  it('reads a service without a tag as latest', () => {
    const parsed = registryPush('127.0.0.1:5000', 'app', 'latest');
    assert.equal(outcome('127.0.0.1:5000/app', parsed), 'match');
  });

  it('ignores another tag of the same repository, naming both', () => {
    assert.equal(
      outcome('127.0.0.1:5000/app', registryPush('127.0.0.1:5000', 'app', 'dev')),
      'ignore: pushed 127.0.0.1:5000/app:dev; this service runs 127.0.0.1:5000/app:latest',
    );
    assert.equal(
      outcome('127.0.0.1:5000/app:dev', registryPush('127.0.0.1:5000', 'app', 'latest')),
      'ignore: pushed 127.0.0.1:5000/app:latest; this service runs 127.0.0.1:5000/app:dev',
    );
  });

  it('ignores another repository on the same registry, and a repository under another path', () => {
    assert.equal(
      outcome('127.0.0.1:5000/app:latest', registryPush('127.0.0.1:5000', 'other', 'latest')),
      'ignore: pushed 127.0.0.1:5000/other:latest; this service runs 127.0.0.1:5000/app:latest',
    );
    assert.match(
      outcome('127.0.0.1:5000/team/app', registryPush('127.0.0.1:5000', 'app', 'latest')),
      /^ignore: /,
    );
    assert.match(
      outcome('127.0.0.1:5000/app', registryPush('127.0.0.1:5000', 'team/app', 'latest')),
      /^ignore: /,
    );
  });

  it('ignores the same repository and tag on another host, or on another port', () => {
    const parsed = registryPush('127.0.0.1:5000', 'app', 'latest');
    for (const ref of [
      'registry.example.com/app:latest',
      '127.0.0.1:5001/app:latest',
      '127.0.0.1/app:latest',
      'localhost:5000/app:latest',
      'app:latest',
    ]) {
      assert.match(outcome(ref, parsed), /^ignore: pushed 127\.0\.0\.1:5000\/app:latest; /, ref);
    }
  });

  it('compares registry hosts without regard to case', () => {
    const parsed = registryPush('registry.example.com:5000', 'app', 'latest');
    assert.equal(outcome('Registry.Example.com:5000/app', parsed), 'match');
  });

  it('matches Hub short names with their full names, both ways', () => {
    const services = [
      'nginx',
      'nginx:latest',
      'library/nginx',
      'docker.io/nginx:latest',
      'docker.io/library/nginx:latest',
      'index.docker.io/library/nginx',
      'registry-1.docker.io/nginx:latest',
    ];
    for (const ref of services) {
      assert.equal(outcome(ref, hubPayload('nginx', 'latest')), 'match', `${ref} / nginx`);
      assert.equal(outcome(ref, hubPayload('library/nginx', 'latest')), 'match', ref);
      const fromRegistry = registryPush('docker.io', 'library/nginx', 'latest');
      assert.equal(outcome(ref, fromRegistry), 'match', ref);
    }
  });

  it('keeps Hub users apart from official images and from other registries', () => {
    assert.equal(
      outcome('nginx', hubPayload('someone/nginx', 'latest')),
      'ignore: pushed docker.io/someone/nginx:latest; this service runs docker.io/library/nginx:latest',
    );
    assert.match(outcome('ghcr.io/nginx/nginx', hubPayload('nginx/nginx', 'latest')), /^ignore: /);
    assert.equal(
      outcome('svendowideit/testhook', hubPayload('svendowideit/testhook', 'latest')),
      'match',
    );
  });

  it('matches a service pinned to a digest by its tag, and leaves the digest to the caller', () => {
    const parsed = registryPush('127.0.0.1:5000', 'app', 'latest', OTHER_DIGEST);
    const match = matchPush(`127.0.0.1:5000/app:latest@${DIGEST}`, parsed);
    assert.equal(match.outcome, 'match');
    assert.equal(match.outcome === 'match' && match.push.digest, OTHER_DIGEST);
    assert.equal(outcome(`127.0.0.1:5000/app:dev@${DIGEST}`, parsed).startsWith('ignore'), true);
  });

  it('ignores pushes for a service pinned to a digest alone: it follows no tag', () => {
    const parsed = registryPush('127.0.0.1:5000', 'app', 'latest');
    assert.equal(
      outcome(`127.0.0.1:5000/app@${DIGEST}`, parsed),
      `ignore: pushed 127.0.0.1:5000/app:latest; this service runs 127.0.0.1:5000/app@${DIGEST}, a digest with no tag to follow`,
    );
  });

  it('ignores pushes for a service that runs an image id or nothing known', () => {
    const parsed = registryPush('127.0.0.1:5000', 'app', 'latest');
    const id = `sha256:${'e3'.repeat(32)}`;
    assert.equal(
      outcome(id, parsed),
      `ignore: pushed 127.0.0.1:5000/app:latest; this service runs image ${id}, not a repository and tag`,
    );
    assert.match(outcome('  ', parsed), /this service runs no known image/);
  });

  it('ignores pushes for a service whose reference names no repository', () => {
    const parsed = registryPush('127.0.0.1:5000', 'app', 'latest');
    assert.equal(
      outcome(':latest', parsed),
      'ignore: pushed 127.0.0.1:5000/app:latest; this service runs :latest, a reference that names no repository',
    );
  });

  it('matches one push among several, and names at most three of those it ignores', () => {
    const pushes = ['a', 'b', 'c', 'd', 'e'].map((tag) => ({
      host: '127.0.0.1:5000',
      path: 'app',
      tag,
      digest: null,
    }));
    const parsed = payload('registry', pushes);
    const match = matchPush('127.0.0.1:5000/app:d', parsed);
    assert.deepEqual(match, { outcome: 'match', push: pushes[3] });
    assert.equal(
      outcome('127.0.0.1:5000/app:z', parsed),
      'ignore: pushed 127.0.0.1:5000/app:a, 127.0.0.1:5000/app:b, 127.0.0.1:5000/app:c and 2 more; this service runs 127.0.0.1:5000/app:z',
    );
  });

  it('ignores a payload that pushed no tag, saying what it carried', () => {
    assert.equal(
      outcome('127.0.0.1:5000/app', payload('registry', [], 3)),
      'ignore: no tag was pushed (3 blob, pull or untagged manifest events)',
    );
    assert.equal(
      outcome('127.0.0.1:5000/app', payload('registry', [], 1)),
      'ignore: no tag was pushed (1 blob, pull or untagged manifest event)',
    );
    assert.equal(
      outcome('127.0.0.1:5000/app', payload('registry', [], 0)),
      'ignore: no tag was pushed (the notification carried no events)',
    );
    assert.match(
      outcome('ghcr.io/o/app', payload('github', [], 1)),
      /^ignore: no tag was pushed \(/,
    );
    assert.match(outcome('o/app', payload('dockerhub', [], 1)), /^ignore: no tag was pushed \(/);
  });

  it('reads a push without a tag as latest', () => {
    const parsed = payload('registry', [
      { host: '127.0.0.1:5000', path: 'app', tag: null, digest: null },
    ]);
    assert.equal(outcome('127.0.0.1:5000/app', parsed), 'match');
    assert.match(outcome('127.0.0.1:5000/app:dev', parsed), /^ignore: /);
  });
});
