import { Init1795260980837 } from './1795260980837-Init';

// Kept in order by scripts/migration-generate.sh; every app imports this list.
export const MIGRATIONS: Function[] = [Init1795260980837];
