import type { Action } from '../api/types';

/** "Redeploy", "Scale to 3", "Scale up by 2". */
export function actionTitle(action: Action): string {
  if (action.type === 'redeploy') return 'Redeploy';
  if (action.type === 'scale') {
    if (action.options.add !== undefined) return `Scale up by ${action.options.add}`;
    if (action.options.replicas !== undefined) return `Scale to ${action.options.replicas}`;
    return 'Scale';
  }
  return action.type.charAt(0).toUpperCase() + action.type.slice(1);
}

/** Who or what started it. */
export function triggerText(action: Action): string {
  const { trigger } = action;
  if (trigger.kind === 'webhook')
    return `webhook “${trigger.webhookName ?? trigger.webhookId ?? '?'}”`;
  if (trigger.kind === 'api') {
    const token = `API token “${trigger.tokenName ?? '?'}”`;
    return trigger.username ? `${trigger.username}, ${token}` : token;
  }
  if (trigger.kind === 'registry')
    return `registry “${trigger.registryName ?? trigger.registryId ?? '?'}”`;
  return trigger.kind;
}

/** Newest first, as the API lists them. */
export function byNewest(a: Action, b: Action): number {
  return b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id);
}
