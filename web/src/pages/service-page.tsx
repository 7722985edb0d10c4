import { useCallback } from 'react';
import { api } from '../api/client';
import { Link } from '../router';
import { kindLabel } from '../services/service-summary';
import { ActionList } from '../actions/action-list';
import { ErrorNote } from '../ui/status';
import { useLoad } from '../ui/use-load';
import { ServiceGeneral } from './service-general';
import { ServiceWebhooks } from './service-webhooks';

export type ServiceTab = 'general' | 'webhooks' | 'activity';

const TABS: { tab: ServiceTab; label: string; suffix: string }[] = [
  { tab: 'general', label: 'General', suffix: '' },
  { tab: 'webhooks', label: 'Webhooks', suffix: '/webhooks' },
  { tab: 'activity', label: 'Activity', suffix: '/activity' },
];

/**
 * One service, its tabs as links (each has its own URL). The service itself
 * comes from the engine; when the engine does not answer, the Webhooks and
 * Activity tabs still work, as they only need Hoist's database.
 */
export function ServicePage(props: {
  id: string;
  tab: ServiceTab;
  /** Activity: an action to open (?action=ID). */
  action?: string | undefined;
}) {
  const { id, tab } = props;
  const service = useLoad(useCallback((signal: AbortSignal) => api.service(id, signal), [id]));

  if (service.error?.status === 404 || service.error?.code === 'bad_request') {
    return (
      <section>
        <h1>No such service</h1>
        <ErrorNote error={service.error} />
        <p>
          <Link to="/services">Back to the services</Link>
        </p>
      </section>
    );
  }

  const name = service.data?.name ?? 'Service';
  return (
    <section>
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link to="/services">Services</Link> <span aria-hidden="true">/</span>
      </nav>
      <div className="page-head">
        <h1>{name}</h1>
        {service.data && (
          <span className="kind">
            {kindLabel(service.data.kind)}
            {service.data.self && ', Hoist itself'}
          </span>
        )}
      </div>
      <nav className="tabs" aria-label="Service sections">
        {TABS.map((t) => (
          <Link
            key={t.tab}
            to={`/services/${id}${t.suffix}`}
            aria-current={t.tab === tab ? 'page' : undefined}
          >
            {t.label}
          </Link>
        ))}
      </nav>
      <div className="tab-panel">
        {tab === 'general' && <ServiceGeneral id={id} loaded={service} />}
        {tab === 'webhooks' && <ServiceWebhooks serviceId={id} serviceName={name} />}
        {tab === 'activity' && (
          <ActionList service={id} {...(props.action ? { target: props.action } : {})} />
        )}
      </div>
    </section>
  );
}
