import { createContext, useContext } from 'react';

export type Role = 'ops' | 'creator' | 'checking';

export interface Session {
  key: string;
  role: Role;
  changeKey: () => void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionContext');
  return s;
}

/** Hash routes: no router dependency, and the API's SPA fallback is not even needed. */
export type Route =
  | { page: 'upload' }
  | { page: 'jobs' }
  | { page: 'job'; jobId: string }
  | { page: 'clips'; jobId: string }
  | { page: 'edit'; jobId: string; clipId: string }
  | { page: 'ops' }
  | { page: 'webhooks' };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/';
  const e = /^\/jobs\/([0-9a-f-]{36})\/clips\/([0-9a-f-]{36})\/?$/i.exec(path);
  if (e) return { page: 'edit', jobId: e[1], clipId: e[2] };
  const m = /^\/jobs\/([0-9a-f-]{36})(\/clips)?\/?$/i.exec(path);
  if (m) return m[2] ? { page: 'clips', jobId: m[1] } : { page: 'job', jobId: m[1] };
  if (/^\/jobs\/?$/.test(path)) return { page: 'jobs' };
  if (/^\/ops\/?$/.test(path)) return { page: 'ops' };
  if (/^\/webhooks\/?$/.test(path)) return { page: 'webhooks' };
  return { page: 'upload' };
}

export const href = {
  upload: '#/',
  jobs: '#/jobs',
  job: (id: string) => `#/jobs/${id}`,
  clips: (id: string) => `#/jobs/${id}/clips`,
  edit: (id: string, clipId: string) => `#/jobs/${id}/clips/${clipId}`,
  ops: '#/ops',
  webhooks: '#/webhooks',
};
