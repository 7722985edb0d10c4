/** One change, who made it, and from where: a line of the audit log. */
export interface AuditEvent {
  /** A time-ordered record id (record-id.ts). */
  id: string;
  at: string;
  /** A username; "handler <name>" or "registry endpoint <name>" for calls of secret URLs. */
  actor: string;
  actorKind: AuditActorKind;
  /** The API token the user sent, or "web session"; null for the others. */
  tokenName: string | null;
  /** The client's address; null when Hoist itself acted. */
  address: string | null;
  /** What happened, e.g. handler.created, service.redeploy_requested, sign_in.failed. */
  action: string;
  objectKind: AuditObjectKind | null;
  objectId: string | null;
  objectName: string | null;
  /** The service the event concerns (the object itself, or a handler's service); null for others. */
  serviceId: string | null;
  /** A short note: a new role, the action a request queued. */
  detail: string | null;
}

export type AuditActorKind = 'user' | 'handler' | 'registry' | 'hoist';

export type AuditObjectKind = 'service' | 'handler' | 'registry' | 'user' | 'token' | 'session';

export interface AuditFilter {
  actor?: string;
  objectId?: string;
  serviceId?: string;
  /** ISO times: events at or after `since`, before `until`. */
  since?: string;
  until?: string;
  /** Leave out events about other users' accounts (user, token, session objects). */
  onlyAccountsOf?: string;
  limit: number;
  before?: { at: string; id: string };
}
