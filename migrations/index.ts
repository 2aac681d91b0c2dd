import { Init1795261012446 } from './1795261012446-Init';
import { StageParts1795263266409 } from './1795263266409-StageParts';
import { CaptionTier1796078278930 } from './1796078278930-CaptionTier';

// Kept in order by scripts/migration-generate.sh; every app imports this list.
export const MIGRATIONS: Array<new () => unknown> = [
  Init1795261012446,
  StageParts1795263266409,
  CaptionTier1796078278930,
];
