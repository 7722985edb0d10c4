import type { Action } from '../domain/actions/action.js';

/**
 * The API shape of an action: the domain object without its journal, with its own URL, and
 * only the options the API shows. A call's body (triggerBody) and the digest a push reported
 * stay inside: the GET routes' response schemas would strip them, but the event stream
 * writes this object as it is, to every subscriber.
 */
export function presentAction(action: Action, publicUrl: string) {
  const { progress: _progress, options, ...rest } = action;
  const { reuseVolumes, replicas, add } = options;
  return {
    ...rest,
    options: { reuseVolumes, replicas, add },
    url: actionUrl(action.id, publicUrl),
  };
}

export function actionUrl(id: string, publicUrl: string): string {
  return `${publicUrl}/api/v1/actions/${id}`;
}
