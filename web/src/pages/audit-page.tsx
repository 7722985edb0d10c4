import { useCallback, useId, useState } from 'react';
import { api, type Paged } from '../api/client';
import type { AuditEvent } from '../api/types';
import { Link, navigate } from '../router';
import { LoadMore, type Pages } from '../ui/load-more';
import { Empty, ErrorNote, Loading } from '../ui/status';
import { Time } from '../ui/time';
import { useLoad } from '../ui/use-load';

/** How many events the page shows at first, and adds with Load more. */
const PAGE = 100;

const toPages = (page: Paged<{ events: AuditEvent[] }>): Pages<AuditEvent> => ({
  items: page.events,
  next: page.next,
});

/**
 * The audit log (GET /api/v1/audit): who changed what, when and from where,
 * newest first, filtered by actor (kept in the URL: ?actor=otto).
 */
export function AuditPage({ actor }: { actor: string }) {
  const actorId = useId();
  const [typed, setTyped] = useState(actor);
  const events = useLoad(
    useCallback(
      async (signal: AbortSignal) =>
        toPages(await api.audit({ ...(actor ? { actor } : {}), limit: PAGE }, signal)),
      [actor],
    ),
  );
  const list = events.data?.items;

  return (
    <section>
      <div className="page-head">
        <h1>Audit log</h1>
      </div>
      <form
        className="toolbar"
        onSubmit={(event) => {
          event.preventDefault();
          const value = typed.trim();
          navigate(value ? `/audit?actor=${encodeURIComponent(value)}` : '/audit', {
            replace: true,
          });
        }}
      >
        <label htmlFor={actorId}>Actor</label>
        <input
          id={actorId}
          value={typed}
          placeholder='a username, or "handler ci"'
          onChange={(event) => setTyped(event.target.value)}
        />
        <button type="submit">Filter</button>
      </form>
      {events.error && <ErrorNote error={events.error} onRetry={events.reload} />}
      {!list ? (
        !events.error && <Loading what="the audit log" />
      ) : list.length === 0 ? (
        <Empty>{actor ? `Nothing by ${actor}.` : 'Nothing has been changed yet.'}</Empty>
      ) : (
        <>
          <table className="table stack">
            <caption className="visually-hidden">Audit events, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">What</th>
                <th scope="col">Object</th>
                <th scope="col">Detail</th>
                <th scope="col">From</th>
              </tr>
            </thead>
            <tbody>
              {list.map((event) => (
                <tr key={event.id}>
                  <td data-label="When">
                    <Time iso={event.at} />
                  </td>
                  <th scope="row" data-label="Who">
                    {event.actor}
                    {event.tokenName && <span className="muted"> ({event.tokenName})</span>}
                  </th>
                  <td data-label="What">{event.action}</td>
                  <td data-label="Object">
                    <ObjectText event={event} />
                  </td>
                  <td data-label="Detail" className="wrap">
                    {event.detail ?? '—'}
                  </td>
                  <td data-label="From" className="mono">
                    {event.address ?? '—'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <LoadMore
            list={events}
            fetchPage={async (next) =>
              toPages(await api.page<Paged<{ events: AuditEvent[] }>>(next))
            }
          />
        </>
      )}
    </section>
  );
}

/** The object, linked to its service when it has one. */
function ObjectText({ event }: { event: AuditEvent }) {
  if (!event.objectKind) return <>—</>;
  const name = event.objectName ?? event.objectId?.slice(0, 8) ?? '?';
  const text = `${event.objectKind} ${name}`;
  if (!event.serviceId) return <>{text}</>;
  const tab = event.objectKind === 'handler' ? '/webhooks' : '';
  return <Link to={`/services/${event.serviceId}${tab}`}>{text}</Link>;
}
