import type { ActionState } from '../api/types';

/** An action's state as a badge: the state's name always, its colour only as a hint. */
export function StateBadge({ state }: { state: ActionState }) {
  const tone = state.toLowerCase().replace(' ', '-');
  return (
    <span className={`badge badge-${tone}`} data-state={state}>
      {state}
    </span>
  );
}
