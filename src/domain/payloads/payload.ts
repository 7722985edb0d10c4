/**
 * What a call's body says was pushed, whoever sent it. A payload is read, never
 * trusted: every value is checked against Docker's grammar before it becomes
 * part of an `ImagePush`, and anything unexpected makes a payload count for
 * less (an ignored event, a plain trigger), never an error.
 */
import { createHash } from 'node:crypto';

/**
 * - `dockerhub`: a Docker Hub repository webhook.
 * - `registry`: a distribution registry's notification envelope.
 * - `github`: a GitHub Packages `registry_package` / `package` event (or another GitHub event that pushes nothing).
 * - `plain`: anything else: a trigger that names no image (Tutum's behaviour).
 */
export type PayloadKind = 'dockerhub' | 'registry' | 'github' | 'plain';

/** One pushed tag, named like `parseImageReference` names a service's image so the two compare. */
export interface ImagePush {
  /** Lower-case registry host; "docker.io" for Docker Hub. */
  host: string;
  /** Repository path; "library/nginx" for official Hub images. */
  path: string;
  /** The pushes parsed from payloads always carry a tag; null reads as "latest". */
  tag: string | null;
  digest: string | null;
}

export interface ParsedPayload {
  kind: PayloadKind;
  /** One per pushed repository and tag, however many events reported it. */
  pushes: ImagePush[];
  /** Events that pushed no tag: blob pushes, pulls, untagged manifests, other package events. */
  ignoredEvents: number;
  /**
   * The sender's id of this delivery, prefixed with its source
   * (`registry-event:`, `github-delivery:`, `webhook-id:`, `dockerhub-callback:`),
   * so the same delivery sent again is recognized. Null when the sender gives none.
   */
  deliveryKey: string | null;
  /** Docker Hub: where to report the outcome (checked by the callback policy before any request). */
  callbackUrl: string | null;
}

/** A JSON object's own property (never one inherited from Object.prototype). */
export function field(value: unknown, key: string): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function stringField(value: unknown, key: string): string | null {
  const found = field(value, key);
  return typeof found === 'string' ? found : null;
}

const PRINTABLE_KEY = /^[\x21-\x7e]{1,200}$/;

/**
 * `source:value` as a delivery key. A value that is long or not printable
 * ASCII is replaced by its SHA-256, so a key stays short enough to index and
 * safe to show.
 */
export function deliveryKey(source: string, value: string | null | undefined): string | null {
  if (!value) return null;
  if (PRINTABLE_KEY.test(value)) return `${source}:${value}`;
  return `${source}:sha256:${createHash('sha256').update(value, 'utf8').digest('hex')}`;
}
