import { useCallback, useEffect, useState } from 'react';
import { api, ApiError, storedKey, storeKey } from './api.client';
import type { MeView } from './api.types';
import { KeyForm } from './components/key-form';
import { ClipEditorPage } from './pages/clip-editor.page';
import { ClipsPage } from './pages/clips.page';
import { JobPage } from './pages/job.page';
import { JobsPage } from './pages/jobs.page';
import { OpsPage } from './pages/ops.page';
import { UploadPage } from './pages/upload.page';
import { WebhooksPage } from './pages/webhooks.page';
import { href, parseRoute, SessionContext, type Role, type Route } from './session';

function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}

export function App() {
  const route = useRoute();
  const [key, setKey] = useState<string | null>(() => storedKey());
  const [role, setRole] = useState<Role>('checking');
  const [keyError, setKeyError] = useState<string | null>(null);

  // The API says which role the key has; a 401 means the key is not accepted.
  useEffect(() => {
    if (!key) return;
    let gone = false;
    setRole('checking');
    api<MeView>('GET', '/v1/me').then(
      (me) => !gone && setRole(me.role),
      (err: unknown) => {
        if (gone) return;
        if (err instanceof ApiError && err.status === 401) {
          storeKey(null);
          setKey(null);
          setKeyError('That API key was not accepted. Check it and paste it again.');
        } else {
          setRole('creator');
        }
      },
    );
    return () => {
      gone = true;
    };
  }, [key]);

  const changeKey = useCallback(() => {
    storeKey(null);
    setKey(null);
    setKeyError(null);
  }, []);

  if (!key) {
    return (
      <div className="shell">
        <header className="topbar">
          <span className="brand">Clipline</span>
        </header>
        <main id="main" className="content narrow">
          <KeyForm
            error={keyError}
            onSave={(k) => {
              storeKey(k);
              setKeyError(null);
              setKey(k);
            }}
          />
        </main>
      </div>
    );
  }

  const nav = [
    { to: href.upload, label: 'Upload', active: route.page === 'upload' },
    {
      to: href.jobs,
      label: 'Jobs',
      active:
        route.page === 'jobs' ||
        route.page === 'job' ||
        route.page === 'clips' ||
        route.page === 'edit',
    },
    { to: href.webhooks, label: 'Webhooks', active: route.page === 'webhooks' },
    ...(role === 'ops' ? [{ to: href.ops, label: 'Ops', active: route.page === 'ops' }] : []),
  ];

  return (
    <SessionContext.Provider value={{ key, role, changeKey }}>
      <div className="shell">
        <a
          className="skip"
          href="#main"
          onClick={(e) => {
            e.preventDefault();
            document.getElementById('main')?.focus();
          }}
        >
          Skip to content
        </a>
        <header className="topbar">
          <span className="brand">Clipline</span>
          <nav aria-label="Main">
            <ul>
              {nav.map((n) => (
                <li key={n.to}>
                  <a href={n.to} aria-current={n.active ? 'page' : undefined}>
                    {n.label}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          <div className="keybox">
            <span className="keylabel" title="The API key in use">
              Key <code>{key.slice(0, 8)}…</code>
              {role !== 'checking' && <span className="role">{role}</span>}
            </span>
            <button type="button" className="secondary small" onClick={changeKey}>
              Change key
            </button>
          </div>
        </header>
        <main id="main" tabIndex={-1} className="content">
          {route.page === 'upload' && <UploadPage />}
          {route.page === 'jobs' && <JobsPage />}
          {route.page === 'job' && <JobPage jobId={route.jobId} />}
          {route.page === 'clips' && <ClipsPage jobId={route.jobId} />}
          {route.page === 'webhooks' && <WebhooksPage />}
          {route.page === 'edit' && <ClipEditorPage jobId={route.jobId} clipId={route.clipId} />}
          {route.page === 'ops' &&
            (role === 'ops' ? (
              <OpsPage />
            ) : (
              <p role="alert" className="error">
                {role === 'checking'
                  ? 'Checking what this key may do…'
                  : 'The ops page needs an API key with the ops role.'}
              </p>
            ))}
        </main>
      </div>
    </SessionContext.Provider>
  );
}
