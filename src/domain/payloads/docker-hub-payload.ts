/**
 * Docker Hub's repository webhook: one push of one tag.
 *
 * ```json
 * { "callback_url": "https://registry.hub.docker.com/u/user/repo/hook/.../",
 *   "push_data": { "pushed_at": 1417566161, "pusher": "user", "tag": "latest" },
 *   "repository": { "repo_name": "user/repo", "namespace": "user", "name": "repo", ... } }
 * ```
 *
 * Hub repositories are on docker.io; it names no digest. `callback_url` is
 * where the outcome is reported, and, being unique per push, the delivery key.
 */
import { HUB_HOST, canonicalName, isRepositoryPath, isTag } from '../image-reference.js';
import type { ImagePush, ParsedPayload } from './payload.js';
import { deliveryKey, field, isObject, stringField } from './payload.js';

const MAX_URL_LENGTH = 2048;

/** The payload, or null when `json` is not shaped like one (an object with `push_data` and `repository`). */
export function parseDockerHubPayload(json: unknown): ParsedPayload | null {
  const pushData = field(json, 'push_data');
  const repository = field(json, 'repository');
  if (!isObject(pushData) || !isObject(repository)) return null;

  const repoName = stringField(repository, 'repo_name');
  const tag = stringField(pushData, 'tag');
  const pushes: ImagePush[] = [];
  if (repoName !== null && isTag(tag ?? '')) {
    const name = canonicalName(HUB_HOST, repoName.toLowerCase());
    if (isRepositoryPath(name.path)) pushes.push({ ...name, tag, digest: null });
  }
  const callbackUrl = httpUrl(stringField(json, 'callback_url'));
  return {
    kind: 'dockerhub',
    pushes,
    ignoredEvents: pushes.length === 0 ? 1 : 0,
    deliveryKey: deliveryKey('dockerhub-callback', callbackUrl),
    callbackUrl,
  };
}

function httpUrl(value: string | null): string | null {
  if (value === null || value.length > MAX_URL_LENGTH) return null;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? value : null;
  } catch {
    return null;
  }
}
