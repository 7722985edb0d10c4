/**
 * fast-check arbitraries for the payload fuzz tests: content types, headers,
 * and Docker Hub / registry notification / GitHub package payloads that name a
 * repository other than the services' (SERVICE_REPOSITORY), then mangled:
 * random fields replaced by random JSON, removed, or added.
 */
import fc from 'fast-check';

/** The repository every fuzzed service runs; generated payloads never name it. */
export const SERVICE_REPOSITORY = 'hoist-test/fuzz';
export const SERVICE_IMAGES = [
  `${SERVICE_REPOSITORY}:latest`,
  `127.0.0.1:5000/${SERVICE_REPOSITORY}:latest`,
  `ghcr.io/${SERVICE_REPOSITORY}:latest`,
];

export const contentTypeArb: fc.Arbitrary<string | null> = fc.oneof(
  fc.constantFrom(
    null,
    'application/json',
    'application/json; charset=utf-8',
    'application/vnd.docker.distribution.events.v1+json',
    'application/x-www-form-urlencoded',
    'text/plain',
    'multipart/form-data; boundary=x',
    'application/octet-stream',
    '',
    'application/',
    ';;;',
  ),
  fc.string({ maxLength: 60 }),
);

const HEADER_NAMES = [
  'x-github-event',
  'x-github-delivery',
  'webhook-id',
  'x-hub-signature-256',
  'x-hoist-signature',
  'user-agent',
  'x-forwarded-for',
  'x-request-id',
];
const headerValue = fc.stringMatching(/^[\x20-\x7e]{0,80}$/).map((v) => v.trim());
export const headersArb: fc.Arbitrary<Record<string, string>> = fc.dictionary(
  fc.oneof(fc.constantFrom(...HEADER_NAMES), fc.stringMatching(/^x-[a-z0-9-]{1,20}$/)),
  fc.oneof(fc.constantFrom('registry_package', 'package', 'push', 'ping'), headerValue),
  { maxKeys: 5 },
);

const segment = fc.stringMatching(/^[a-z0-9]+([._-][a-z0-9]+)*$/).filter((s) => s.length <= 30);
/** A repository path, valid or not, that is never the services' (in any case, with any prefix). */
const otherRepository = fc
  .oneof(
    {
      arbitrary: fc.array(segment, { minLength: 1, maxLength: 3 }).map((parts) => parts.join('/')),
      weight: 6,
    },
    fc.constantFrom('hoist-test/fuzzz', 'hoist-test', 'fuzz', 'library/fuzz', 'hoist-test/fuzz/x'),
    fc.string({ maxLength: 40 }),
  )
  .filter(
    (repo) =>
      !repo
        .toLowerCase()
        .replace(/^\/+|\/+$/g, '')
        .endsWith('hoist-test/fuzz'),
  );
const tag = fc.oneof(
  { arbitrary: fc.constantFrom('latest', 'v1', ''), weight: 4 },
  fc.string({ maxLength: 20 }),
);
/** Hosts in any case, so the fuzzer checks that every push's host comes out lower case. */
const host = fc.mixedCase(
  fc.constantFrom('127.0.0.1:5000', 'ghcr.io', 'registry.example', 'docker.io', ''),
);
const digest = fc.constantFrom(`sha256:${'a'.repeat(64)}`, 'sha256:short', '');

const hubPayload = fc.record({ repo: otherRepository, tag }).map(({ repo, tag }) => ({
  push_data: { pushed_at: 1417566161, pusher: 'someone', tag },
  callback_url: 'https://registry.hub.docker.com/u/x/y/hook/abc/',
  repository: {
    repo_name: repo,
    namespace: repo.split('/')[0],
    name: repo.split('/').slice(1).join('/'),
    status: 'Active',
  },
}));

const registryPayload = fc
  .record({ repo: otherRepository, tag, host, digest })
  .map(({ repo, tag, host, digest }) => ({
    events: [
      {
        id: 'evt-1',
        action: 'push',
        target: {
          mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
          digest,
          repository: repo,
          url: `http://${host}/v2/${repo}/manifests/${digest}`,
          tag,
        },
        request: { host },
      },
    ],
  }));

const githubPayload = fc
  .record({ repo: otherRepository, tag, digest })
  .map(({ repo, tag, digest }) => {
    const [namespace, ...rest] = repo.split('/');
    const name = rest.join('/') || repo;
    return {
      action: 'published',
      registry_package: {
        name,
        namespace,
        package_type: 'CONTAINER',
        owner: { login: namespace },
        registry: { url: 'https://ghcr.io' },
        package_version: {
          version: digest,
          container_metadata: { tag: { name: tag, digest: `sha256:${'b'.repeat(64)}` } },
        },
      },
    };
  });

type Json = unknown;
type Mutation = { path: number; kind: 'replace' | 'delete' | 'add'; value: Json; key: string };

/** Every (object, key) pair of a JSON value, depth first. */
function slots(value: Json, out: [Record<string, Json> | Json[], string | number][] = []) {
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      out.push([value, i]);
      slots(item, out);
    });
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      out.push([value as Record<string, Json>, key]);
      slots(item, out);
    }
  }
  return out;
}

function mangle(payload: Json, mutations: Mutation[]): Json {
  const copy = structuredClone(payload);
  for (const mutation of mutations) {
    const all = slots(copy);
    if (all.length === 0) break;
    const [parent, key] = all[mutation.path % all.length]!;
    const target = parent as Record<string | number, Json>;
    if (mutation.kind === 'replace') target[key] = mutation.value;
    else if (mutation.kind === 'delete' && !Array.isArray(parent)) delete target[key];
    else if (!Array.isArray(parent)) target[mutation.key] = mutation.value;
  }
  return copy;
}

const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  path: fc.nat(),
  kind: fc.constantFrom('replace', 'delete', 'add'),
  value: fc.jsonValue({ maxDepth: 2 }),
  key: fc.oneof(
    fc.constantFrom('tag', 'repository', 'repo_name', '__proto__', 'events'),
    fc.string({ maxLength: 10 }),
  ),
});

/** A payload naming another repository, mangled, with a plausible or random content type. */
export const otherRepositoryPayloadArb = fc
  .record({
    kind: fc.constantFrom('hub', 'registry', 'github'),
    hub: hubPayload,
    registry: registryPayload,
    github: githubPayload,
    mutations: fc.array(mutationArb, { maxLength: 3 }),
    contentType: contentTypeArb,
    headers: headersArb,
  })
  .map(({ kind, hub, registry, github, mutations, contentType, headers }) => {
    const base = kind === 'hub' ? hub : kind === 'registry' ? registry : github;
    const extra: Record<string, string> =
      kind === 'github' ? { 'x-github-event': 'registry_package' } : {};
    const type =
      kind === 'registry' && contentType === null
        ? 'application/vnd.docker.distribution.events.v1+json'
        : contentType;
    return {
      contentType: type,
      body: JSON.stringify(mangle(base, mutations)),
      headers: { ...headers, ...extra },
    };
  });
