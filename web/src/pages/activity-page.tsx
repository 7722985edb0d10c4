import { useCallback, useId, useMemo } from 'react';
import { api } from '../api/client';
import type { ActionState } from '../api/types';
import { ACTION_STATES } from '../api/types';
import { navigate } from '../router';
import { ActionList } from '../actions/action-list';
import { useLoad } from '../ui/use-load';

/** Every action across services, filterable by state (kept in the URL: ?state=Failed). */
export function ActivityPage({ state }: { state: string }) {
  const filterId = useId();
  const filter = ACTION_STATES.find((s) => s === state);
  // Names only: when the engine does not answer, actions still show, with their service's id.
  const services = useLoad(
    useCallback(async (signal: AbortSignal) => (await api.services(signal)).services, []),
  );
  const names = useMemo(
    () => new Map((services.data ?? []).map((s) => [s.id, s.name])),
    [services.data],
  );

  return (
    <section>
      <div className="page-head">
        <h1>Activity</h1>
      </div>
      <div className="toolbar">
        <label htmlFor={filterId}>State</label>
        <select
          id={filterId}
          value={filter ?? ''}
          onChange={(event) => {
            const value = event.target.value;
            navigate(value ? `/activity?state=${encodeURIComponent(value)}` : '/activity', {
              replace: true,
            });
          }}
        >
          <option value="">All states</option>
          {ACTION_STATES.map((s: ActionState) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </div>
      <ActionList
        key={filter ?? 'all'}
        {...(filter ? { state: filter } : {})}
        serviceNames={names}
      />
    </section>
  );
}
