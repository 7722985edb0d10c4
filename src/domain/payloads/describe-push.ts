import type { ImagePush } from './payload.js';

/** "host/path:tag" (or "@digest" when no tag): how a push is shown in logs and records. */
export function describePush(push: ImagePush): string {
  const where = `${push.host}/${push.path}`;
  if (push.tag) return `${where}:${push.tag}`;
  return push.digest ? `${where}@${push.digest}` : where;
}
