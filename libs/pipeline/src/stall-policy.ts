import { ProcessingLogEntity } from '@clipline/database';
import type { EntityManager } from 'typeorm';
import { WORKER_HOST } from './processing-logger';

/** Every take-back of a stalled lease logs this, so later decisions can count the stalls. */
export const STALL_NOTE = 'worker stopped heartbeating';

/**
 * Why work fails for good when its last allowed attempt stalled. An input
 * that kills its worker (OOM, a decoder crash) stalls every time; saying so
 * tells the reader it is the input, not bad luck.
 */
export async function stalledReason(
  m: EntityManager,
  unit: StalledUnit,
  attempt: number,
  maxAttempts: number,
): Promise<string> {
  if (unit.partIndex !== undefined) return lastAttemptReason(attempt, maxAttempts);
  const [{ n }]: Array<{ n: string }> = await m.query(
    `SELECT count(DISTINCT attempt) AS n FROM processing_logs
      WHERE job_id = $1 AND stage = $2 AND event = 'retry' AND message LIKE $3
        AND attempt > $4 AND attempt < $5`,
    [unit.jobId, unit.stage, `${STALL_NOTE}; ${unitName(unit)} %`, attempt - maxAttempts, attempt],
  );
  if (Number(n) + 1 >= maxAttempts)
    return `the worker stopped responding on each of ${maxAttempts} attempts (stalled)`;
  return lastAttemptReason(attempt, maxAttempts);
}

function lastAttemptReason(attempt: number, maxAttempts: number): string {
  return `the worker stopped responding on attempt ${attempt} of ${maxAttempts} (stalled), the last one allowed`;
}

export interface StalledUnit {
  jobId: string;
  stage: string;
  clipId?: string;
  partIndex?: number;
}

function unitName(unit: StalledUnit): string {
  if (unit.clipId) return `clip ${unit.clipId}`;
  return unit.partIndex !== undefined ? `part ${unit.partIndex}` : 'stage';
}

/** The log row goes in the take-back's own transaction, so the count above never misses one. */
export async function logTakeBack(
  m: EntityManager,
  unit: StalledUnit,
  attempt: number,
  failedFor: string | null,
): Promise<void> {
  const what = unitName(unit);
  await m.insert(ProcessingLogEntity, {
    jobId: unit.jobId,
    stage: unit.stage,
    attempt,
    event: failedFor ? 'fail' : 'retry',
    message: failedFor
      ? `${STALL_NOTE}; ${what} failed: ${failedFor}`
      : `${STALL_NOTE}; ${what} taken back (attempt ${attempt})`,
    workerHost: WORKER_HOST,
  });
}
