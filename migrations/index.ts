import { Init1795261012446 } from './1795261012446-Init';
import { StageParts1795263266409 } from './1795263266409-StageParts';
import { Workers1796077657483 } from './1796077657483-Workers';
import { ProcessingLogDetails1796077661942 } from './1796077661942-ProcessingLogDetails';
import { WorkProgress1796078238252 } from './1796078238252-WorkProgress';
import { CaptionTier1796078278930 } from './1796078278930-CaptionTier';
import { ClipLook1796086869168 } from './1796086869168-ClipLook';
import { DedupeRetention1796086941557 } from './1796086941557-DedupeRetention';
import { Webhooks1796087023339 } from './1796087023339-Webhooks';
import { ClipEdits1796087054217 } from './1796087054217-ClipEdits';
import { PartErrorKind1796100415977 } from './1796100415977-PartErrorKind';

// Kept in order by scripts/migration-generate.sh; every app imports this list.
export const MIGRATIONS: Array<new () => unknown> = [
  Init1795261012446,
  StageParts1795263266409,
  Workers1796077657483,
  ProcessingLogDetails1796077661942,
  WorkProgress1796078238252,
  CaptionTier1796078278930,
  ClipLook1796086869168,
  DedupeRetention1796086941557,
  Webhooks1796087023339,
  ClipEdits1796087054217,
  PartErrorKind1796100415977,
];
