import type { Action } from './action.js';

export type ActionListener = (action: Action) => void;

/**
 * In-process news of actions: one is published when an action is queued,
 * started and ended. The web UI's live views (server-sent events) listen;
 * a listener that throws never disturbs the publisher.
 */
export class ActionEvents {
  private readonly listeners = new Set<ActionListener>();

  /** Returns the function that unsubscribes. */
  subscribe(listener: ActionListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(action: Action): void {
    for (const listener of this.listeners) {
      try {
        listener(action);
      } catch {
        // A broken listener (a closed connection, say) is its own problem.
      }
    }
  }

  get listenerCount(): number {
    return this.listeners.size;
  }
}
