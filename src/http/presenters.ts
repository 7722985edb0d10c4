import type { Action } from '../domain/actions/action.js';

/** The API shape of an action: the domain object without its journal, with its own URL. */
export function presentAction(action: Action, publicUrl: string) {
  const { progress: _progress, ...rest } = action;
  return { ...rest, url: actionUrl(action.id, publicUrl) };
}

export function actionUrl(id: string, publicUrl: string): string {
  return `${publicUrl}/api/v1/actions/${id}`;
}
