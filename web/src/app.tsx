import { useEffect, useState } from 'react';
import { session, setUnauthorizedHandler } from './api/client';
import { Link, navigate, useLocation } from './router';
import { SignInPage } from './pages/sign-in-page';
import { ServicesPage } from './pages/services-page';
import { ServicePage, type ServiceTab } from './pages/service-page';
import { ActivityPage } from './pages/activity-page';
import { AuditPage } from './pages/audit-page';

const SERVICE_PATH = /^\/services\/([^/]+)(?:\/(webhooks|activity))?\/?$/;

export function App() {
  const [signedIn, setSignedIn] = useState(() => session.token() !== null);
  const [notice, setNotice] = useState<string>();

  useEffect(() => {
    setUnauthorizedHandler((message) => {
      session.clear();
      setNotice(`Signed out: ${message}`);
      setSignedIn(false);
    });
  }, []);

  if (!signedIn) {
    return (
      <SignInPage
        notice={notice}
        onSignedIn={() => {
          setNotice(undefined);
          setSignedIn(true);
        }}
      />
    );
  }

  const signOut = () => {
    session.clear();
    setNotice('Signed out.');
    setSignedIn(false);
  };
  return <Shell onSignOut={signOut} />;
}

function Shell({ onSignOut }: { onSignOut: () => void }) {
  const { path, query } = useLocation();
  const service = SERVICE_PATH.exec(path);
  const section = path.startsWith('/activity')
    ? 'activity'
    : path.startsWith('/audit')
      ? 'audit'
      : 'services';

  useEffect(() => {
    if (path === '/' || path === '/index.html') navigate('/services', { replace: true });
  }, [path]);

  let page;
  if (service?.[1]) {
    const tab: ServiceTab = (service[2] as ServiceTab | undefined) ?? 'general';
    page = (
      <ServicePage
        key={service[1]}
        id={decodeURIComponent(service[1])}
        tab={tab}
        action={query.get('action') ?? undefined}
      />
    );
  } else if (path === '/services' || path === '/' || path === '/index.html') {
    page = <ServicesPage query={query.get('q') ?? ''} />;
  } else if (path === '/activity') {
    page = <ActivityPage state={query.get('state') ?? ''} />;
  } else if (path === '/audit') {
    page = <AuditPage key={query.get('actor') ?? ''} actor={query.get('actor') ?? ''} />;
  } else {
    page = (
      <section>
        <h1>Page not found</h1>
        <p>
          Nothing lives at <code>{path}</code>. Go to <Link to="/services">Services</Link>.
        </p>
      </section>
    );
  }

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="top">
        <Link to="/services" className="brand">
          Hoist
        </Link>
        <nav aria-label="Main">
          <Link to="/services" aria-current={section === 'services' ? 'page' : undefined}>
            Services
          </Link>
          <Link to="/activity" aria-current={section === 'activity' ? 'page' : undefined}>
            Activity
          </Link>
          <Link to="/audit" aria-current={section === 'audit' ? 'page' : undefined}>
            Audit
          </Link>
        </nav>
        <button type="button" className="link-button" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {page}
      </main>
    </>
  );
}
