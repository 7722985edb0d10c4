import { callerText } from '../caller-text.js';
import type { ImagePush } from './payload.js';

/** How many pushes a reason names before it says "and N more". */
const NAMED_PUSHES = 3;

/** "host/path:tag" (or "@digest" when no tag): how a push is shown in logs and records. */
export function describePush(push: ImagePush): string {
  const where = `${push.host}/${push.path}`;
  if (push.tag) return `${where}:${push.tag}`;
  return push.digest ? `${where}@${push.digest}` : where;
}

/**
 * Described pushes per payload: one registry call judges every autoredeploy
 * service against the same pushes, so each ignore reason reuses the text.
 */
const described = new WeakMap<readonly ImagePush[], string>();

/**
 * The pushes as a reason names them: a payload chose them, so a few, each as
 * caller text, and how many more.
 */
export function describePushes(pushes: readonly ImagePush[]): string {
  let text = described.get(pushes);
  if (text === undefined) {
    text = describe(pushes);
    described.set(pushes, text);
  }
  return text;
}

function describe(pushes: readonly ImagePush[]): string {
  const named = pushes
    .slice(0, NAMED_PUSHES)
    .map((push) => callerText(describePush(push)))
    .join(', ');
  const more = pushes.length - NAMED_PUSHES;
  return more > 0 ? `${named} and ${more} more` : named;
}
