/**
 * Payload recognition: what Docker Hub, a distribution registry and GitHub
 * send, read into pushes that compare with a service's image; and every
 * malformed input read as a plain trigger or a payload with no pushes, never
 * an exception.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { parsePayload } from '../../src/domain/payloads/parse-payload.js';
import type { ParsedPayload } from '../../src/domain/payloads/payload.js';
import { assertWellFormed } from '../support/payload-checks.js';
import {
  dockerHubExamplePayload,
  LAYER_TYPE,
  MANIFEST_V2_TYPE,
  REGISTRY_EVENTS_TYPE as EVENTS_TYPE,
  registryEvent,
  type RegistryEvent,
} from '../support/registry-payloads.js';

const JSON_TYPE = 'application/json';

function digestOf(content: string): string {
  return `sha256:${createHash('sha256').update(content).digest('hex')}`;
}

function parse(
  body: unknown,
  contentType: string | null = JSON_TYPE,
  headers: Record<string, string | undefined> = {},
): ParsedPayload {
  const raw =
    body === null ? null : Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
  return parsePayload({ contentType, body: raw, headers });
}

// --- Docker Hub -------------------------------------------------------------

/** Docker Hub's documented example, the one the other tests send too. */
const HUB_EXAMPLE = dockerHubExamplePayload();

describe('Docker Hub payloads', () => {
  it("reads Docker's documented example as one push of svendowideit/testhook:latest on docker.io", () => {
    const parsed = parse(HUB_EXAMPLE);
    assert.deepEqual(parsed, {
      kind: 'dockerhub',
      pushes: [{ host: 'docker.io', path: 'svendowideit/testhook', tag: 'latest', digest: null }],
      ignoredEvents: 0,
      deliveryKey: `dockerhub-callback:${HUB_EXAMPLE.callback_url}`,
      callbackUrl: HUB_EXAMPLE.callback_url,
    });
  });

  it('names an official image under library/, as a service running "nginx" does', () => {
    const official = dockerHubExamplePayload({
      push_data: { tag: '1.25-alpine' },
      repository: { repo_name: 'nginx' },
    });
    assert.deepEqual(parse(official).pushes, [
      { host: 'docker.io', path: 'library/nginx', tag: '1.25-alpine', digest: null },
    ]);
  });

  it('reads the older documented example, with a push_data.images list, the same way', () => {
    const older = dockerHubExamplePayload({
      push_data: {
        images: [
          '27d47432a69bca5f2700e4dff7de0388ed65f9d3fb1ec645e2bc24c223dc1cc3',
          '51a9c7c1f8bb2fa19bcd09789a34e63f35abb80044bc10196e304f6634cc582c',
          '...',
        ],
      },
    });
    assert.deepEqual(parse(older), parse(HUB_EXAMPLE));
  });

  it('reads the same payload with a charset, in upper case, or with no content type', () => {
    for (const type of ['application/json; charset=utf-8', 'APPLICATION/JSON', null, '']) {
      assert.equal(parse(HUB_EXAMPLE, type).kind, 'dockerhub', String(type));
    }
  });

  it('is a Hub payload with no push when the tag or repository is missing or unusable', () => {
    for (const pushData of [{}, { tag: '' }, { tag: 7 }, { tag: 'bad tag' }, { tag: '-x' }]) {
      const parsed = parse({ ...HUB_EXAMPLE, push_data: pushData });
      assert.equal(parsed.kind, 'dockerhub');
      assert.deepEqual(parsed.pushes, []);
      assert.equal(parsed.ignoredEvents, 1);
    }
    for (const repoName of [undefined, '', 'a//b', 'UPPER/../x', 42]) {
      const parsed = parse({ ...HUB_EXAMPLE, repository: { repo_name: repoName } });
      assert.deepEqual(parsed.pushes, [], String(repoName));
    }
  });

  it('keeps only an http(s) callback_url', () => {
    for (const url of ['javascript:alert(1)', 'file:///etc/passwd', 'not a url', 12, null]) {
      const parsed = parse({ ...HUB_EXAMPLE, callback_url: url });
      assert.equal(parsed.callbackUrl, null, String(url));
      assert.equal(parsed.deliveryKey, null);
    }
  });
});

// --- distribution registry ----------------------------------------------------

const REGISTRY = '127.0.0.1:5000';
const LAYER = digestOf('layer');
const CONFIG = digestOf('config');
const MANIFEST = digestOf('manifest');

function blobPush(digest: string): RegistryEvent {
  return registryEvent({ host: REGISTRY, repository: 'app', mediaType: LAYER_TYPE, digest });
}

function manifestPush(tag: string | undefined, digest = MANIFEST, repository = 'app') {
  return registryEvent({
    host: REGISTRY,
    repository,
    digest,
    ...(tag === undefined ? {} : { tag }),
  });
}

/**
 * What one `docker push 127.0.0.1:5000/app:latest` of a one-layer image sent
 * the registry's endpoint: nine push events (blob uploads, the manifest by
 * digest, the manifest by tag), and the pulls of a `docker pull` after it.
 */
function onePushEnvelope() {
  const events = [
    blobPush(LAYER),
    blobPush(CONFIG),
    blobPush(LAYER),
    blobPush(CONFIG),
    blobPush(LAYER),
    blobPush(CONFIG),
    blobPush(LAYER),
    manifestPush(undefined),
    manifestPush('latest'),
    registryEvent({
      host: REGISTRY,
      repository: 'app',
      action: 'pull',
      mediaType: MANIFEST_V2_TYPE,
      digest: MANIFEST,
      tag: 'latest',
    }),
    registryEvent({
      host: REGISTRY,
      repository: 'app',
      action: 'pull',
      mediaType: LAYER_TYPE,
      digest: LAYER,
    }),
  ];
  return { events, tagged: events[8] as { id: string } };
}

describe('distribution registry notifications', () => {
  it('reads nine push events and two pulls of one docker push as exactly one push', () => {
    const { events, tagged } = onePushEnvelope();
    const parsed = parse({ events }, EVENTS_TYPE);
    assert.deepEqual(parsed, {
      kind: 'registry',
      pushes: [{ host: REGISTRY, path: 'app', tag: 'latest', digest: MANIFEST }],
      ignoredEvents: 10,
      deliveryKey: `registry-event:${tagged.id}`,
      callbackUrl: null,
    });
  });

  it('collapses several events for one tag into one push, keyed by all their ids', () => {
    const first = manifestPush('latest');
    const again = manifestPush('latest');
    const parsed = parse({ events: [blobPush(LAYER), first, again] }, EVENTS_TYPE);
    assert.equal(parsed.pushes.length, 1);
    assert.equal(parsed.deliveryKey, `registry-event:${String(first.id)},${String(again.id)}`);
  });

  it('keeps one push per repository and tag, in the order they came', () => {
    const parsed = parse(
      {
        events: [
          manifestPush('dev'),
          manifestPush('latest', digestOf('other'), 'team/other'),
          manifestPush('latest'),
          manifestPush('dev'),
        ],
      },
      EVENTS_TYPE,
    );
    assert.deepEqual(
      parsed.pushes.map((p) => `${p.path}:${p.tag}`),
      ['app:dev', 'team/other:latest', 'app:latest'],
    );
  });

  it('counts manifest lists and OCI manifests and indexes, with media type parameters', () => {
    for (const mediaType of [
      'application/vnd.docker.distribution.manifest.list.v2+json',
      'application/vnd.oci.image.manifest.v1+json',
      'application/vnd.oci.image.index.v1+json',
      'application/vnd.oci.image.manifest.v1+json; charset=utf-8',
    ]) {
      const event = manifestPush('v2');
      (event.target as Record<string, unknown>).mediaType = mediaType;
      assert.equal(parse({ events: [event] }, EVENTS_TYPE).pushes.length, 1, mediaType);
    }
  });

  it('never counts blob pushes, pulls, untagged manifests, mounts or deletes', () => {
    const mount = manifestPush('latest');
    mount.action = 'mount';
    const deleted = manifestPush('latest');
    deleted.action = 'delete';
    const config = registryEvent({
      host: REGISTRY,
      repository: 'app',
      mediaType: 'application/vnd.docker.container.image.v1+json',
      digest: CONFIG,
      tag: 'latest',
    });
    const events = [blobPush(LAYER), manifestPush(undefined), mount, deleted, config];
    const parsed = parse({ events }, EVENTS_TYPE);
    assert.deepEqual(parsed.pushes, []);
    assert.equal(parsed.ignoredEvents, 5);
    // No counted event: the first event's id still recognizes a repeat.
    assert.equal(parsed.deliveryKey, `registry-event:${String(events[0]?.id)}`);
  });

  it('takes the host from request.host, or from target.url when the request names none', () => {
    const event = manifestPush('latest');
    (event.request as Record<string, unknown>).host = 'Registry.Example.com';
    assert.equal(parse({ events: [event] }).pushes[0]?.host, 'registry.example.com');

    const noHost = manifestPush('latest');
    delete (noHost.request as Record<string, unknown>).host;
    assert.equal(parse({ events: [noHost] }).pushes[0]?.host, REGISTRY);

    const neither = manifestPush('latest');
    delete (neither.request as Record<string, unknown>).host;
    delete (neither.target as Record<string, unknown>).url;
    assert.deepEqual(parse({ events: [neither] }).pushes, []);
  });

  it('names a push to Docker Hub by the registry like a Hub image', () => {
    const event = manifestPush('latest', MANIFEST, 'nginx');
    (event.request as Record<string, unknown>).host = 'registry-1.docker.io';
    assert.deepEqual(parse({ events: [event] }).pushes, [
      { host: 'docker.io', path: 'library/nginx', tag: 'latest', digest: MANIFEST },
    ]);
  });

  it('recognizes an envelope sent as JSON, and not an unrelated "events" list', () => {
    assert.equal(parse({ events: [manifestPush('latest')] }, JSON_TYPE).kind, 'registry');
    assert.equal(parse({ events: [] }, JSON_TYPE).kind, 'plain');
    assert.equal(parse({ events: [{ type: 'deploy' }, 'x'] }, JSON_TYPE).kind, 'plain');
    assert.equal(parse({ events: 'many' }, JSON_TYPE).kind, 'plain');
  });

  it("is a registry payload with no push when the registry's content type holds no events", () => {
    for (const body of [{}, { events: [] }, { events: {} }, [], 'null', Buffer.from('{"ev')]) {
      const parsed = parse(body, EVENTS_TYPE);
      assert.equal(parsed.kind, 'registry');
      assert.deepEqual(parsed.pushes, []);
    }
  });

  it('drops a digest that is not one, and keeps the push', () => {
    const event = manifestPush('latest', 'md5:nope');
    assert.deepEqual(parse({ events: [event] }).pushes, [
      { host: REGISTRY, path: 'app', tag: 'latest', digest: null },
    ]);
  });
});

// --- GitHub Packages ------------------------------------------------------------

const GH_DIGEST = digestOf('ghcr manifest');
const GH_DELIVERY = '72d3162e-cc78-11e3-81ab-4c9367dc0958';

/** A `registry_package` `published` event for a container pushed to ghcr.io. */
function gitHubRegistryPackage(): Record<string, unknown> {
  const owner = {
    login: 'octo-org',
    id: 6811672,
    node_id: 'MDEyOk9yZ2FuaXphdGlvbjY4MTE2NzI=',
    avatar_url: 'https://avatars.githubusercontent.com/u/6811672?v=4',
    type: 'Organization',
    site_admin: false,
  };
  return {
    action: 'published',
    registry_package: {
      id: 2044331,
      name: 'hello-world',
      namespace: 'octo-org',
      description: '',
      ecosystem: 'CONTAINER',
      package_type: 'CONTAINER',
      html_url: 'https://github.com/orgs/octo-org/packages/container/package/hello-world',
      created_at: '2024-03-12T16:31:05Z',
      updated_at: '2024-03-12T16:31:05Z',
      owner,
      package_version: {
        id: 187330811,
        version: GH_DIGEST,
        name: GH_DIGEST,
        description: '',
        summary: '',
        body: '',
        body_html: '',
        manifest: '',
        html_url: 'https://github.com/orgs/octo-org/packages/container/hello-world/187330811',
        target_commitish: '',
        target_oid: '',
        created_at: '0001-01-01T00:00:00Z',
        updated_at: '0001-01-01T00:00:00Z',
        metadata: [],
        container_metadata: {
          tag: { name: 'v1.2.0', digest: GH_DIGEST },
          labels: {
            description: '',
            source: 'https://github.com/octo-org/hello-world',
            revision: '0f1e2d3c4b5a69788796a5b4c3d2e1f001234567',
            image_url: '',
            licenses: '',
            all_labels: {},
          },
          manifest: {
            digest: GH_DIGEST,
            media_type: 'application/vnd.oci.image.index.v1+json',
            uri: `repositories/octo-org/hello-world/manifests/${GH_DIGEST}`,
            size: 856,
            config: { digest: '', media_type: '', size: 0 },
            layers: [],
          },
        },
        package_files: [],
        installation_command: 'docker pull ghcr.io/octo-org/hello-world:v1.2.0',
        package_url: 'ghcr.io/octo-org/hello-world:v1.2.0',
      },
      registry: {
        about_url:
          'https://docs.github.com/packages/learn-github-packages/introduction-to-github-packages',
        name: 'GitHub CONTAINER registry',
        type: 'CONTAINER',
        url: 'https://ghcr.io/octo-org',
        vendor: 'GitHub Inc',
      },
    },
    repository: { id: 1296269, name: 'hello-world', full_name: 'octo-org/hello-world', owner },
    organization: { login: 'octo-org', id: 6811672 },
    sender: { login: 'octocat', id: 583231, type: 'User' },
  };
}

const GH_HEADERS = {
  'X-GitHub-Event': 'registry_package',
  'X-GitHub-Delivery': GH_DELIVERY,
  'X-GitHub-Hook-ID': '292430182',
  'User-Agent': 'GitHub-Hookshot/b8c7f8a',
};

function versionOf(payload: Record<string, unknown>): Record<string, unknown> {
  const pkg = payload.registry_package as Record<string, unknown>;
  return pkg.package_version as Record<string, unknown>;
}

describe('GitHub package events', () => {
  it('reads a registry_package event as a push of ghcr.io/octo-org/hello-world:v1.2.0', () => {
    assert.deepEqual(parse(gitHubRegistryPackage(), JSON_TYPE, GH_HEADERS), {
      kind: 'github',
      pushes: [{ host: 'ghcr.io', path: 'octo-org/hello-world', tag: 'v1.2.0', digest: GH_DIGEST }],
      ignoredEvents: 0,
      deliveryKey: `github-delivery:${GH_DELIVERY}`,
      callbackUrl: null,
    });
  });

  it('reads the newer "package" event, and a body without the header', () => {
    const { registry_package: pkg, ...rest } = gitHubRegistryPackage();
    const packageEvent = { ...rest, package: pkg };
    const headers = { ...GH_HEADERS, 'X-GitHub-Event': 'package' };
    assert.equal(parse(packageEvent, JSON_TYPE, headers).pushes[0]?.tag, 'v1.2.0');
    assert.equal(parse(gitHubRegistryPackage()).pushes[0]?.tag, 'v1.2.0');
    assert.equal(parse(packageEvent).pushes[0]?.tag, 'v1.2.0');
  });

  it('reads an event GitHub sent as a form (payload=...)', () => {
    const form = new URLSearchParams({ payload: JSON.stringify(gitHubRegistryPackage()) });
    const parsed = parse(
      Buffer.from(form.toString()),
      'application/x-www-form-urlencoded',
      GH_HEADERS,
    );
    assert.equal(parsed.pushes[0]?.path, 'octo-org/hello-world');
  });

  it("lowers an owner's login, as ghcr.io names images", () => {
    const payload = gitHubRegistryPackage();
    (payload.registry_package as Record<string, unknown>).namespace = 'Octo-Org';
    assert.equal(parse(payload, JSON_TYPE, GH_HEADERS).pushes[0]?.path, 'octo-org/hello-world');
  });

  it('pushes nothing for an untagged version, another package type, or a ping', () => {
    const untagged = gitHubRegistryPackage();
    (versionOf(untagged).container_metadata as Record<string, unknown>).tag = {
      name: '',
      digest: GH_DIGEST,
    };
    const npm = gitHubRegistryPackage();
    (npm.registry_package as Record<string, unknown>).package_type = 'npm';
    versionOf(npm).version = '1.2.0';
    for (const [body, headers] of [
      [untagged, GH_HEADERS],
      [npm, GH_HEADERS],
      [
        { zen: 'Design for failure.', hook_id: 1 },
        { ...GH_HEADERS, 'X-GitHub-Event': 'ping' },
      ],
      [Buffer.from('not json'), GH_HEADERS],
    ] as const) {
      const parsed = parse(body, JSON_TYPE, headers);
      assert.equal(parsed.kind, 'github');
      assert.deepEqual(parsed.pushes, []);
      assert.equal(parsed.ignoredEvents, 1);
      assert.equal(parsed.deliveryKey, `github-delivery:${GH_DELIVERY}`);
    }
  });

  it('takes a tag from package_version.version when the metadata names none', () => {
    const payload = gitHubRegistryPackage();
    delete (versionOf(payload).container_metadata as Record<string, unknown>).tag;
    versionOf(payload).version = 'edge';
    assert.deepEqual(parse(payload, JSON_TYPE, GH_HEADERS).pushes, [
      { host: 'ghcr.io', path: 'octo-org/hello-world', tag: 'edge', digest: null },
    ]);
  });

  it('is a plain trigger for other GitHub events (a push of code)', () => {
    const headers = { ...GH_HEADERS, 'X-GitHub-Event': 'push' };
    const parsed = parse({ ref: 'refs/heads/main', commits: [] }, JSON_TYPE, headers);
    assert.equal(parsed.kind, 'plain');
    assert.equal(parsed.deliveryKey, `github-delivery:${GH_DELIVERY}`);
  });
});

// --- plain triggers ------------------------------------------------------------

describe('plain triggers', () => {
  it('reads empty bodies, form data, other JSON, invalid JSON and binary as plain', () => {
    const cases: [unknown, string | null][] = [
      [null, null],
      [Buffer.alloc(0), JSON_TYPE],
      [Buffer.from('a=1&b=2'), 'application/x-www-form-urlencoded'],
      [
        Buffer.from('--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--'),
        'multipart/form-data; boundary=x',
      ],
      [{ ref: 'main', status: 'ok' }, JSON_TYPE],
      [Buffer.from('{"push_data": {'), JSON_TYPE],
      [Buffer.from([0x00, 0x01, 0xff, 0xfe, 0x89, 0x50]), 'application/octet-stream'],
      [HUB_EXAMPLE, 'application/octet-stream'],
      [HUB_EXAMPLE, 'application/x-www-form-urlencoded'],
      [Buffer.from('deploy please'), 'text/plain'],
    ];
    for (const [body, type] of cases) {
      const parsed = parse(body, type);
      assert.deepEqual(
        parsed,
        { kind: 'plain', pushes: [], ignoredEvents: 0, deliveryKey: null, callbackUrl: null },
        `${type}: ${String(body)}`,
      );
    }
  });

  it('keeps a Standard Webhooks webhook-id as the delivery key of a plain trigger', () => {
    const parsed = parse({ hello: 'world' }, JSON_TYPE, {
      'webhook-id': 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W',
    });
    assert.equal(parsed.kind, 'plain');
    assert.equal(parsed.deliveryKey, 'webhook-id:msg_2KWPBgLlAfxdpx2AI54pPJ85f4W');
  });

  it('reads a body with bytes that are not UTF-8 as plain, even when it looks like a payload', () => {
    const text = JSON.stringify(HUB_EXAMPLE);
    const at = text.indexOf('trustedbuilder');
    const body = Buffer.concat([
      Buffer.from(text.slice(0, at)),
      Buffer.from([0xc3, 0x28, 0xa0, 0xa1]),
      Buffer.from(text.slice(at)),
    ]);
    assert.equal(parse(body).kind, 'plain');
    assert.equal(parse(Buffer.from([0xef, 0xbb, 0xbf, ...Buffer.from(text)])).kind, 'dockerhub');
  });

  it('never counts inherited properties (__proto__ in the JSON)', () => {
    const body = Buffer.from(`{"__proto__": ${JSON.stringify(HUB_EXAMPLE)}}`);
    assert.equal(parse(body).kind, 'plain');
  });
});

// --- never a throw ----------------------------------------------------------------

/** Every path to a value inside `value`, objects and arrays included. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (typeof value !== 'object' || value === null) return [prefix];
  const entries = Array.isArray(value)
    ? value.map((v, i) => [i, v] as const)
    : Object.entries(value);
  return [prefix, ...entries.flatMap(([key, child]) => paths(child, [...prefix, key]))];
}

function replaced(value: unknown, path: (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let parent = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  parent[path[path.length - 1]!] = replacement;
  return copy;
}

const WRONG_VALUES: unknown[] = [
  null,
  0,
  -1.5e308,
  true,
  '',
  ' ',
  'x'.repeat(5000),
  'a\u0000b\nc',
  '../../etc',
  [],
  [[]],
  {},
  { toString: 'x' },
];

describe('malformed input', () => {
  it('never throws on truncated JSON, scalars, arrays, null or deep nesting', () => {
    const full = JSON.stringify({ events: onePushEnvelope().events });
    const bodies: Buffer[] = [
      ...Array.from({ length: 40 }, (_, i) => Buffer.from(full.slice(0, (full.length * i) / 40))),
      ...['null', '0', '-1', '1e999', 'true', '"events"', '[]', '[{"events": []}]', '{}'].map((s) =>
        Buffer.from(s),
      ),
      Buffer.from('['.repeat(200_000) + ']'.repeat(200_000)),
      Buffer.from('{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000)),
      Buffer.from('{"events":' + '['.repeat(100_000)),
      Buffer.from(`{"events": [${Array(20_000).fill('{"action":"push","target":{}}').join(',')}]}`),
    ];
    for (const body of bodies) {
      for (const type of [JSON_TYPE, EVENTS_TYPE, null]) {
        for (const headers of [{}, GH_HEADERS]) {
          assertWellFormed(parsePayload({ contentType: type, body, headers }));
        }
      }
    }
  });

  it('never throws, nor reports an invalid name, whatever any field holds', () => {
    const examples: [unknown, string, Record<string, string>][] = [
      [HUB_EXAMPLE, JSON_TYPE, {}],
      [{ events: onePushEnvelope().events }, EVENTS_TYPE, {}],
      [gitHubRegistryPackage(), JSON_TYPE, GH_HEADERS],
    ];
    let variants = 0;
    for (const [example, type, headers] of examples) {
      for (const path of paths(example)) {
        for (const wrong of WRONG_VALUES) {
          const body = Buffer.from(JSON.stringify(replaced(example, path, wrong)));
          assertWellFormed(parsePayload({ contentType: type, body, headers }));
          variants += 1;
        }
      }
    }
    assert.ok(variants > 1000, `${variants} variants`);
  });

  it('never throws on odd headers or content types', () => {
    const body = Buffer.from(JSON.stringify(HUB_EXAMPLE));
    for (const contentType of [
      undefined,
      null,
      '',
      ';',
      ';;;',
      'application/',
      '+json',
      '\u0000',
    ]) {
      for (const headers of [
        {},
        { 'x-github-event': '' },
        { 'X-GITHUB-EVENT': 'REGISTRY_PACKAGE' },
        { 'webhook-id': ' ' },
        { 'x-github-delivery': undefined },
      ]) {
        assertWellFormed(parsePayload({ contentType, body, headers }));
      }
    }
  });
});

// --- delivery keys ---------------------------------------------------------------------

describe('delivery keys', () => {
  it('are the same for the same delivery sent twice, and differ between deliveries', () => {
    const { events } = onePushEnvelope();
    const first = parse({ events }, EVENTS_TYPE).deliveryKey;
    assert.equal(parse({ events }, EVENTS_TYPE).deliveryKey, first);
    assert.notEqual(parse({ events: onePushEnvelope().events }, EVENTS_TYPE).deliveryKey, first);
    assert.equal(parse(HUB_EXAMPLE).deliveryKey, parse(HUB_EXAMPLE).deliveryKey);
  });

  it('are prefixed with their source, so one value from two senders never collides', () => {
    const value = 'abc-123';
    const keys = [
      parse({ events: [{ ...manifestPush('latest'), id: value }] }, EVENTS_TYPE).deliveryKey,
      parse({}, JSON_TYPE, { 'X-GitHub-Delivery': value }).deliveryKey,
      parse({}, JSON_TYPE, { 'webhook-id': value }).deliveryKey,
      parse({ ...HUB_EXAMPLE, callback_url: `https://x.example/${value}` }).deliveryKey,
    ];
    assert.deepEqual(keys, [
      'registry-event:abc-123',
      'github-delivery:abc-123',
      'webhook-id:abc-123',
      'dockerhub-callback:https://x.example/abc-123',
    ]);
  });

  it('prefer registry event ids, then X-GitHub-Delivery, then webhook-id, then callback_url', () => {
    const headers = { 'X-GitHub-Delivery': 'gh', 'webhook-id': 'sw' };
    const event = { ...manifestPush('latest'), id: 'ev' };
    assert.equal(parse({ events: [event] }, EVENTS_TYPE, headers).deliveryKey, 'registry-event:ev');
    assert.equal(parse(HUB_EXAMPLE, JSON_TYPE, headers).deliveryKey, 'github-delivery:gh');
    assert.equal(
      parse(HUB_EXAMPLE, JSON_TYPE, { 'webhook-id': 'sw' }).deliveryKey,
      'webhook-id:sw',
    );
    const noIds: Partial<RegistryEvent> = manifestPush('latest');
    delete noIds.id;
    assert.equal(
      parse({ events: [noIds] }, EVENTS_TYPE, headers).deliveryKey,
      'github-delivery:gh',
    );
  });

  it('replace a long or unprintable value by its SHA-256', () => {
    const long = 'k'.repeat(5000);
    const key = parse({}, JSON_TYPE, { 'webhook-id': long }).deliveryKey;
    const sha = createHash('sha256').update(long).digest('hex');
    assert.equal(key, `webhook-id:sha256:${sha}`);
    const events = Array.from({ length: 50 }, () => manifestPush('latest'));
    assert.match(
      parse({ events }, EVENTS_TYPE).deliveryKey ?? '',
      /^registry-event:sha256:[0-9a-f]{64}$/,
    );
    const control = parse({ events: [{ ...manifestPush('latest'), id: 'a\nb' }] }).deliveryKey;
    assert.match(control ?? '', /^registry-event:sha256:[0-9a-f]{64}$/);
  });
});
