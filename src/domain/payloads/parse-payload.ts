/**
 * Recognizes a call's payload: a distribution registry's notification, a
 * GitHub package event, a Docker Hub webhook, or else a plain trigger (an
 * empty body, form data, other JSON, invalid JSON, binary: as in Tutum, a
 * call of the URL is reason enough to redeploy).
 *
 * JSON is read when the content type says JSON (`application/json`, any
 * `+json` type such as the registry's), is `text/plain`, or is missing; a
 * GitHub event sent as a form carries its JSON in the `payload` field.
 * The body must be valid UTF-8. Nothing here throws, whatever the input.
 */
import { headerReader } from '../request-headers.js';
import { mediaType } from './media-type.js';
import { parseDockerHubPayload } from './docker-hub-payload.js';
import { parseGitHubPackageEvent } from './github-package-payload.js';
import type { ParsedPayload } from './payload.js';
import { deliveryKey } from './payload.js';
import {
  REGISTRY_EVENTS_MEDIA_TYPE,
  parseRegistryNotification,
} from './registry-notification-payload.js';

export interface PayloadRequest {
  contentType: string | null | undefined;
  body: Buffer | null;
  /** Request headers; names are matched without regard to case. */
  headers: Record<string, string | undefined>;
}

/**
 * @example
 * parsePayload({ contentType: 'application/json', body: Buffer.from('{}'), headers: {} });
 * // { kind: 'plain', pushes: [], ignoredEvents: 0, deliveryKey: null, callbackUrl: null }
 */
export function parsePayload(request: PayloadRequest): ParsedPayload {
  let headerKey: string | null = null;
  try {
    const header = headerReader(request.headers);
    const githubEvent = header('x-github-event');
    headerKey =
      deliveryKey('github-delivery', header('x-github-delivery')) ??
      deliveryKey('webhook-id', header('webhook-id'));
    const type = mediaType(request.contentType);
    const json = readJson(type, request.body, githubEvent !== null);

    const registry = parseRegistryNotification(json, type === REGISTRY_EVENTS_MEDIA_TYPE);
    if (registry) return { ...registry, deliveryKey: registry.deliveryKey ?? headerKey };
    const github = parseGitHubPackageEvent(json, githubEvent);
    if (github) return { ...github, deliveryKey: headerKey };
    const hub = parseDockerHubPayload(json);
    if (hub) return { ...hub, deliveryKey: headerKey ?? hub.deliveryKey };
  } catch {
    // A payload Hoist cannot read is a plain trigger; the checks above make this unreachable.
  }
  return { kind: 'plain', pushes: [], ignoredEvents: 0, deliveryKey: headerKey, callbackUrl: null };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The body's JSON value, or undefined when it is not JSON this reads. */
function readJson(type: string, body: Buffer | null, fromGitHub: boolean): unknown {
  if (!body || body.length === 0) return undefined;
  const isJson =
    type === '' || type === 'application/json' || type === 'text/plain' || type.endsWith('+json');
  const isGitHubForm = fromGitHub && type === 'application/x-www-form-urlencoded';
  if (!isJson && !isGitHubForm) return undefined;
  try {
    const text = utf8.decode(body);
    const json = isGitHubForm ? new URLSearchParams(text).get('payload') : text;
    return json === null ? undefined : (JSON.parse(json) as unknown);
  } catch {
    return undefined;
  }
}
