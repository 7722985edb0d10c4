/**
 * Payloads registries send, built the way they send them, and signatures
 * computed independently of Hoist's own code (node:crypto only), for the
 * tests of payload matching, duplicates, autoredeploy and signed calls.
 */
import { createHmac, randomUUID } from 'node:crypto';

export const REGISTRY_EVENTS_TYPE = 'application/vnd.docker.distribution.events.v1+json';
export const MANIFEST_V2_TYPE = 'application/vnd.docker.distribution.manifest.v2+json';
export const LAYER_TYPE = 'application/octet-stream';

/** The shape of Docker Hub's documented example payload. */
export type DockerHubExample = {
  callback_url: string;
  push_data: { pushed_at: number; pusher: string; tag: string } & Record<string, unknown>;
  repository: {
    comment_count: number;
    date_created: number;
    description: string;
    dockerfile: string;
    full_description: string;
    is_official: boolean;
    is_private: boolean;
    is_trusted: boolean;
    name: string;
    namespace: string;
    owner: string;
    repo_name: string;
    repo_url: string;
    star_count: number;
    status: string;
  } & Record<string, unknown>;
};

/**
 * Docker Hub's documented example (docs.docker.com/docker-hub/repos/manage/webhooks):
 * a push of svendowideit/testhook:latest. Its callback URL is unique per push.
 * `overrides` are merged one level deep into `push_data` and `repository`
 * (e.g. `{ push_data: { images: [...] } }`, the list older Hub docs showed).
 */
export function dockerHubExamplePayload(
  overrides: {
    callback_url?: string;
    push_data?: Record<string, unknown>;
    repository?: Record<string, unknown>;
  } = {},
): DockerHubExample {
  const example: DockerHubExample = {
    callback_url:
      'https://registry.hub.docker.com/u/svendowideit/testhook/hook/2141b5bi5i5b02bec211i4eeih0242eg11000a/',
    push_data: {
      pushed_at: 1417566161,
      pusher: 'trustedbuilder',
      tag: 'latest',
    },
    repository: {
      comment_count: 0,
      date_created: 1417494799,
      description: '',
      dockerfile:
        '#\n# BUILD\u0009\u0009docker build -t svendowideit/apt-cacher .\n# RUN\u0009\u0009docker run -d -p 3142:3142 -name apt-cacher-run apt-cacher\n#\n# and then you can run containers with:\n# \u0009\u0009docker run -t -i -rm -e http_proxy http://192.168.1.2:3142/ debian bash\n#\nFROM\u0009\u0009ubuntu\n\n\nVOLUME\u0009\u0009[/var/cache/apt-cacher-ng]\nRUN\u0009\u0009apt-get update ; apt-get install -yq apt-cacher-ng\n\nEXPOSE \u0009\u00093142\nCMD\u0009\u0009chmod 777 /var/cache/apt-cacher-ng ; /etc/init.d/apt-cacher-ng start ; tail -f /var/log/apt-cacher-ng/*\n',
      full_description: 'Docker Hub based automated build from a GitHub repo',
      is_official: false,
      is_private: true,
      is_trusted: true,
      name: 'testhook',
      namespace: 'svendowideit',
      owner: 'svendowideit',
      repo_name: 'svendowideit/testhook',
      repo_url: 'https://registry.hub.docker.com/u/svendowideit/testhook/',
      star_count: 0,
      status: 'Active',
    },
  };
  return {
    callback_url: overrides.callback_url ?? example.callback_url,
    push_data: { ...example.push_data, ...overrides.push_data },
    repository: { ...example.repository, ...overrides.repository },
  };
}

/** A Docker Hub push payload for `repoName:tag` (e.g. "hoisttest/app"), shaped like the documented one. */
export function dockerHubPayload(
  repoName: string,
  tag: string,
  callbackUrl:
    string | null = `https://registry.hub.docker.com/u/${repoName}/hook/${randomUUID()}/`,
): Record<string, unknown> {
  const [namespace = '', name = ''] = repoName.split('/');
  return {
    ...(callbackUrl === null ? {} : { callback_url: callbackUrl }),
    push_data: { pushed_at: 1_700_000_000, pusher: 'ci', tag },
    repository: {
      name,
      namespace,
      owner: namespace,
      repo_name: repoName,
      repo_url: `https://hub.docker.com/r/${repoName}`,
      status: 'Active',
    },
  };
}

/** The actions a distribution registry reports; only a tagged manifest's `push` names a pushed image. */
export type RegistryAction = 'push' | 'pull' | 'mount' | 'delete';

export interface RegistryEvent {
  id: string;
  timestamp: string;
  action: RegistryAction;
  target: {
    mediaType: string;
    size: number;
    digest: string;
    length: number;
    repository: string;
    url: string;
    tag?: string;
  };
  request: { id: string; addr: string; host: string; method: string; useragent: string };
  actor: Record<string, never>;
  source: { addr: string; instanceID: string };
}

/** A fake sha256 digest: 64 hex digits made of `seed`. */
export function fakeDigest(seed: string): string {
  return `sha256:${createHmac('sha256', 'digest').update(seed).digest('hex')}`;
}

/**
 * One event as the distribution registry (2.8) writes it: a manifest's, unless
 * `mediaType` is a layer's (LAYER_TYPE). A pull is a GET.
 */
export function registryEvent(options: {
  host: string;
  repository: string;
  action?: RegistryAction;
  mediaType?: string;
  tag?: string;
  digest?: string;
  id?: string;
}): RegistryEvent {
  const digest = options.digest ?? fakeDigest(randomUUID());
  const isManifest = (options.mediaType ?? MANIFEST_V2_TYPE) !== LAYER_TYPE;
  const kind = isManifest ? 'manifests' : 'blobs';
  return {
    id: options.id ?? randomUUID(),
    timestamp: new Date().toISOString(),
    action: options.action ?? 'push',
    target: {
      mediaType: options.mediaType ?? MANIFEST_V2_TYPE,
      size: 528,
      digest,
      length: 528,
      repository: options.repository,
      url: `http://${options.host}/v2/${options.repository}/${kind}/${digest}`,
      ...(options.tag === undefined ? {} : { tag: options.tag }),
    },
    request: {
      id: randomUUID(),
      addr: '127.0.0.1:50000',
      host: options.host,
      method: options.action === 'pull' ? 'GET' : isManifest ? 'PUT' : 'HEAD',
      useragent: 'docker/20.10.24 go/go1.19.8',
    },
    actor: {},
    source: { addr: 'registry:5000', instanceID: randomUUID() },
  };
}

/** What one `docker push` of `repository:tag` makes the registry send: blob events, then the manifest's. */
export function pushEvents(options: {
  host: string;
  repository: string;
  tag: string;
  digest: string;
  blobs?: number;
}): RegistryEvent[] {
  const blobs = Array.from({ length: options.blobs ?? 2 }, () =>
    registryEvent({ host: options.host, repository: options.repository, mediaType: LAYER_TYPE }),
  );
  return [
    ...blobs,
    registryEvent({
      host: options.host,
      repository: options.repository,
      tag: options.tag,
      digest: options.digest,
    }),
  ];
}

export function envelope(events: RegistryEvent[]): { events: RegistryEvent[] } {
  return { events };
}

/**
 * Standard Webhooks headers for `body`, signed with a `whsec_` secret as the
 * specification says: HMAC-SHA256 over `${id}.${timestamp}.${body}`, keyed
 * with the base64-decoded part after the prefix.
 */
export function standardWebhooksHeaders(
  secret: string,
  body: string | Buffer,
  options: { id?: string; timestamp?: number } = {},
): Record<string, string> {
  const id = options.id ?? `msg_${randomUUID()}`;
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const signature = createHmac('sha256', key)
    .update(`${id}.${timestamp}.`)
    .update(body)
    .digest('base64');
  return {
    'webhook-id': id,
    'webhook-timestamp': timestamp,
    'webhook-signature': `v1,${signature}`,
  };
}

/** GitHub's X-Hub-Signature-256 for `body`: HMAC-SHA256 keyed with the secret as written. */
export function gitHubSignature(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}
