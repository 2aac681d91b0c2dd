import { SetMetadata } from '@nestjs/common';
import type { ApiKeyRole } from '@clipline/database';

export const ROLES_KEY = 'clipline:roles';
export const PUBLIC_KEY = 'clipline:public';

/** Only keys with one of these roles may call the route. */
export const Roles = (...roles: ApiKeyRole[]) => SetMetadata(ROLES_KEY, roles);

/** No API key needed (health, metrics). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);
