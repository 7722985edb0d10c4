import { useCallback, useId, useMemo } from 'react';
import { api } from '../api/client';
import { useActionEvents } from '../api/events';
import type { Action, Service } from '../api/types';
import { ENDED_STATES } from '../api/types';
import { Link, navigate } from '../router';
import { countsText, serviceState } from '../services/service-summary';
import { actionTitle } from '../actions/action-text';
import { StateBadge } from '../ui/state-badge';
import { Empty, ErrorNote, Loading } from '../ui/status';
import { Time } from '../ui/time';
import { useLoad } from '../ui/use-load';
import { LiveStatus } from '../ui/live-status';

/** The API's largest page. When it comes back full, older services' last actions are asked one by one. */
const ACTIONS_PAGE = 1000;

async function lastActions(services: Service[], signal: AbortSignal) {
  const { actions } = await api.actions({ limit: ACTIONS_PAGE }, signal);
  const last = new Map<string, Action>();
  for (const action of actions) if (!last.has(action.serviceId)) last.set(action.serviceId, action);
  if (actions.length === ACTIONS_PAGE) {
    const missing = services.filter((s) => !last.has(s.id));
    const more = await Promise.all(
      missing.map((s) => api.actions({ service: s.id, limit: 1 }, signal)),
    );
    for (const {
      actions: [action],
    } of more)
      if (action) last.set(action.serviceId, action);
  }
  return last;
}

export function ServicesPage({ query }: { query: string }) {
  const searchId = useId();
  const services = useLoad(
    useCallback(async (signal: AbortSignal) => (await api.services(signal)).services, []),
  );
  const list = services.data;
  const last = useLoad(
    useCallback(
      async (signal: AbortSignal) => (list ? lastActions(list, signal) : new Map<string, Action>()),
      [list],
    ),
  );

  const live = useActionEvents(
    undefined,
    (action) => {
      last.setData((current) => new Map(current).set(action.serviceId, action));
      // A redeploy or scale that ended changed containers: show them as they are now.
      if (ENDED_STATES.includes(action.state)) services.reload();
    },
    services.reload,
  );

  const needle = query.trim().toLowerCase();
  const shown = useMemo(
    () =>
      (list ?? []).filter(
        (s) =>
          !needle ||
          s.name.toLowerCase().includes(needle) ||
          s.imageRef.toLowerCase().includes(needle),
      ),
    [list, needle],
  );

  return (
    <section>
      <div className="page-head">
        <h1>Services</h1>
        <LiveStatus status={live} />
      </div>
      <div className="toolbar">
        <label htmlFor={searchId}>Search services</label>
        <input
          id={searchId}
          type="search"
          placeholder="Name or image"
          value={query}
          onChange={(event) => {
            const q = event.target.value;
            navigate(q ? `/services?q=${encodeURIComponent(q)}` : '/services', { replace: true });
          }}
        />
      </div>
      {services.error && !list ? (
        <ErrorNote error={services.error} onRetry={services.reload} />
      ) : !list ? (
        <Loading what="services" />
      ) : list.length === 0 ? (
        <Empty>
          The engine runs no services Hoist can see: Compose services, containers Hoist created, and
          named containers are listed here.
        </Empty>
      ) : shown.length === 0 ? (
        <Empty>No service matches “{query}”.</Empty>
      ) : (
        <>
          {services.error && <ErrorNote error={services.error} onRetry={services.reload} />}
          <table className="table stack">
            <caption className="visually-hidden">
              {shown.length} of {list.length} services
            </caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Engine</th>
                <th scope="col">Image</th>
                <th scope="col">State</th>
                <th scope="col">Running</th>
                <th scope="col">Last action</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((service) => {
                const state = serviceState(service);
                const action = last.data?.get(service.id);
                return (
                  <tr key={service.id}>
                    <th scope="row" data-label="Name">
                      <Link to={`/services/${service.id}`}>{service.name}</Link>
                      {service.self && <span className="kind"> (Hoist itself)</span>}
                    </th>
                    <td data-label="Engine">{service.engineId}</td>
                    <td data-label="Image" className="mono wrap">
                      {service.imageRef || '—'}
                    </td>
                    <td data-label="State">
                      <span className={`dot dot-${state.tone}`} aria-hidden="true" />
                      {state.label}
                    </td>
                    <td data-label="Running">{countsText(service)}</td>
                    <td data-label="Last action">
                      {action ? (
                        <span className="last-action">
                          <StateBadge state={action.state} /> {actionTitle(action)}{' '}
                          <Time iso={action.createdAt} />
                        </span>
                      ) : last.error ? (
                        <span className="muted">unknown</span>
                      ) : last.loading ? (
                        <span className="muted">…</span>
                      ) : (
                        <span className="muted">none yet</span>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
