import type { StageName } from '@clipline/contracts';
import { JobStageEntity, type JobEntity } from '@clipline/database';
import type { DataSource } from 'typeorm';
import { jobProgress, type JobProgress } from './job-progress';

/** How many recent runs of a stage the throughput is taken from. */
const RECENT_RUNS = 20;

/**
 * Seconds of work per second of source, per stage, over the recent completed
 * runs (the median, so one stalled run does not skew it). Stages without
 * history are absent.
 */
export async function recentSecondsPerSourceSecond(
  ds: DataSource,
): Promise<Partial<Record<StageName, number>>> {
  const rows: Array<{ stage: StageName; rate: number | null }> = await ds.query(
    `SELECT stage, percentile_cont(0.5) WITHIN GROUP (ORDER BY secs / dur) AS rate FROM (
       SELECT s.stage, extract(epoch FROM s.finished_at - s.started_at) AS secs,
              (j.media_info->>'durationSec')::float AS dur,
              row_number() OVER (PARTITION BY s.stage ORDER BY s.finished_at DESC) AS rn
         FROM job_stages s JOIN jobs j ON j.id = s.job_id
        WHERE s.status = 'completed' AND s.started_at IS NOT NULL AND s.finished_at IS NOT NULL
          AND (j.media_info->>'durationSec')::float > 0
     ) t WHERE rn <= $1 GROUP BY stage`,
    [RECENT_RUNS],
  );
  const out: Partial<Record<StageName, number>> = {};
  for (const r of rows) if (r.rate !== null) out[r.stage] = Number(r.rate);
  return out;
}

let cached: { at: number; rates: Partial<Record<StageName, number>> } | null = null;

/** The recent rates, re-read at most once a minute per process. */
export async function cachedRates(ds: DataSource): Promise<Partial<Record<StageName, number>>> {
  if (cached && Date.now() - cached.at < 60_000) return cached.rates;
  const rates = await recentSecondsPerSourceSecond(ds).catch(() => ({}));
  cached = { at: Date.now(), rates };
  return rates;
}

/** A job's progress and ETA from its stage rows, as the view and `job.status` give them. */
export async function readJobProgress(ds: DataSource, job: JobEntity): Promise<JobProgress> {
  const rows = await ds.getRepository(JobStageEntity).findBy({ jobId: job.id });
  return jobProgress(job.status, rows, job.mediaInfo?.durationSec ?? 0, await cachedRates(ds));
}
