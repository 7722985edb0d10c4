import type { Logger } from '../logger.js';
import type { CallbackSender } from '../ports/callback-sender.js';
import type { Store } from '../ports/store.js';
import type { Action } from './action.js';

/**
 * Docker Hub's callback: when an action ends, every delivery that brought a
 * callback_url (the one that queued the action and those that joined it) is
 * told the outcome, once, and the result is kept with the delivery.
 */
export class ActionCallbacks {
  /** Sends started by send() and not yet ended: drain() waits for them. */
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly deps: {
      store: Store;
      sender: CallbackSender;
      logger: Logger;
      actionUrl: (id: string) => string;
    },
  ) {}

  /**
   * Starts notify() without waiting for it (the worker must not wait for a
   * slow receiver); a failure is logged.
   */
  send(action: Action): void {
    const sending = this.notify(action)
      .catch((error: unknown) =>
        this.deps.logger.error({ err: error, actionId: action.id }, 'could not send callbacks'),
      )
      .finally(() => this.inFlight.delete(sending));
    this.inFlight.add(sending);
  }

  /**
   * Waits for every send started, so that their results are written before
   * the store closes; each gives up after the sender's timeout.
   */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
  }

  async notify(action: Action): Promise<void> {
    const state = hubState(action);
    if (!state) return;
    const deliveries = await this.deps.store.listCallbackDeliveries(action.id);
    for (const delivery of deliveries) {
      if (!delivery.callbackUrl || delivery.callbackResult !== null) continue;
      const result = await this.deps.sender.send(delivery.callbackUrl, {
        state,
        description:
          action.state === 'Success'
            ? `Redeployed${action.digestAfter ? ` ${action.digestAfter}` : ''}`
            : `Redeploy ${action.state.toLowerCase()}: ${action.reason ?? 'no reason recorded'}`.slice(
                0,
                255,
              ),
        context: 'Hoist',
        target_url: this.deps.actionUrl(action.id),
      });
      const text = result.ok ? `sent (${result.status})` : `not sent: ${result.reason}`;
      await this.deps.store.setDeliveryCallbackResult(delivery.id, text);
      if (!result.ok) {
        this.deps.logger.warn({ actionId: action.id, deliveryId: delivery.id }, `callback ${text}`);
      }
    }
  }
}

/** Docker Hub's words for an outcome; null while the action has not ended. */
function hubState(action: Action): 'success' | 'failure' | 'error' | null {
  switch (action.state) {
    case 'Success':
      return 'success';
    case 'Failed':
      return 'failure';
    case 'Canceled':
      return 'error';
    default:
      return null;
  }
}
