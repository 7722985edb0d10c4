import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { api, type Paged } from '../api/client';
import { useActionEvents } from '../api/events';
import type { Action, ActionState } from '../api/types';
import { Link } from '../router';
import { StateBadge } from '../ui/state-badge';
import { LiveStatus } from '../ui/live-status';
import { LoadMore, type Pages } from '../ui/load-more';
import { Empty, ErrorNote, Loading } from '../ui/status';
import { Time } from '../ui/time';
import { useLoad } from '../ui/use-load';
import { ActionDetails } from './action-details';
import { actionTitle, byNewest, triggerText } from './action-text';

/** How many actions the list shows at first, and adds with Load more. */
const PAGE = 100;

/** A page of actions (GET /api/v1/actions, or its `next`). */
const toPages = (page: Paged<{ actions: Action[] }>): Pages<Action> => ({
  items: page.actions,
  next: page.next,
});

interface ActionListProps {
  /** Only this service's actions. */
  service?: string;
  /** Only actions in this state (an action that leaves it leaves the list). */
  state?: ActionState;
  /** Service names by id, to name each action's service (the global list). */
  serviceNames?: Map<string, string>;
  /** An action to show expanded and scrolled to (a link from a webhook delivery). */
  target?: string;
}

/**
 * Actions newest first, kept current by GET /api/v1/events: a new action is
 * added on top, and a state change updates its badge in place. Older ones
 * come a page at a time (Load more).
 */
export function ActionList({ service, state, serviceNames, target }: ActionListProps) {
  const actions = useLoad(
    useCallback(
      async (signal: AbortSignal) =>
        toPages(
          await api.actions(
            { ...(service ? { service } : {}), ...(state ? { state } : {}), limit: PAGE },
            signal,
          ),
        ),
      [service, state],
    ),
  );
  const live = useActionEvents(
    service,
    (action) =>
      actions.setData((current) => {
        if (!current) return current;
        const others = current.items.filter((a) => a.id !== action.id);
        if (state && action.state !== state) return { ...current, items: others };
        return { ...current, items: [...others, action].sort(byNewest) };
      }),
    actions.reload,
  );

  const list = actions.data?.items;
  return (
    <>
      <div className="list-head">
        <LiveStatus status={live} />
      </div>
      {actions.error && <ErrorNote error={actions.error} onRetry={actions.reload} />}
      {!list ? (
        !actions.error && <Loading what="actions" />
      ) : list.length === 0 ? (
        <Empty>
          {state
            ? `No action is ${state} now.`
            : service
              ? 'Nothing has happened to this service yet. A redeploy or a webhook call shows up here as it happens.'
              : 'No actions yet. Redeploys and webhook calls show up here as they happen.'}
        </Empty>
      ) : (
        <>
          <ul className="action-list" aria-label="Actions">
            {list.map((action) => (
              <ActionItem
                key={action.id}
                action={action}
                target={action.id === target}
                serviceName={
                  serviceNames ? (serviceNames.get(action.serviceId) ?? null) : undefined
                }
              />
            ))}
          </ul>
          <LoadMore
            list={actions}
            fetchPage={async (next) => toPages(await api.page<Paged<{ actions: Action[] }>>(next))}
            order={byNewest}
          />
        </>
      )}
    </>
  );
}

function ActionItem(props: { action: Action; serviceName?: string | null; target: boolean }) {
  const { action, serviceName, target } = props;
  const [open, setOpen] = useState(target);
  const detailsId = useId();
  const toggle = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (!target) return;
    toggle.current?.scrollIntoView({ block: 'center' });
    toggle.current?.focus({ preventScroll: true });
  }, [target]);
  return (
    <li className={target ? 'action target' : 'action'} data-action-id={action.id}>
      <div className="action-head">
        <button
          ref={toggle}
          type="button"
          className="action-toggle"
          aria-expanded={open}
          aria-controls={detailsId}
          onClick={() => setOpen((o) => !o)}
        >
          <span className="chevron" aria-hidden="true" />
          <StateBadge state={action.state} />
          <span className="action-title">{actionTitle(action)}</span>
        </button>
        {serviceName !== undefined && (
          <Link to={`/services/${action.serviceId}/activity`} className="action-service">
            {serviceName ?? `service ${action.serviceId.slice(0, 8)}`}
          </Link>
        )}
        <span className="action-trigger">by {triggerText(action)}</span>
        <span className="action-time">
          <Time iso={action.createdAt} />
        </span>
      </div>
      {open && (
        <div id={detailsId} className="action-details">
          <ActionDetails action={action} />
        </div>
      )}
    </li>
  );
}
