/**
 * A CNCF distribution registry's notification envelope
 * (`application/vnd.docker.distribution.events.v1+json`):
 *
 * ```json
 * { "events": [ { "id": "...", "action": "push",
 *     "target": { "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
 *                 "repository": "app", "tag": "latest", "digest": "sha256:...", "url": "..." },
 *     "request": { "host": "127.0.0.1:5000", ... } }, ... ] }
 * ```
 *
 * One `docker push` sends an event per blob and one per manifest, and every
 * pull sends events too: only a `push` of a manifest (image manifest, manifest
 * list, OCI manifest or index) that names a `tag` counts; the rest are
 * counted as ignored. Several events for one repository and tag are one push.
 */
import {
  canonicalName,
  isDigest,
  isRegistryHost,
  isRepositoryPath,
  isTag,
} from '../image-reference.js';
import type { ImagePush, ParsedPayload } from './payload.js';
import { deliveryKey, field, isObject, stringField } from './payload.js';

export const REGISTRY_EVENTS_MEDIA_TYPE = 'application/vnd.docker.distribution.events.v1+json';

const MANIFEST_MEDIA_TYPES = new Set([
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  // Schema 1: no longer pushed by Docker, still a manifest where a registry serves it.
  'application/vnd.docker.distribution.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v1+prettyjws',
]);

/**
 * The envelope, or null when this is none: neither sent with the registry's
 * media type (`declared`) nor an object whose `events` list holds something
 * shaped like a registry event. A declared envelope that cannot be read is
 * an envelope with no pushes.
 */
export function parseRegistryNotification(json: unknown, declared: boolean): ParsedPayload | null {
  const events = field(json, 'events');
  const list = Array.isArray(events) ? (events as unknown[]) : [];
  if (!declared && !list.some(looksLikeEvent)) return null;

  const byName = new Map<string, ImagePush>();
  const countedIds: string[] = [];
  let ignoredEvents = 0;
  for (const event of list) {
    const push = pushOf(event);
    if (!push) {
      ignoredEvents += 1;
      continue;
    }
    const key = `${push.host}/${push.path}:${push.tag}`;
    // The last event for a tag is what the tag points at now.
    const earlier = byName.get(key);
    if (earlier) earlier.digest = push.digest ?? earlier.digest;
    else byName.set(key, push);
    const id = stringField(event, 'id');
    if (id) countedIds.push(id);
  }
  const firstId = list.length > 0 ? stringField(list[0], 'id') : null;
  return {
    kind: 'registry',
    pushes: [...byName.values()],
    ignoredEvents,
    deliveryKey: deliveryKey(
      'registry-event',
      countedIds.length > 0 ? countedIds.join(',') : firstId,
    ),
    callbackUrl: null,
  };
}

function looksLikeEvent(event: unknown): boolean {
  return typeof field(event, 'action') === 'string' && isObject(field(event, 'target'));
}

/** The push an event reports, or null when it reports none this counts. */
function pushOf(event: unknown): ImagePush | null {
  if (stringField(event, 'action') !== 'push') return null;
  const target = field(event, 'target');
  const mediaType = stringField(target, 'mediaType');
  if (!mediaType || !MANIFEST_MEDIA_TYPES.has(withoutParameters(mediaType))) return null;
  const tag = stringField(target, 'tag');
  const repository = stringField(target, 'repository');
  const host = stringField(field(event, 'request'), 'host') ?? urlHost(stringField(target, 'url'));
  if (!tag || !isTag(tag) || !repository || !host || !isRegistryHost(host)) return null;
  const name = canonicalName(host, repository);
  if (!isRepositoryPath(name.path)) return null;
  const digest = stringField(target, 'digest');
  return { ...name, tag, digest: digest && isDigest(digest) ? digest : null };
}

function withoutParameters(mediaType: string): string {
  return (mediaType.split(';')[0] ?? '').trim().toLowerCase();
}

function urlHost(value: string | null): string | null {
  if (!value) return null;
  try {
    return new URL(value).host || null;
  } catch {
    return null;
  }
}
