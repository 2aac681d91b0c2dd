import {
  STAGE_DEPENDENCIES,
  WORKER_STAGES,
  isStageDone,
  redactSecrets,
  type StageName,
  type StageStatus,
  type WorkerStage,
} from '@clipline/contracts';
import { ClipEntity, JobEntity, JobStageEntity } from '@clipline/database';
import type { DataSource, EntityManager } from 'typeorm';
import { logTakeBack, stalledReason } from './stall-policy';
import { recordWebhookEvent } from './webhook-outbox';

/** A stage (or clip) that became runnable inside a transaction; enqueued after commit. */
export type Runnable =
  | {
      kind: 'stage';
      jobId: string;
      stage: Exclude<WorkerStage, 'rendering'>;
      attempt: number;
      delayMs?: number;
    }
  | {
      kind: 'clip';
      jobId: string;
      clipId: string;
      segmentId: string;
      aspect: string;
      attempt: number;
      delayMs?: number;
    }
  | {
      kind: 'part';
      jobId: string;
      stage: Exclude<WorkerStage, 'rendering'>;
      partId: string;
      attempt: number;
      delayMs?: number;
    };

/** How a completed stage ended: completed or skipped, with its summary. */
export interface StageEnd {
  status?: Extract<StageStatus, 'completed' | 'skipped'>;
  summary?: Record<string, unknown> | null;
}

export class StaleAttemptError extends Error {
  constructor(jobId: string, stage: string, attempt: number) {
    super(`write refused: ${stage} of job ${jobId} is no longer at attempt ${attempt}`);
    this.name = 'StaleAttemptError';
  }
}

/**
 * Stage state transitions in Postgres. Every method that finishes a stage
 * does it in one transaction together with scheduling what follows, so a crash
 * can never leave a completed stage whose successors were never queued.
 */
export class StageStore {
  constructor(private readonly ds: DataSource) {}

  /** Stages whose dependencies are all done become queued; returns them (and clips for rendering). */
  async promoteReady(m: EntityManager, jobId: string): Promise<Runnable[]> {
    const rows = await m.find(JobStageEntity, { where: { jobId } });
    const byStage = new Map(rows.map((r) => [r.stage, r]));
    const out: Runnable[] = [];
    for (const row of rows) {
      if (row.status !== 'pending') continue;
      const deps = STAGE_DEPENDENCIES[row.stage];
      if (!deps.every((d) => isStageDone(byStage.get(d)?.status ?? 'pending'))) continue;
      if (row.stage === 'rendering') {
        out.push(...(await this.startRendering(m, jobId)));
        continue;
      }
      await m.update(
        JobStageEntity,
        { id: row.id },
        { status: 'queued', queuedAt: new Date(), progress: 0, error: null },
      );
      out.push({
        kind: 'stage',
        jobId,
        stage: row.stage as Exclude<WorkerStage, 'rendering'>,
        attempt: row.attempt,
      });
    }
    await this.finishJobIfDone(m, jobId);
    return out;
  }

  /** Rendering fans out: one runnable per queued clip; with no clips, the job is done. */
  private async startRendering(m: EntityManager, jobId: string): Promise<Runnable[]> {
    const clips = await m.find(ClipEntity, { where: { jobId, status: 'queued' } });
    if (!clips.length) {
      await m.update(
        JobStageEntity,
        { jobId, stage: 'rendering' },
        {
          status: 'skipped',
          finishedAt: new Date(),
          progress: 1,
          summary: { reason: 'no segment was selected, so there is nothing to render' },
        },
      );
      await recordWebhookEvent(m, {
        jobId,
        type: 'stage.completed',
        stage: 'rendering',
        data: { status: 'skipped' },
      });
      return [];
    }
    await m.update(
      JobStageEntity,
      { jobId, stage: 'rendering' },
      {
        status: 'queued',
        queuedAt: new Date(),
        progress: 0,
        error: null,
        summary: { clips: clips.length, completed: 0, failed: 0 },
      },
    );
    return clips.map((c) => ({
      kind: 'clip',
      jobId,
      clipId: c.id,
      segmentId: c.segmentId,
      aspect: c.aspect,
      attempt: c.attempt,
    }));
  }

  /**
   * Marks the job completed or failed once no stage can make progress. A
   * stage failed for good fails the job, and everything else of that job still
   * open is cancelled with it, so no sibling keeps promising a retry.
   */
  async finishJobIfDone(m: EntityManager, jobId: string): Promise<void> {
    const rows = await m.find(JobStageEntity, { where: { jobId } });
    const job = await m.findOne(JobEntity, { where: { id: jobId } });
    if (!job || job.status === 'cancelled') return;
    const failed = rows.find((r) => r.status === 'failed');
    if (failed) {
      if (job.status !== 'failed') {
        await m.update(
          JobEntity,
          { id: jobId },
          {
            status: 'failed',
            error: redactSecrets(`${failed.stage}: ${failed.error ?? 'failed'}`),
            finishedAt: new Date(),
          },
        );
        await recordWebhookEvent(m, { jobId, type: 'job.failed', data: { stage: failed.stage } });
      }
      await cancelOpenWork(m, jobId, `job failed: ${failed.stage}`);
      return;
    }
    if (rows.every((r) => isStageDone(r.status))) {
      const rendering = rows.find((r) => r.stage === 'rendering');
      const note =
        rendering?.status === 'skipped' ? String(rendering.summary?.reason ?? '') || null : null;
      await m.update(
        JobEntity,
        { id: jobId },
        { status: 'completed', error: null, finishedAt: new Date(), ...(note ? { note } : {}) },
      );
      if (job.status !== 'completed') await recordWebhookEvent(m, { jobId, type: 'job.completed' });
    }
  }

  /**
   * Takes back a stage whose worker stopped heartbeating. A take-back counts
   * as an attempt: at the last allowed one the stage fails for good (an input
   * that kills its worker would otherwise loop forever). Decided under the
   * row lock; returns what happened, or null when the stage was not stalled.
   */
  async takeBackStage(
    jobId: string,
    stage: WorkerStage,
    stallSeconds: number,
    maxAttempts: number,
  ): Promise<'queued' | 'failed' | null> {
    return this.ds.transaction(async (m) => {
      const row = await m
        .createQueryBuilder(JobStageEntity, 's')
        .setLock('pessimistic_write')
        .where('s.job_id = :jobId AND s.stage = :stage', { jobId, stage })
        .andWhere(
          `s.status = 'running' AND s.heartbeat_at < now() - make_interval(secs => :stall)`,
          {
            stall: stallSeconds,
          },
        )
        .getOne();
      if (!row) return null;
      const unit = { jobId, stage };
      if (row.attempt >= maxAttempts) {
        const reason = await stalledReason(m, unit, row.attempt, maxAttempts);
        await m.update(
          JobStageEntity,
          { id: row.id },
          { status: 'failed', error: reason, finishedAt: new Date(), etaSeconds: null },
        );
        await logTakeBack(m, unit, row.attempt, reason);
        await recordWebhookEvent(m, {
          jobId,
          type: 'stage.failed',
          stage,
          data: { attempt: row.attempt, error: reason, willRetry: false },
        });
        await this.finishJobIfDone(m, jobId);
        return 'failed';
      }
      await m.update(
        JobStageEntity,
        { id: row.id },
        {
          status: 'queued',
          queuedAt: new Date(),
          retryAt: null,
          error: 'worker stopped heartbeating; taken back',
        },
      );
      await logTakeBack(m, unit, row.attempt, null);
      return 'queued';
    });
  }

  /**
   * Takes a queued stage for this worker. Also takes a running stage whose
   * worker stopped heartbeating. Returns the new attempt, or null when the
   * stage is not ours to run (done, cancelled, or alive elsewhere). Taking
   * a stalled stage counts as a take-back, so its last attempt fails it.
   */
  async claimStage(
    jobId: string,
    stage: WorkerStage,
    host: string,
    stallSeconds: number,
    maxAttempts = Number.POSITIVE_INFINITY,
  ): Promise<number | null> {
    if ((await this.takeBackStage(jobId, stage, stallSeconds, maxAttempts)) === 'failed')
      return null;
    const attempt = await this.ds.transaction(async (m) => {
      const res: Array<{ attempt: number }> = await m.query(
        `UPDATE job_stages SET status = 'running', attempt = attempt + 1, heartbeat_at = now(), started_at = now(),
              finished_at = NULL, error = NULL, progress = 0, eta_seconds = NULL, worker_host = $3, retry_at = NULL
        WHERE job_id = $1 AND stage = $2
          AND (status = 'queued' OR (status = 'running' AND heartbeat_at < now() - make_interval(secs => $4)))
          AND EXISTS (SELECT 1 FROM jobs j WHERE j.id = $1 AND j.status IN ('queued', 'running'))
        RETURNING attempt`,
        [jobId, stage, host, stallSeconds],
      );
      const rows = Array.isArray(res[0]) ? (res[0] as Array<{ attempt: number }>) : res;
      if (!rows.length) return null;
      await recordWebhookEvent(m, {
        jobId,
        type: 'stage.started',
        stage,
        data: { attempt: rows[0].attempt },
      });
      return rows[0].attempt;
    });
    if (attempt === null) return null;
    // After the commit, as before: locking the job row while holding the stage row would
    // invert the order of cancel and re-run (job, then stages).
    await this.ds.query(
      `UPDATE jobs SET status = 'running', updated_at = now() WHERE id = $1 AND status = 'queued'`,
      [jobId],
    );
    return attempt;
  }

  /** Returns false when the lease is lost (taken back, cancelled, or re-run): the worker must stop. */
  async heartbeat(
    jobId: string,
    stage: WorkerStage,
    attempt: number,
    progress?: number,
    etaSeconds?: number | null,
  ): Promise<boolean> {
    return this.ds.transaction(async (m) => {
      const res = await m.query(
        `UPDATE job_stages SET heartbeat_at = now(),
              progress = COALESCE($4, progress), eta_seconds = CASE WHEN $4::real IS NULL THEN eta_seconds ELSE $5 END
        WHERE job_id = $1 AND stage = $2 AND attempt = $3 AND status = 'running'`,
        [jobId, stage, attempt, progress ?? null, etaSeconds ?? null],
      );
      const alive = affected(res) > 0;
      if (alive && progress !== undefined) {
        await recordWebhookEvent(m, {
          jobId,
          type: 'stage.progress',
          stage,
          data: { attempt, progress, etaSeconds: etaSeconds ?? null },
        });
      }
      return alive;
    });
  }

  /**
   * Finishes a stage: replaces its outputs, marks it done and queues whatever
   * became runnable, all in one transaction. A late write (older attempt) is
   * refused with StaleAttemptError and changes nothing.
   */
  async completeStage(
    jobId: string,
    stage: Exclude<WorkerStage, 'rendering'>,
    attempt: number,
    writeOutputs: (m: EntityManager) => Promise<void | StageEnd>,
    given: StageEnd = {},
  ): Promise<Runnable[]> {
    return this.ds.transaction(async (m) => {
      const row = await m
        .createQueryBuilder(JobStageEntity, 's')
        .setLock('pessimistic_write')
        .where('s.job_id = :jobId AND s.stage = :stage', { jobId, stage })
        .getOne();
      if (!row || row.attempt !== attempt || row.status !== 'running')
        throw new StaleAttemptError(jobId, stage, attempt);
      // The write may say how the stage ended (a summary of what it stored, or skipped).
      const ended = (await writeOutputs(m)) as StageEnd | undefined;
      const result: StageEnd = { ...given, ...ended };
      await m.update(
        JobStageEntity,
        { id: row.id },
        {
          status: result.status ?? 'completed',
          progress: 1,
          etaSeconds: 0,
          finishedAt: new Date(),
          heartbeatAt: new Date(),
          summary: (result.summary ?? null) as never,
          error: null,
        },
      );
      await recordWebhookEvent(m, {
        jobId,
        type: 'stage.completed',
        stage,
        data: { attempt, status: result.status ?? 'completed' },
      });
      return this.promoteReady(m, jobId);
    });
  }

  /**
   * Records a failure. Bad input, or the last allowed attempt, fails the
   * stage and the job; otherwise the stage goes back to queued with a backoff.
   */
  async failStage(
    jobId: string,
    stage: WorkerStage,
    attempt: number,
    error: string,
    opts: { permanent: boolean; maxAttempts: number; baseDelayMs: number },
  ): Promise<{ willRetry: boolean; retry?: Runnable }> {
    error = redactSecrets(error);
    return this.ds.transaction(async (m) => {
      const row = await m
        .createQueryBuilder(JobStageEntity, 's')
        .setLock('pessimistic_write')
        .where('s.job_id = :jobId AND s.stage = :stage', { jobId, stage })
        .getOne();
      if (!row || row.attempt !== attempt || row.status !== 'running') return { willRetry: false };
      if (opts.permanent || attempt >= opts.maxAttempts) {
        await m.update(
          JobStageEntity,
          { id: row.id },
          { status: 'failed', error, finishedAt: new Date() },
        );
        await recordWebhookEvent(m, {
          jobId,
          type: 'stage.failed',
          stage,
          data: { attempt, error, willRetry: false },
        });
        await this.finishJobIfDone(m, jobId);
        return { willRetry: false };
      }
      const delayMs = backoffMs(attempt, opts.baseDelayMs);
      await m.update(
        JobStageEntity,
        { id: row.id },
        {
          status: 'queued',
          error: `${error} (retrying)`,
          queuedAt: new Date(),
          retryAt: new Date(Date.now() + delayMs),
        },
      );
      await recordWebhookEvent(m, {
        jobId,
        type: 'stage.failed',
        stage,
        data: { attempt, error, willRetry: true },
      });
      return {
        willRetry: true,
        retry: {
          kind: 'stage',
          jobId,
          stage: stage as Exclude<WorkerStage, 'rendering'>,
          attempt,
          delayMs,
        },
      };
    });
  }

  /** The stages of a job, in graph order. */
  async stagesOf(jobId: string): Promise<JobStageEntity[]> {
    const rows = await this.ds.getRepository(JobStageEntity).find({ where: { jobId } });
    const order = ['probe', ...WORKER_STAGES] as StageName[];
    return rows.sort((a, b) => order.indexOf(a.stage) - order.indexOf(b.stage));
  }
}

/** Cancels the job's open stages, clips and parts; their workers lose the lease at the next heartbeat. */
async function cancelOpenWork(m: EntityManager, jobId: string, reason: string): Promise<void> {
  await m.query(
    `UPDATE job_stages SET status = 'cancelled', error = $2, retry_at = NULL, eta_seconds = NULL, finished_at = now()
      WHERE job_id = $1 AND status IN ('pending', 'queued', 'running')`,
    [jobId, reason],
  );
  await m.query(
    `UPDATE clips SET status = 'cancelled', error = $2, retry_at = NULL, updated_at = now()
      WHERE job_id = $1 AND status IN ('queued', 'rendering')`,
    [jobId, reason],
  );
  await m.query(
    `UPDATE stage_parts SET status = 'cancelled', error = $2
      WHERE job_id = $1 AND status IN ('queued', 'running')`,
    [jobId, reason],
  );
}

/** Exponential backoff with a little jitter, so retries of many jobs do not stampede. */
export function backoffMs(attempt: number, baseMs: number): number {
  const exp = baseMs * 2 ** Math.max(0, attempt - 1);
  return Math.round(Math.min(exp, 10 * 60_000) * (0.9 + Math.random() * 0.2));
}

/** pg returns [rows, count] for UPDATE through TypeORM's query(). */
export function affected(res: unknown): number {
  if (Array.isArray(res) && typeof res[1] === 'number') return res[1];
  return Array.isArray(res) ? res.length : 0;
}
