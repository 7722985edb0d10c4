/**
 * The states of an action, named as Tutum named them, in the order an action
 * goes through them. The one list: the API's schema, the CLI and the web UI
 * take it from here (a module without imports, so neither client loads
 * anything else of the server for it).
 */
export const ACTION_STATES = ['Pending', 'In progress', 'Success', 'Failed', 'Canceled'] as const;

export type ActionState = (typeof ACTION_STATES)[number];

/** The states an action ends in and never leaves. */
export const ENDED_STATES: readonly ActionState[] = ['Success', 'Failed', 'Canceled'];
