import type { ApiKeyRole } from '@clipline/database';

/** The caller as the guard resolved it; attached to the request and the socket. */
export interface AuthenticatedKey {
  id: string;
  name: string;
  role: ApiKeyRole;
}

export const API_KEY_ROLES: readonly ApiKeyRole[] = ['creator', 'ops'];
