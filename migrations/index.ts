import { Init1795261012446 } from './1795261012446-Init';
import { StageParts1795263266409 } from './1795263266409-StageParts';
import { WorkProgress1796078238252 } from './1796078238252-WorkProgress';

// Kept in order by scripts/migration-generate.sh; every app imports this list.
export const MIGRATIONS: Array<new () => unknown> = [
  Init1795261012446,
  StageParts1795263266409,
  WorkProgress1796078238252,
];
