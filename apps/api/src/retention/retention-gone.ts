import { GoneException } from '@nestjs/common';
import type { AppConfig } from '@clipline/config';
import type { RetentionOptions } from '@clipline/contracts';
import type { JobEntity } from '@clipline/database';
import { expiryOf } from '@clipline/pipeline';

export function retentionDefaults(cfg: AppConfig): RetentionOptions {
  return { sourceDays: cfg.RETENTION_SOURCE_DAYS, clipDays: cfg.RETENTION_CLIP_DAYS };
}

/**
 * Clip downloads answer 410 from the expiry date on, not only once the sweeper
 * has deleted the objects: a link must not work for whichever minutes the next
 * sweep happens to be late.
 */
export function assertClipsAvailable(job: JobEntity, cfg: AppConfig, now = new Date()): void {
  const { clipsExpireAt } = expiryOf(job, retentionDefaults(cfg));
  const expiredAt =
    job.clipsDeletedAt ?? (clipsExpireAt && clipsExpireAt <= now ? clipsExpireAt : null);
  if (!expiredAt) return;
  const on = (clipsExpireAt ?? expiredAt).toISOString();
  throw new GoneException(
    `The clips of this job expired on ${on} (options.retention.clipDays after the job ended) and were deleted; re-run rendering to make them again${job.sourceDeletedAt ? ', which needs the source: it was deleted too, so submit the file again' : ''}.`,
  );
}
