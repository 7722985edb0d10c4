/**
 * Whether a payload is about the image a service runs. A plain trigger always
 * is; a payload that reports pushes is only when one of them is the service's
 * registry host, repository path and tag (a service that names no tag runs
 * "latest"). Whether the service already runs the pushed digest is for the
 * caller to decide: it knows the running digest; `push.digest` is the pushed one.
 */
import { canonicalName, followedTag } from '../image-reference.js';
import { describePushes } from './describe-push.js';
import type { ImagePush, ParsedPayload } from './payload.js';

export type PushMatch =
  | { outcome: 'trigger' }
  | { outcome: 'match'; push: ImagePush }
  | { outcome: 'ignore'; reason: string };

/**
 * @example
 * matchPush('127.0.0.1:5000/app', payload);
 * // { outcome: 'ignore', reason: 'pushed 127.0.0.1:5000/app:dev; this service runs 127.0.0.1:5000/app:latest' }
 */
export function matchPush(serviceImageRef: string, payload: ParsedPayload): PushMatch {
  if (payload.kind === 'plain') return { outcome: 'trigger' };
  if (payload.pushes.length === 0) return ignore(noPushReason(payload));

  // Only an ignore reason names the pushes: a match costs no string work.
  const pushed = (): string => `pushed ${describePushes(payload.pushes)}`;
  const ref = serviceImageRef.trim();
  const followed = followedTag(ref);
  if (!followed.ok) {
    switch (followed.problem) {
      case 'empty':
        return ignore(`${pushed()}; this service runs no known image, not a repository and tag`);
      case 'image-id':
        return ignore(`${pushed()}; this service runs image ${ref}, not a repository and tag`);
      case 'no-repository':
        return ignore(
          `${pushed()}; this service runs ${ref}, a reference that names no repository`,
        );
      case 'digest-only': {
        const { host, path, digest } = followed.reference;
        return ignore(
          `${pushed()}; this service runs ${host}/${path}@${digest}, a digest with no tag to follow`,
        );
      }
    }
  }
  const service = followed.reference;
  const tag = service.tag;
  for (const push of payload.pushes) {
    const pushedName = canonicalName(push.host, push.path);
    if (
      pushedName.host === service.host &&
      pushedName.path === service.path &&
      (push.tag ?? 'latest') === tag
    ) {
      return { outcome: 'match', push };
    }
  }
  return ignore(`${pushed()}; this service runs ${service.host}/${service.path}:${tag}`);
}

/** What a call does to one service: nothing (and why), or a redeploy expecting a digest or not. */
export type PushVerdict = { ignore: string } | { expectedDigest: string | null };

/**
 * matchPush, then the caller's part: a push of the digest the service runs
 * already redeploys nothing; a push of its tag names the digest the new
 * containers must run. Handlers and registry endpoints both decide this way.
 */
export function judgePush(
  service: { imageRef: string | null; digest: string | null },
  payload: ParsedPayload,
): PushVerdict {
  const match = matchPush(service.imageRef ?? '', payload);
  if (match.outcome === 'ignore') return { ignore: match.reason };
  if (match.outcome === 'trigger') return { expectedDigest: null };
  if (match.push.digest && match.push.digest === service.digest) {
    return { ignore: `already running ${match.push.digest}` };
  }
  return { expectedDigest: match.push.digest };
}

function ignore(reason: string): PushMatch {
  return { outcome: 'ignore', reason };
}

/** Why a registry's payload that reports no tagged push is ignored. */
export function noPushReason(payload: ParsedPayload): string {
  return `no tag was pushed (${whatCame(payload)})`;
}

function whatCame(payload: ParsedPayload): string {
  const n = payload.ignoredEvents;
  switch (payload.kind) {
    case 'registry':
      return n === 0
        ? 'the notification carried no events'
        : `${n} blob, pull or untagged manifest event${n === 1 ? '' : 's'}`;
    case 'github':
      return 'the GitHub event is not a tagged container image version';
    default:
      return 'the Docker Hub payload names no repository and tag';
  }
}
