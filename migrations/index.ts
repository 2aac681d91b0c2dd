import { Init1795260827580 } from './1795260827580-Init';

// Kept in order by scripts/migration-generate.sh; every app imports this list.
export const MIGRATIONS: Function[] = [Init1795260827580];
