import { useCallback, useId } from 'react';
import { api, type Paged } from '../api/client';
import type { Delivery } from '../api/types';
import { Link } from '../router';
import { shortDigest } from '../services/service-summary';
import { LoadMore, type Pages } from '../ui/load-more';
import { ErrorNote, Loading } from '../ui/status';
import { Time } from '../ui/time';
import { useLoad } from '../ui/use-load';

/** How many of a handler's calls the Webhooks tab shows at first, and adds with Load more. */
const DELIVERY_PAGE = 20;

// The API's outcome is a string (accepted, coalesced, ignored or rejected today):
// one these maps do not know is shown as it is.
const OUTCOMES: Record<string, string> = {
  accepted: 'Accepted',
  coalesced: 'Coalesced',
  ignored: 'Ignored',
  rejected: 'Rejected',
};

const OUTCOME_HINTS: Record<string, string> = {
  accepted: 'The call queued an action',
  coalesced: 'The call joined an action already waiting',
  ignored: 'The call was answered, but nothing was done',
  rejected: 'The call was refused',
};

const PAYLOAD_KINDS: Record<string, string> = {
  dockerhub: 'Docker Hub',
  registry: 'Registry event',
  github: 'GitHub package',
  empty: 'No body',
  json: 'JSON',
  form: 'Form',
  text: 'Text',
  other: 'Other',
};

function OutcomeBadge({ outcome }: { outcome: string }) {
  return (
    <span
      className={`badge badge-${outcome}`}
      data-outcome={outcome}
      title={OUTCOME_HINTS[outcome]}
    >
      {OUTCOMES[outcome] ?? outcome}
    </span>
  );
}

/** A page of a handler's calls (GET .../webhooks/{wid}/deliveries, or its `next`). */
const toPages = (page: Paged<{ deliveries: Delivery[] }>): Pages<Delivery> => ({
  items: page.deliveries,
  next: page.next,
});

/**
 * A handler's recent calls, newest first, and older ones a page at a time
 * (Load more). `refresh` changes when something may have added one: it loads
 * the newest page again.
 */
export function DeliveryList(props: { serviceId: string; webhookId: string; refresh: number }) {
  const { serviceId, webhookId, refresh } = props;
  const titleId = useId();
  const deliveries = useLoad(
    useCallback(
      async (signal: AbortSignal) =>
        toPages(await api.deliveries(serviceId, webhookId, DELIVERY_PAGE, signal)),
      // `refresh` is a dependency on purpose: each change loads the list again.
      // eslint-disable-next-line react-hooks/exhaustive-deps
      [serviceId, webhookId, refresh],
    ),
  );

  const list = deliveries.data?.items;
  return (
    <div className="deliveries">
      <div className="deliveries-head">
        <h3 id={titleId}>Recent deliveries</h3>
        <button
          type="button"
          className="small"
          onClick={deliveries.reload}
          aria-busy={deliveries.loading}
        >
          Refresh
        </button>
      </div>
      {deliveries.error && <ErrorNote error={deliveries.error} onRetry={deliveries.reload} />}
      {!list ? (
        !deliveries.error && <Loading what="deliveries" />
      ) : list.length === 0 ? (
        <p className="note">
          No calls yet. Each call of this handler&apos;s URL shows up here with what came of it.
        </p>
      ) : (
        <>
          <table className="table stack delivery-table" aria-labelledby={titleId}>
            <thead>
              <tr>
                <th scope="col">Received</th>
                <th scope="col">From</th>
                <th scope="col">Payload</th>
                <th scope="col">Outcome</th>
                <th scope="col">Result</th>
              </tr>
            </thead>
            <tbody>
              {list.map((delivery) => (
                <DeliveryRow key={delivery.id} delivery={delivery} serviceId={serviceId} />
              ))}
            </tbody>
          </table>
          <LoadMore
            list={deliveries}
            fetchPage={async (next) =>
              toPages(await api.page<Paged<{ deliveries: Delivery[] }>>(next))
            }
          />
        </>
      )}
    </div>
  );
}

function DeliveryRow({ delivery, serviceId }: { delivery: Delivery; serviceId: string }) {
  const d = delivery;
  return (
    <tr data-delivery-id={d.id} data-outcome={d.outcome}>
      <td data-label="Received" className="delivery-when">
        <Time iso={d.receivedAt} />
      </td>
      <td data-label="From" className="mono delivery-from" title={d.userAgent ?? undefined}>
        {d.remoteAddress ?? <span className="muted">unknown</span>}
      </td>
      <td data-label="Payload">
        <span title={d.contentType ?? undefined}>
          {PAYLOAD_KINDS[d.payloadKind] ?? d.payloadKind}
        </span>
        {d.pushed && (
          <span className="delivery-pushed mono wrap" title={d.digest ?? undefined}>
            {d.pushed}
            {d.digest && <span className="muted"> @{shortDigest(d.digest)}</span>}
          </span>
        )}
      </td>
      <td data-label="Outcome">
        <OutcomeBadge outcome={d.outcome} />
        {d.reason && (
          <span className={`delivery-reason${d.outcome === 'rejected' ? ' error-text' : ''}`}>
            {d.reason}
          </span>
        )}
      </td>
      <td data-label="Result">
        {d.actionId ? (
          <Link
            className="delivery-link"
            to={`/services/${serviceId}/activity?action=${encodeURIComponent(d.actionId)}`}
          >
            See the action
          </Link>
        ) : (
          <span className="muted">no action</span>
        )}
        {d.callbackResult && (
          <span className="delivery-callback">Callback: {d.callbackResult}</span>
        )}
      </td>
    </tr>
  );
}
