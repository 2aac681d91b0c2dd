import { redactSecrets, type ErrorKind } from '@clipline/contracts';
import { StagePartEntity } from '@clipline/database';
import type { DataSource, EntityManager } from 'typeorm';
import type { PartRange } from '../part-ranges';
import { WORKER_HOST } from '../processing-logger';
import { logTakeBack, stalledReason } from '../stall-policy';
import { affected, claimableSql, returnedRows, stalledSql } from './lease.sql';
import { StaleAttemptError } from './stale-attempt.error';

/**
 * Writes to `stage_parts`: the time-range parts of one stage attempt. Any
 * worker of the stage may claim a queued part (or one whose worker stopped
 * heartbeating); the coordinator merges once every part is completed.
 */
export class PartRows {
  /** Cancels the job's open parts with `reason`; their workers lose the lease at the next heartbeat. */
  static async cancelOpen(m: EntityManager, jobId: string, reason: string): Promise<void> {
    await m.query(
      `UPDATE stage_parts SET status = 'cancelled', error = $2
        WHERE job_id = $1 AND status IN ('queued', 'running')`,
      [jobId, reason],
    );
  }

  constructor(
    private readonly ds: DataSource,
    /** Claims count take-backs against this; a part whose last attempt stalled fails. */
    private readonly maxAttempts = Number.POSITIVE_INFINITY,
  ) {}

  /** Replaces the parts of (job, stage) with a fresh plan for this stage attempt. */
  async plan(
    jobId: string,
    stage: string,
    stageAttempt: number,
    ranges: PartRange[],
  ): Promise<StagePartEntity[]> {
    return this.ds.transaction(async (m) => {
      const [{ ok }] = await m.query(
        `SELECT EXISTS (SELECT 1 FROM job_stages WHERE job_id = $1 AND stage = $2 AND attempt = $3 AND status = 'running') AS ok`,
        [jobId, stage, stageAttempt],
      );
      if (!ok) throw new StaleAttemptError(jobId, stage, stageAttempt);
      await m.delete(StagePartEntity, { jobId, stage });
      const rows = ranges.map((r, index) => ({
        jobId,
        stage,
        index,
        stageAttempt,
        start: r.start,
        end: r.end,
        status: 'queued' as const,
      }));
      await m.insert(StagePartEntity, rows);
      return m.find(StagePartEntity, { where: { jobId, stage }, order: { index: 'ASC' } });
    });
  }

  /** Takes a part if it is queued or abandoned, and its stage attempt is still the live one. */
  async claim(partId: string, stallSeconds: number): Promise<StagePartEntity | null> {
    if ((await this.takeBack(partId, stallSeconds)) === 'failed') return null;
    const res = await this.ds.query(
      `UPDATE stage_parts p SET status = 'running', attempt = p.attempt + 1, progress = 0, heartbeat_at = now(), worker_host = $3, error = NULL, error_kind = NULL
        WHERE p.id = $1
          AND ${claimableSql('p', 'running', '$2')}
          AND EXISTS (SELECT 1 FROM job_stages s WHERE s.job_id = p.job_id AND s.stage = p.stage
                        AND s.attempt = p.stage_attempt AND s.status = 'running')
        RETURNING p.id`,
      [partId, stallSeconds, WORKER_HOST],
    );
    if (!returnedRows(res).length) return null;
    return this.ds.getRepository(StagePartEntity).findOneBy({ id: partId });
  }

  /**
   * A part whose worker stopped heartbeating: re-queued, or failed for good at
   * its last allowed attempt (the coordinator then retries or fails the stage).
   */
  async takeBack(partId: string, stallSeconds: number): Promise<'queued' | 'failed' | null> {
    return this.ds.transaction(async (m) => {
      const part = await m
        .createQueryBuilder(StagePartEntity, 'p')
        .setLock('pessimistic_write')
        .where('p.id = :partId', { partId })
        .andWhere(stalledSql('p', 'running', ':stall'), { stall: stallSeconds })
        .getOne();
      if (!part) return null;
      const unit = { jobId: part.jobId, stage: part.stage, partIndex: part.index };
      const last = part.attempt >= this.maxAttempts;
      const reason = last ? await stalledReason(m, unit, part.attempt, this.maxAttempts) : null;
      await m.update(
        StagePartEntity,
        { id: partId },
        last
          ? { status: 'failed', error: reason }
          : { status: 'queued', error: 'worker stopped heartbeating; taken back' },
      );
      await logTakeBack(m, unit, part.stageAttempt, reason);
      return last ? 'failed' : 'queued';
    });
  }

  /** The next part this process can take, in order. */
  async claimNext(
    jobId: string,
    stage: string,
    stageAttempt: number,
    stallSeconds: number,
  ): Promise<StagePartEntity | null> {
    const candidates: Array<{ id: string }> = await this.ds.query(
      `SELECT id FROM stage_parts WHERE job_id = $1 AND stage = $2 AND stage_attempt = $3
          AND ${claimableSql('', 'running', '$4')}
        ORDER BY index`,
      [jobId, stage, stageAttempt, stallSeconds],
    );
    for (const c of candidates) {
      const part = await this.claim(c.id, stallSeconds);
      if (part) return part;
    }
    return null;
  }

  /** Keeps the part's lease; `progress` (0..1 of the part) lets the coordinator show movement within it. */
  async heartbeat(partId: string, attempt: number, progress?: number): Promise<boolean> {
    const res = await this.ds.query(
      `UPDATE stage_parts SET heartbeat_at = now(), progress = GREATEST(progress, COALESCE($3, progress))
        WHERE id = $1 AND attempt = $2 AND status = 'running'`,
      [partId, attempt, progress === undefined ? null : Math.min(1, Math.max(0, progress))],
    );
    return affected(res) > 0;
  }

  async complete(partId: string, attempt: number, result: unknown): Promise<void> {
    const res = await this.ds
      .createQueryBuilder()
      .update(StagePartEntity)
      .set({ status: 'completed', result: result as never, progress: 1, heartbeatAt: new Date() })
      .where('id = :partId AND attempt = :attempt AND status = :status', {
        partId,
        attempt,
        status: 'running',
      })
      .execute();
    if (!res.affected) throw new StaleAttemptError(partId, 'part', attempt);
  }

  /**
   * Bad input fails the part for good (the coordinator then fails the stage); anything else re-queues it.
   * `kind` is kept with the failure so the coordinator rebuilds the class it had where it arose.
   */
  async fail(
    partId: string,
    attempt: number,
    error: string,
    permanent: boolean,
    kind: ErrorKind = 'error',
  ): Promise<void> {
    await this.ds.query(
      `UPDATE stage_parts SET status = $3, error = $4, error_kind = $5 WHERE id = $1 AND attempt = $2 AND status = 'running'`,
      [partId, attempt, permanent ? 'failed' : 'queued', redactSecrets(error), kind],
    );
  }

  async list(jobId: string, stage: string, stageAttempt: number): Promise<StagePartEntity[]> {
    return this.ds
      .getRepository(StagePartEntity)
      .find({ where: { jobId, stage, stageAttempt }, order: { index: 'ASC' } });
  }

  /**
   * Running parts of a stage attempt that is still running, whose worker
   * stopped heartbeating (parts of an older attempt can no longer be claimed).
   */
  async listStalled(
    stallSeconds: number,
  ): Promise<Array<{ id: string; jobId: string; stage: string; attempt: number }>> {
    const rows: Array<{ id: string; job_id: string; stage: string; attempt: number }> =
      await this.ds.query(
        `SELECT p.id, p.job_id, p.stage, p.attempt FROM stage_parts p
           JOIN job_stages s ON s.job_id = p.job_id AND s.stage = p.stage
                            AND s.attempt = p.stage_attempt AND s.status = 'running'
          WHERE ${stalledSql('p', 'running', '$1')}`,
        [stallSeconds],
      );
    return rows.map((r) => ({ id: r.id, jobId: r.job_id, stage: r.stage, attempt: r.attempt }));
  }
}
