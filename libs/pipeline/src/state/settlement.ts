import type { JobStatus, StageName, StageStatus } from '@clipline/contracts';
import { JobEntity, JobStageEntity } from '@clipline/database';
import type { EntityManager } from 'typeorm';
import type { StageProgressRow } from '../job-progress';
import type { Runnable } from './runnable.types';

/** A stage that reached a final status (completed, skipped, failed, cancelled) in the transaction. */
export interface SettledStage {
  stage: StageName;
  status: StageStatus;
  attempt: number;
  /** From its start to this transaction; 0 when it never started (e.g. skipped). */
  durationMs: number;
}

/** The job as the transaction left it: what `job.status` announces, with no read after the commit. */
export interface JobState {
  status: JobStatus;
  error: string | null;
  stages: StageProgressRow[];
}

/**
 * What a completion (or a failure) decided in its transaction: what became
 * runnable (to enqueue after the commit), which stages settled, and the job.
 * `job` is null when the job no longer exists.
 */
export interface Settlement {
  runnable: Runnable[];
  settled: SettledStage[];
  job: JobState | null;
}

/** A failure's settlement: whether the unit retries, and its delayed runnable when it does. */
export interface FailOutcome extends Settlement {
  willRetry: boolean;
  retry?: Runnable;
}

/** What a failure decided, before the job's state is read. */
export type FailDecision = Omit<FailOutcome, 'job' | 'runnable'>;

/** A failure makes nothing runnable (a retry is enqueued on its own); call it last in its transaction, so `job` shows its writes. */
export async function failOutcome(
  m: EntityManager,
  jobId: string | null,
  decision: FailDecision,
): Promise<FailOutcome> {
  return { ...decision, runnable: [], job: jobId ? await readJobState(m, jobId) : null };
}

export function settledStage(
  row: Pick<JobStageEntity, 'stage' | 'attempt' | 'startedAt'>,
  status: StageStatus,
  finishedAt: Date,
): SettledStage {
  return {
    stage: row.stage,
    status,
    attempt: row.attempt,
    durationMs: row.startedAt ? finishedAt.getTime() - new Date(row.startedAt).getTime() : 0,
  };
}

/** Read last in the settling transaction, so it shows that transaction's own writes. */
export async function readJobState(m: EntityManager, jobId: string): Promise<JobState | null> {
  const job = await m.findOne(JobEntity, { where: { id: jobId } });
  if (!job) return null;
  const rows = await m.find(JobStageEntity, { where: { jobId } });
  return {
    status: job.status,
    error: job.error,
    stages: rows.map((r) => ({
      stage: r.stage,
      status: r.status,
      progress: r.progress,
      etaSeconds: r.etaSeconds,
    })),
  };
}
