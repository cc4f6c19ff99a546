import { useEffect, useState } from 'react';
import type { ConsoleConfig } from '../../schemas/console-config';
import { claimsOf, connectApi, type Session, session } from './api';
import { ErrorMessage } from './components';
import { navigate, useHashRoute } from './hooks';
import { finishSignIn, signOutUrl, startSignIn } from './oidc';
import { ActivityPage } from './pages/activity';
import { AuditPage } from './pages/audit';
import { IntegrationPage } from './pages/integration';
import { IntegrationsPage } from './pages/integrations';
import { NewIntegrationPage } from './pages/new-integration';
import { SignInPage } from './pages/sign-in';
import { WorkspacesPage } from './pages/workspaces';

export function App() {
  const [config, setConfig] = useState<ConsoleConfig | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const [current, setCurrent] = useState<Session | null>(session.get());
  const route = useHashRoute();

  useEffect(() => session.subscribe(setCurrent), []);
  useEffect(() => {
    fetch('config.json')
      .then((answer) => {
        if (!answer.ok) throw new Error(`The console's config.json answered ${answer.status}.`);
        return answer.json() as Promise<ConsoleConfig>;
      })
      .then(async (loaded) => {
        connectApi(loaded.apiUrl || window.location.origin);
        if (loaded.signIn.kind === 'oidc') {
          const returned = await finishSignIn(loaded.signIn);
          if (returned) session.set(returned);
        }
        setConfig(loaded);
      })
      .catch(setFailure);
  }, []);

  if (failure) {
    return (
      <main>
        <ErrorMessage error={failure} />
      </main>
    );
  }
  if (!config) return <p role="status">Loading…</p>;
  if (!current) {
    const { signIn } = config;
    return signIn.kind === 'local' ? (
      <SignInPage />
    ) : (
      <main className="sign-in">
        <h1>Sign in</h1>
        <button type="button" className="primary" onClick={() => startSignIn(signIn).catch(setFailure)}>
          Sign in
        </button>
      </main>
    );
  }
  return (
    <>
      <header className="top">
        <a href="#/" className="brand">
          AWS connections
        </a>
        <nav aria-label="Main">
          <a href="#/">Integrations</a>
          <a href="#/workspaces">Workspaces</a>
          <a href="#/audit">Audit</a>
        </nav>
        <span className="who">
          {current.label} <span className="muted">({claimsOf(current.token).tenantId})</span>
        </span>
        <button
          type="button"
          onClick={() => {
            session.set(null);
            navigate('/');
            const away = config.signIn.kind === 'oidc' ? signOutUrl(config.signIn) : null;
            if (away) window.location.assign(away);
          }}
        >
          Sign out
        </button>
      </header>
      <main>
        <Page route={route} />
      </main>
    </>
  );
}

function Page({ route }: { route: string }) {
  const parts = route.split('/').filter(Boolean);
  if (parts[0] === 'new') return <NewIntegrationPage />;
  if (parts[0] === 'workspaces') return <WorkspacesPage />;
  if (parts[0] === 'audit') return <AuditPage />;
  if (parts[0] === 'integrations' && parts[1]) {
    if (parts[2] === 'activity') return <ActivityPage integrationId={parts[1]} />;
    if (parts[2] === 'audit') return <AuditPage integrationId={parts[1]} />;
    return <IntegrationPage key={parts[1]} integrationId={parts[1]} />;
  }
  return <IntegrationsPage />;
}
