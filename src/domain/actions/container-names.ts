/**
 * Temporary container names used while a container is being replaced:
 * `<name>.hoist-old-<8 hex>` for the old container moved out of the way and
 * `<name>.hoist-new-<8 hex>` for the replacement before it takes the name.
 * The 8 hex digits are derived from the action's id, so a restart finds the
 * leftovers of a given action again. Discovery never shows these containers.
 */

export type TransientRole = 'old' | 'new';

const TRANSIENT = /^(.+)\.hoist-(old|new)-([0-9a-f]{8})$/;

/** 8 hex digits derived from an action id (FNV-1a, 32 bits): stable, short, and well spread. */
export function actionTag(actionId: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < actionId.length; i++) {
    hash ^= actionId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/** The temporary name of `name`'s old or new container during action `actionId`. */
export function transientName(name: string, role: TransientRole, actionId: string): string {
  return `${name}.hoist-${role}-${actionTag(actionId)}`;
}

export function isTransientContainerName(name: string): boolean {
  return TRANSIENT.test(stripSlash(name));
}

/** Splits a transient name into its parts; null for an ordinary name. */
export function parseTransientName(
  name: string,
): { baseName: string; role: TransientRole; tag: string } | null {
  const match = TRANSIENT.exec(stripSlash(name));
  if (!match) return null;
  return { baseName: match[1]!, role: match[2] as TransientRole, tag: match[3]! };
}

function stripSlash(name: string): string {
  return name.startsWith('/') ? name.slice(1) : name;
}
