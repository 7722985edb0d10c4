import type { Action } from '../actions/action.js';
import type { Clock } from '../clock.js';
import { allows } from '../auth/access.js';
import type { Principal } from '../auth/principal.js';
import type { Logger } from '../logger.js';
import { readPage, type Page, type Position } from '../paging.js';
import type { Store } from '../ports/store.js';
import { newRecordId } from '../record-id.js';
import type { AuditEvent, AuditFilter, AuditObjectKind } from './audit-event.js';

export type AuditEntry = Omit<AuditEvent, 'id' | 'at'>;

/**
 * The audit log: who changed what, when and from where. Written after the change it
 * records (the HTTP layer records each write request once it has succeeded); a failed
 * write is logged and does not fail the request, whose change is already made.
 */
export class AuditTrail {
  constructor(private readonly deps: { store: Store; clock: Clock; logger: Logger }) {}

  async record(entry: AuditEntry): Promise<void> {
    const event: AuditEvent = {
      id: newRecordId(),
      at: this.deps.clock.now().toISOString(),
      ...entry,
    };
    try {
      await this.deps.store.insertAuditEvent(event);
    } catch (error) {
      this.deps.logger.error(
        { err: error, action: entry.action, actor: entry.actor },
        'could not write the audit log',
      );
    }
  }

  /**
   * Newest first, a page at a time. Admins see everything; others see everything but
   * other people's accounts (their users, tokens and sessions).
   */
  list(
    viewer: Principal,
    filter: Omit<AuditFilter, 'limit' | 'before' | 'onlyAccountsOf'>,
    limit: number,
    before: Position | undefined,
  ): Promise<Page<AuditEvent>> {
    const scoped: Omit<AuditFilter, 'limit' | 'before'> = allows(viewer.scopes, 'admin')
      ? filter
      : { ...filter, onlyAccountsOf: viewer.user.username };
    return readPage(
      limit,
      before,
      (n, from) =>
        this.deps.store.listAuditEvents({ ...scoped, limit: n, ...(from ? { before: from } : {}) }),
      (event) => ({ at: event.at, id: event.id }),
    );
  }

  /**
   * An action a handler or registry endpoint call queued (the API's requests are recorded
   * by the HTTP layer). Not awaited by the caller: the call is answered by then.
   */
  async recordQueued(action: Action): Promise<void> {
    const { trigger } = action;
    if (trigger.kind === 'api') return;
    const [actor, actorKind] =
      trigger.kind === 'webhook'
        ? [`handler ${trigger.webhookName}`, 'handler' as const]
        : [`registry endpoint ${trigger.registryName}`, 'registry' as const];
    await this.record({
      actor,
      actorKind,
      tokenName: null,
      address: null,
      action: action.type === 'scale' ? 'service.scale_requested' : 'service.redeploy_requested',
      objectKind: 'service',
      objectId: action.serviceId,
      serviceId: action.serviceId,
      objectName: await this.nameOf('service', action.serviceId).catch(() => null),
      detail: `action ${action.id.slice(0, 8)}`,
    });
  }

  /** The name of what an event is about, read before a change removes it; null if gone. */
  async nameOf(kind: AuditObjectKind, id: string): Promise<string | null> {
    const { store } = this.deps;
    switch (kind) {
      case 'service':
        return (await store.getService(id))?.name ?? null;
      case 'handler':
        return (await store.getWebhook(id))?.name ?? null;
      case 'registry':
        return (await store.getRegistry(id))?.name ?? null;
      case 'user':
        return (await store.getUser(id))?.username ?? null;
      case 'token':
        return (await store.getApiToken(id))?.name ?? null;
      case 'session':
        return null;
    }
  }

  /** Deletes events older than `before` (retention). */
  prune(before: string): Promise<number> {
    return this.deps.store.pruneAuditEvents(before);
  }
}
