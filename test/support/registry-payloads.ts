/**
 * Payloads registries send, built the way they send them, and signatures
 * computed independently of Hoist's own code (node:crypto only), for the
 * tests of payload matching, duplicates, autoredeploy and signed calls.
 */
import { createHmac, randomUUID } from 'node:crypto';

export const REGISTRY_EVENTS_TYPE = 'application/vnd.docker.distribution.events.v1+json';
export const MANIFEST_V2_TYPE = 'application/vnd.docker.distribution.manifest.v2+json';
const LAYER_TYPE = 'application/octet-stream';

/**
 * Docker Hub's documented example (docs.docker.com, "Docker Hub webhooks"): a
 * push of svendowideit/testhook:latest. Its callback URL is unique per push.
 */
export function dockerHubExamplePayload(): Record<string, unknown> {
  return {
    callback_url:
      'https://registry.hub.docker.com/u/svendowideit/testhook/hook/2141b5bi5i5b02bec211i4eeih0242eg11000a/',
    push_data: {
      images: [
        '27d47432a69bca5f2700e4dff7de0388ed65f9d3fb1ec645e2bc24c223dc1cc3',
        '51a9c7c1f8bb2fa19bcd09789a34e63f35abb80044bc10196e304f6634cc582c',
        '...',
      ],
      pushed_at: 1.417566161e9,
      pusher: 'trustedbuilder',
      tag: 'latest',
    },
    repository: {
      comment_count: 0,
      date_created: 1.417494799e9,
      description: '',
      dockerfile:
        '#\n# BUILD\u0009\u0009docker build -t svendowideit/apt-cacher .\n# RUN\u0009\u0009docker run -d -p 3142:3142 -name apt-cacher-run apt-cacher\n#\n',
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

export interface RegistryEvent {
  id: string;
  timestamp: string;
  action: 'push' | 'pull';
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

/** One event as the distribution registry (2.8) writes it. */
export function registryEvent(options: {
  host: string;
  repository: string;
  action?: 'push' | 'pull';
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
      method: isManifest ? 'PUT' : 'HEAD',
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
