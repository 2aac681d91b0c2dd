import type { RetentionOptions } from '@clipline/contracts';
import type { JobEntity } from '@clipline/database';

const DAY_MS = 24 * 3600 * 1000;

/** The job's own retention (fixed at intake); jobs from before retention take the defaults. */
export function retentionOf(
  job: Pick<JobEntity, 'options'>,
  defaults: RetentionOptions,
): RetentionOptions {
  return { ...defaults, ...(job.options?.retention ?? {}) };
}

export interface Expiry {
  /** Null while the job has not ended: nothing expires under a job that may still run. */
  sourceExpiresAt: Date | null;
  clipsExpireAt: Date | null;
}

/** Retention counts from the end of the job; a re-run un-ends it, and the clock restarts. */
export function expiryOf(
  job: Pick<JobEntity, 'options' | 'finishedAt'>,
  defaults: RetentionOptions,
): Expiry {
  if (!job.finishedAt) return { sourceExpiresAt: null, clipsExpireAt: null };
  const r = retentionOf(job, defaults);
  const end = job.finishedAt.getTime();
  return {
    sourceExpiresAt: new Date(end + r.sourceDays * DAY_MS),
    clipsExpireAt: new Date(end + r.clipDays * DAY_MS),
  };
}

/** Why a stage cannot run again once retention deleted the source it reads; null when it can. */
export function sourceGoneMessage(
  job: Pick<JobEntity, 'sourceDeletedAt'>,
  stage: string,
): string | null {
  if (!job.sourceDeletedAt) return null;
  return `cannot re-run ${stage}: the source was deleted by retention on ${job.sourceDeletedAt.toISOString()}; submit the file again as a new job`;
}
