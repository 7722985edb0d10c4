import { useState } from 'react';
import { api } from '../api/client';
import { useActionEvents } from '../api/events';
import type { Enqueued, Service } from '../api/types';
import { ENDED_STATES } from '../api/types';
import { Link } from '../router';
import { SettingSwitch } from '../services/setting-switch';
import { countsText, serviceState, shortDigest } from '../services/service-summary';
import { ConfirmButton } from '../ui/confirm-button';
import { Empty, ErrorNote, Loading } from '../ui/status';
import { Time } from '../ui/time';
import type { Loaded } from '../ui/use-load';

export function ServiceGeneral({ id, loaded }: { id: string; loaded: Loaded<Service> }) {
  const [queued, setQueued] = useState<Enqueued>();
  // Containers change when an action of this service ends: show them as they are now.
  useActionEvents(
    id,
    (action) => {
      if (ENDED_STATES.includes(action.state)) loaded.reload();
    },
    loaded.reload,
  );

  const service = loaded.data;
  if (!service) {
    return loaded.error ? (
      <ErrorNote error={loaded.error} onRetry={loaded.reload} />
    ) : (
      <Loading what="the service" />
    );
  }
  const state = serviceState(service);

  return (
    <>
      {loaded.error && <ErrorNote error={loaded.error} onRetry={loaded.reload} />}
      <dl className="facts">
        <dt>Image</dt>
        <dd className="mono wrap">{service.imageRef || '—'}</dd>
        <dt>Running digest</dt>
        <dd className="mono wrap" title={service.digest ?? undefined}>
          {service.digest ?? <span className="muted">unknown (not from a registry)</span>}
        </dd>
        <dt>State</dt>
        <dd>
          <span className={`dot dot-${state.tone}`} aria-hidden="true" />
          {state.label}, {countsText(service)}
        </dd>
        <dt>Engine</dt>
        <dd>{service.engineId}</dd>
      </dl>

      <SettingSwitch
        service={service}
        setting="autoredeploy"
        label="Autoredeploy"
        hint={
          <>
            Redeploy when a registry endpoint reports a push of{' '}
            <code className="wrap">{service.imageRef || 'its image'}</code>
          </>
        }
        onSaved={(saved) => loaded.setData(() => saved)}
      />
      {service.self && (
        <SettingSwitch
          service={service}
          setting="allowSelfRedeploy"
          label="Allow Hoist to redeploy itself"
          hint="Hoist runs in this service, so handlers, registry pushes and the API leave it alone. On: they may redeploy, scale or remove it, stopping Hoist while they do."
          onSaved={(saved) => loaded.setData(() => saved)}
        />
      )}

      <div className="actions-row">
        <ConfirmButton
          label="Redeploy"
          title={`Redeploy ${service.name}?`}
          onConfirm={async () => setQueued(await api.redeploy(id))}
        >
          <p>
            Hoist pulls the newest image for <code className="wrap">{service.imageRef}</code> and
            replaces the service's containers one at a time. If a new one fails, the old ones are
            put back.
          </p>
        </ConfirmButton>
        {queued && (
          <p className="notice" role="status">
            {queued.coalesced
              ? 'A redeploy was already waiting: this request joined it. '
              : 'Redeploy queued. '}
            <Link to={`/services/${id}/activity`}>Follow it in Activity</Link>
          </p>
        )}
      </div>

      {service.swarm ? <Tasks service={service} /> : <Containers service={service} />}
    </>
  );
}

function Containers({ service }: { service: Service }) {
  return (
    <>
      <h2>Containers</h2>
      {service.containers.length === 0 ? (
        <Empty>The engine has no containers for this service now.</Empty>
      ) : (
        <table className="table stack">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">State</th>
              <th scope="col">Health</th>
              <th scope="col">Digest</th>
              <th scope="col">Started</th>
            </tr>
          </thead>
          <tbody>
            {service.containers.map((c) => (
              <tr key={c.id}>
                <th scope="row" data-label="Name" className="mono">
                  {c.name}
                </th>
                <td data-label="State">
                  <span className={`dot dot-${c.running ? 'ok' : 'bad'}`} aria-hidden="true" />
                  {c.state}
                </td>
                <td data-label="Health">{c.health === 'none' ? '—' : c.health}</td>
                <td data-label="Digest" className="mono" title={c.digest ?? undefined}>
                  {shortDigest(c.digest)}
                </td>
                <td data-label="Started">
                  <Time iso={c.startedAt} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function Tasks({ service }: { service: Service }) {
  const tasks = service.swarm?.tasks ?? [];
  return (
    <>
      <h2>Tasks</h2>
      {tasks.length === 0 ? (
        <Empty>The swarm runs no tasks for this service now.</Empty>
      ) : (
        <table className="table stack">
          <thead>
            <tr>
              <th scope="col">Slot</th>
              <th scope="col">Node</th>
              <th scope="col">State</th>
              <th scope="col">Desired</th>
              <th scope="col">Error</th>
            </tr>
          </thead>
          <tbody>
            {tasks.map((t) => (
              <tr key={t.id}>
                <th scope="row" data-label="Slot">
                  {t.slot ?? '—'}
                </th>
                <td data-label="Node">{t.node ?? '—'}</td>
                <td data-label="State">
                  <span
                    className={`dot dot-${t.state === 'running' ? 'ok' : t.state === 'failed' || t.state === 'rejected' ? 'bad' : 'warn'}`}
                    aria-hidden="true"
                  />
                  {t.state}
                </td>
                <td data-label="Desired">{t.desiredState}</td>
                <td data-label="Error">{t.error ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
