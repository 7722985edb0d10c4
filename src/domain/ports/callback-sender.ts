/**
 * The callback port: how the domain tells a registry (Docker Hub's
 * `callback_url`) how the action its call started ended. The HTTP adapter
 * decides which URLs may be called at all; the domain only records the result.
 */

/**
 * What happened to one callback. `reason` is written for the user reading the
 * delivery log: refused by policy (and why), timed out, could not connect, or
 * answered with a status that is not 2xx. It names the URL only as
 * scheme://host/path, never its query, fragment or credentials.
 */
export type CallbackResult =
  { ok: true; status: number } | { ok: false; reason: string; status?: number };

export interface CallbackSender {
  /** POSTs `body` as JSON to `url`. Never throws: every failure is a result. */
  send(url: string, body: object): Promise<CallbackResult>;
}
