/**
 * Image references as Docker reads them: repository, tag and digest, and the
 * canonical registry host and path by which two spellings compare.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  canonicalName,
  digestFor,
  followedTag,
  isDigest,
  isRegistryHost,
  isRepositoryPath,
  isTag,
  parseImageReference,
} from '../../src/domain/image-reference.js';

const DIGEST = `sha256:${'9b'.repeat(32)}`;

describe('parseImageReference', () => {
  it('splits repository, tag and digest, and names host and path canonically', () => {
    const cases: [string, string, string, string, string | null, string | null][] = [
      ['nginx', 'nginx', 'docker.io', 'library/nginx', null, null],
      ['nginx:1.25', 'nginx', 'docker.io', 'library/nginx', '1.25', null],
      ['library/nginx', 'library/nginx', 'docker.io', 'library/nginx', null, null],
      ['docker.io/nginx', 'docker.io/nginx', 'docker.io', 'library/nginx', null, null],
      ['index.docker.io/nginx', 'index.docker.io/nginx', 'docker.io', 'library/nginx', null, null],
      ['registry-1.docker.io/a/b:c', 'registry-1.docker.io/a/b', 'docker.io', 'a/b', 'c', null],
      [
        'svendowideit/testhook',
        'svendowideit/testhook',
        'docker.io',
        'svendowideit/testhook',
        null,
        null,
      ],
      ['127.0.0.1:5000/app:dev', '127.0.0.1:5000/app', '127.0.0.1:5000', 'app', 'dev', null],
      ['localhost/app', 'localhost/app', 'localhost', 'app', null, null],
      [
        'localhost:5000/team/app',
        'localhost:5000/team/app',
        'localhost:5000',
        'team/app',
        null,
        null,
      ],
      [
        'Registry.Example.com/app',
        'Registry.Example.com/app',
        'registry.example.com',
        'app',
        null,
        null,
      ],
      ['Myhost/app', 'Myhost/app', 'myhost', 'app', null, null],
      ['[::1]:5000/app:v1', '[::1]:5000/app', '[::1]:5000', 'app', 'v1', null],
      [`ghcr.io/o/r:v1@${DIGEST}`, 'ghcr.io/o/r', 'ghcr.io', 'o/r', 'v1', DIGEST],
      [`nginx@${DIGEST}`, 'nginx', 'docker.io', 'library/nginx', null, DIGEST],
      ['  busybox:latest  ', 'busybox', 'docker.io', 'library/busybox', 'latest', null],
      ['', '', 'docker.io', '', null, null],
    ];
    for (const [ref, repository, host, path, tag, digest] of cases) {
      assert.deepEqual(parseImageReference(ref), { repository, host, path, tag, digest }, ref);
    }
  });

  it('never throws, whatever the string', () => {
    for (const ref of ['@', ':', '/', '//:@', '@@@', 'a:b:c', ':tag', '/x', 'x/', '\u0000']) {
      parseImageReference(ref);
    }
  });
});

describe('canonicalName', () => {
  it('names Hub aliases docker.io, adds library/ there only, and lowers hosts', () => {
    assert.deepEqual(canonicalName('index.docker.io', 'nginx'), {
      host: 'docker.io',
      path: 'library/nginx',
    });
    assert.deepEqual(canonicalName('Registry-1.Docker.IO', 'u/app'), {
      host: 'docker.io',
      path: 'u/app',
    });
    assert.deepEqual(canonicalName('127.0.0.1:5000', 'app'), {
      host: '127.0.0.1:5000',
      path: 'app',
    });
  });

  it('names a host alone with an empty path, as registry credentials look hosts up', () => {
    assert.deepEqual(canonicalName(' Index.Docker.IO ', ''), { host: 'docker.io', path: '' });
    assert.deepEqual(canonicalName('Registry.Example.com:5000', ''), {
      host: 'registry.example.com:5000',
      path: '',
    });
  });
});

describe('followedTag', () => {
  it('follows the tag a reference names, and "latest" when it names none', () => {
    const cases: [string, string, string, string, string, string | null][] = [
      ['nginx', 'nginx', 'docker.io', 'library/nginx', 'latest', null],
      ['  nginx:1.25 ', 'nginx', 'docker.io', 'library/nginx', '1.25', null],
      ['index.docker.io/u/app:dev', 'index.docker.io/u/app', 'docker.io', 'u/app', 'dev', null],
      ['127.0.0.1:5000/app', '127.0.0.1:5000/app', '127.0.0.1:5000', 'app', 'latest', null],
      [
        `127.0.0.1:5000/app:v1@${DIGEST}`,
        '127.0.0.1:5000/app',
        '127.0.0.1:5000',
        'app',
        'v1',
        DIGEST,
      ],
      // A short hex string reads as a repository: only the engine knows its image ids.
      ['4a1f3c', '4a1f3c', 'docker.io', 'library/4a1f3c', 'latest', null],
    ];
    for (const [ref, repository, host, path, tag, digest] of cases) {
      assert.deepEqual(
        followedTag(ref),
        { ok: true, reference: { repository, host, path, tag, digest } },
        ref,
      );
    }
  });

  it('names why empty text, image ids, names without a repository and bare digests are not followed', () => {
    assert.deepEqual(followedTag(''), { ok: false, problem: 'empty' });
    assert.deepEqual(followedTag('   '), { ok: false, problem: 'empty' });
    assert.deepEqual(followedTag(`sha256:${'e3'.repeat(32)}`), { ok: false, problem: 'image-id' });
    assert.deepEqual(followedTag(` ${'e3'.repeat(32)} `), { ok: false, problem: 'image-id' });
    assert.deepEqual(followedTag(':dev'), {
      ok: false,
      problem: 'no-repository',
      reference: { repository: '', host: 'docker.io', path: '', tag: 'dev', digest: null },
    });
    assert.deepEqual(followedTag(`@${DIGEST}`), {
      ok: false,
      problem: 'no-repository',
      reference: { repository: '', host: 'docker.io', path: '', tag: null, digest: DIGEST },
    });
    assert.deepEqual(followedTag(`127.0.0.1:5000/app@${DIGEST}`), {
      ok: false,
      problem: 'digest-only',
      reference: {
        repository: '127.0.0.1:5000/app',
        host: '127.0.0.1:5000',
        path: 'app',
        tag: null,
        digest: DIGEST,
      },
    });
  });
});

describe('digestFor', () => {
  const repoDigests = [
    `127.0.0.1:5000/app@sha256:${'01'.repeat(32)}`,
    `nginx@sha256:${'02'.repeat(32)}`,
    'not-a-digest-entry',
  ];

  it("picks the digest of the reference's repository, however either is spelled", () => {
    assert.equal(digestFor('127.0.0.1:5000/app:latest', repoDigests), `sha256:${'01'.repeat(32)}`);
    assert.equal(digestFor('docker.io/library/nginx:1', repoDigests), `sha256:${'02'.repeat(32)}`);
    assert.equal(digestFor('library/nginx', repoDigests), `sha256:${'02'.repeat(32)}`);
  });

  it('gives a pinned digest, and null for image ids, other repositories and no digests', () => {
    assert.equal(digestFor(`other@${DIGEST}`, repoDigests), DIGEST);
    assert.equal(digestFor('127.0.0.1:5001/app', repoDigests), null);
    assert.equal(digestFor(`sha256:${'0f'.repeat(32)}`, repoDigests), null);
    assert.equal(digestFor('', repoDigests), null);
    assert.equal(digestFor('nginx', null), null);
  });
});

describe('grammar checks for names from payloads', () => {
  it('accept what Docker accepts and refuse the rest', () => {
    for (const tag of ['latest', 'v1.2.3', '1', 'a_b-c.d', 'A'.repeat(128)])
      assert.ok(isTag(tag), tag);
    for (const tag of ['', '-x', '.x', 'a b', 'a/b', 'a:b', 'A'.repeat(129)]) {
      assert.equal(isTag(tag), false, tag);
    }
    for (const path of ['app', 'team/app', 'a.b_c__d---e/f', 'library/nginx']) {
      assert.ok(isRepositoryPath(path), path);
    }
    for (const path of [
      '',
      'App',
      'a//b',
      '/a',
      'a/',
      '../a',
      'a_',
      '_a',
      'a___b',
      'a'.repeat(256),
    ]) {
      assert.equal(isRepositoryPath(path), false, path);
    }
    for (const host of [
      '127.0.0.1:5000',
      'localhost',
      'ghcr.io',
      'my-registry.example.com:443',
      '[::1]:5000',
    ]) {
      assert.ok(isRegistryHost(host), host);
    }
    for (const host of ['', 'a b', 'host:port', '-host', 'host-', 'a/b', 'user@host', 'h:123456']) {
      assert.equal(isRegistryHost(host), false, host);
    }
    assert.ok(isDigest(DIGEST));
    for (const digest of [
      'sha256:',
      'sha256:xyz',
      'md5:abc',
      DIGEST.slice(7),
      `sha256:${'a'.repeat(300)}`,
    ]) {
      assert.equal(isDigest(digest), false, digest);
    }
  });
});
