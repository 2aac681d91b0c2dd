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
import { logTakeBack, stalledReason } from '../stall-policy';
import { recordWebhookEvent } from '../webhook-outbox';
import { backoffMs } from './backoff';
import { ClipRows } from './clip-rows';
import { affected, claimableSql, returnedRows, stalledSql } from './lease.sql';
import { PartRows } from './part-rows';
import type { Runnable } from './runnable.types';
import {
  failOutcome,
  readJobState,
  settledStage,
  type FailDecision,
  type FailOutcome,
  type Settlement,
  type SettledStage,
} from './settlement';
import { StaleAttemptError } from './stale-attempt.error';

/** A stage made to run again: nothing of its last run may show as current. */
const RESET_STAGE = {
  status: 'pending' as const,
  progress: 0,
  etaSeconds: null,
  error: null,
  summary: null,
  retryAt: null,
  startedAt: null,
  finishedAt: null,
};

/** What a promotion changed: the work to enqueue, and a rendering skipped for want of clips. */
/** How a completed stage ended: completed or skipped, with its summary. */
export interface StageEnd {
  status?: Extract<StageStatus, 'completed' | 'skipped'>;
  summary?: Record<string, unknown> | null;
}

export interface Promotion {
  runnable: Runnable[];
  settled: SettledStage[];
}

/** The retry policy a failure is decided by. */
export interface FailPolicy {
  permanent: boolean;
  maxAttempts: number;
  baseDelayMs: number;
}

/**
 * Writes to `job_stages`. Methods that take an EntityManager run in the
 * caller's transaction, so a job-level operation (create, re-run, cancel,
 * re-render) or a clip's settlement includes them; the others open their own.
 * Every method that finishes a stage also schedules what follows in the same
 * transaction, so a crash never leaves a completed stage whose successors
 * were never queued.
 */
export class StageRows {
  constructor(private readonly ds: DataSource) {}

  /** A new job: probe completed (it ran in the API), every worker stage pending. */
  async create(
    m: EntityManager,
    jobId: string,
    probeSummary: Record<string, unknown>,
    at: Date,
  ): Promise<void> {
    await m.insert(JobStageEntity, {
      jobId,
      stage: 'probe',
      status: 'completed',
      attempt: 1,
      progress: 1,
      startedAt: at,
      finishedAt: at,
      queuedAt: at,
      summary: probeSummary as never,
    });
    for (const stage of WORKER_STAGES) {
      await m.insert(JobStageEntity, { jobId, stage, status: 'pending', attempt: 0, progress: 0 });
    }
  }

  /** Stages whose dependencies are all done become queued; returns them (and clips for rendering). */
  async promoteReady(m: EntityManager, jobId: string): Promise<Promotion> {
    const rows = await m.find(JobStageEntity, { where: { jobId } });
    const byStage = new Map(rows.map((r) => [r.stage, r]));
    const out: Promotion = { runnable: [], settled: [] };
    for (const row of rows) {
      if (row.status !== 'pending') continue;
      const deps = STAGE_DEPENDENCIES[row.stage];
      if (!deps.every((d) => isStageDone(byStage.get(d)?.status ?? 'pending'))) continue;
      if (row.stage === 'rendering') {
        const fanOut = await this.startRendering(m, row);
        out.runnable.push(...fanOut.runnable);
        out.settled.push(...fanOut.settled);
        continue;
      }
      await m.update(
        JobStageEntity,
        { id: row.id },
        { status: 'queued', queuedAt: new Date(), progress: 0, error: null },
      );
      out.runnable.push({
        kind: 'stage',
        jobId,
        stage: row.stage as Exclude<WorkerStage, 'rendering'>,
        attempt: row.attempt,
      });
    }
    out.settled.push(...(await this.settleJob(m, jobId)));
    return out;
  }

  /** Rendering fans out: one runnable per queued clip; with no clips, it is skipped. */
  private async startRendering(m: EntityManager, row: JobStageEntity): Promise<Promotion> {
    const jobId = row.jobId;
    const clips = await m.find(ClipEntity, { where: { jobId, status: 'queued' } });
    if (!clips.length) {
      const finishedAt = new Date();
      await m.update(
        JobStageEntity,
        { jobId, stage: 'rendering' },
        {
          status: 'skipped',
          finishedAt,
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
      return { runnable: [], settled: [settledStage(row, 'skipped', finishedAt)] };
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
    return {
      runnable: clips.map((c) => ({
        kind: 'clip',
        jobId,
        clipId: c.id,
        segmentId: c.segmentId,
        aspect: c.aspect,
        attempt: c.attempt,
      })),
      settled: [],
    };
  }

  /**
   * Marks the job completed or failed once no stage can make progress. A
   * stage failed for good fails the job, and everything else of that job still
   * open is cancelled with it, so no sibling keeps promising a retry. Returns
   * the stages it cancelled.
   */
  async settleJob(m: EntityManager, jobId: string): Promise<SettledStage[]> {
    const rows = await m.find(JobStageEntity, { where: { jobId } });
    const job = await m.findOne(JobEntity, { where: { id: jobId } });
    if (!job || job.status === 'cancelled') return [];
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
      const reason = `job failed: ${failed.stage}`;
      const cancelled = await this.cancelOpen(m, jobId, reason);
      await ClipRows.cancelOpen(m, jobId, reason);
      await PartRows.cancelOpen(m, jobId, reason);
      return cancelled;
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
    return [];
  }

  /**
   * Cancels the job's open stages; their workers lose the lease at the next
   * heartbeat. `reason` becomes their error (null keeps the one they had).
   */
  async cancelOpen(
    m: EntityManager,
    jobId: string,
    reason: string | null,
  ): Promise<SettledStage[]> {
    const res = await m.query(
      `UPDATE job_stages SET status = 'cancelled', error = COALESCE($2, error), retry_at = NULL, eta_seconds = NULL, finished_at = now()
        WHERE job_id = $1 AND status IN ('pending', 'queued', 'running')
        RETURNING stage, attempt, started_at AS "startedAt", finished_at AS "finishedAt"`,
      [jobId, reason],
    );
    return returnedRows<Pick<JobStageEntity, 'stage' | 'attempt' | 'startedAt' | 'finishedAt'>>(
      res,
    ).map((r) => settledStage(r, 'cancelled', new Date(r.finishedAt!)));
  }

  /** A failed or cancelled job cancelled its other open stages; running again brings them back. */
  async reopenCancelled(m: EntityManager, jobId: string): Promise<void> {
    await m.update(JobStageEntity, { jobId, status: 'cancelled' }, RESET_STAGE);
  }

  /** Back to pending with nothing of the last run; a running attempt loses its lease. */
  async reset(m: EntityManager, jobId: string, stages: StageName[]): Promise<void> {
    for (const stage of stages) await m.update(JobStageEntity, { jobId, stage }, RESET_STAGE);
  }

  /** A stage whose outputs were copied from an earlier job: done, as the donor's run ended. */
  async markReused(
    m: EntityManager,
    jobId: string,
    from: JobStageEntity,
    donorJobId: string,
    at: Date,
  ): Promise<void> {
    await m.update(
      JobStageEntity,
      { jobId, stage: from.stage },
      {
        status: from.status,
        progress: 1,
        etaSeconds: 0,
        queuedAt: at,
        startedAt: at,
        finishedAt: at,
        summary: { ...(from.summary ?? {}), reusedFromJobId: donorJobId } as never,
      },
    );
  }

  /**
   * Locks the rendering row, the aggregate of the job's clips. Clip
   * completion, failure, take-back and re-render all take it first, so two
   * clips finishing together cannot both miss being last.
   */
  async lockRendering(m: EntityManager, jobId: string): Promise<JobStageEntity | null> {
    return m
      .createQueryBuilder(JobStageEntity, 's')
      .setLock('pessimistic_write')
      .where(`s.job_id = :jobId AND s.stage = 'rendering'`, { jobId })
      .getOne();
  }

  /** The first clip claimed starts the rendering row; false when it had already started. */
  async startRenderingRow(m: EntityManager, jobId: string): Promise<boolean> {
    const started = await m.query(
      `UPDATE job_stages SET status = 'running', started_at = COALESCE(started_at, now()), heartbeat_at = now()
        WHERE job_id = $1 AND stage = 'rendering' AND status = 'queued'`,
      [jobId],
    );
    if (affected(started) === 0) return false;
    await recordWebhookEvent(m, { jobId, type: 'stage.started', stage: 'rendering' });
    return true;
  }

  /**
   * Refreshes the rendering row from all clips of the clip's job (done ones
   * count whole, rendering ones by their fraction), never lower than shown;
   * the ETA is this job's own rendering rate. Null when the row is gone.
   */
  async reportRendering(
    m: EntityManager,
    clipId: string,
    attempt: number,
  ): Promise<{ progress: number; etaSeconds: number | null } | null> {
    const res = await m.query(
      `WITH agg AS (
       SELECT (count(*) FILTER (WHERE status IN ('completed', 'failed'))
               + COALESCE(sum(progress) FILTER (WHERE status = 'rendering'), 0))::float
              / GREATEST(count(*), 1) AS p
         FROM clips WHERE job_id = (SELECT job_id FROM clips WHERE id = $1))
     UPDATE job_stages s SET heartbeat_at = now(),
            progress = GREATEST(s.progress, LEAST(agg.p, 0.999)),
            eta_seconds = CASE WHEN agg.p > 0.005 AND s.started_at IS NOT NULL
              THEN round(extract(epoch FROM now() - s.started_at) * (1 - agg.p) / agg.p)::int END
       FROM agg
      WHERE s.job_id = (SELECT job_id FROM clips WHERE id = $1) AND s.stage = 'rendering'
      RETURNING s.progress, s.eta_seconds, s.status, s.job_id`,
      [clipId],
    );
    const row = returnedRows<{
      progress: number;
      eta_seconds: number | null;
      status: string;
      job_id: string;
    }>(res)[0];
    if (!row) return null;
    const share = { progress: Number(row.progress), etaSeconds: row.eta_seconds };
    // A report that lost the race with the last clip's completion must not follow stage.completed.
    if (row.status !== 'running' && row.status !== 'queued') return share;
    await recordWebhookEvent(m, {
      jobId: row.job_id,
      type: 'stage.progress',
      stage: 'rendering',
      data: { attempt, ...share },
    });
    return share;
  }

  /**
   * After a clip settled: updates rendering's progress and counts; when no
   * clip is left open, completes rendering (fails it when every clip failed)
   * and settles the job. `rendering` is the row lockRendering returned.
   */
  async settleRendering(
    m: EntityManager,
    jobId: string,
    rendering: JobStageEntity | null,
  ): Promise<SettledStage[]> {
    const counts: Array<{ status: string; n: string }> = await m.query(
      `SELECT status, count(*) AS n FROM clips WHERE job_id = $1 GROUP BY status`,
      [jobId],
    );
    const by = Object.fromEntries(counts.map((c) => [c.status, Number(c.n)]));
    const total = Object.values(by).reduce((a, b) => a + b, 0);
    const completed = by.completed ?? 0;
    const failed = by.failed ?? 0;
    const open = (by.queued ?? 0) + (by.rendering ?? 0);
    const summary = { clips: total, completed, failed };
    if (open > 0) {
      // Running clips count by their fraction; never below what was already shown.
      await m.query(
        `UPDATE job_stages SET summary = $2, progress = GREATEST(progress, LEAST(0.999,
           ($3 + (SELECT COALESCE(sum(progress), 0) FROM clips WHERE job_id = $1 AND status = 'rendering')) / $4::float))
          WHERE job_id = $1 AND stage = 'rendering'`,
        [jobId, JSON.stringify(summary), completed + failed, Math.max(total, 1)],
      );
      return [];
    }
    const allFailed = completed === 0 && failed > 0;
    const status = allFailed ? 'failed' : 'completed';
    const finishedAt = new Date();
    await m.update(
      JobStageEntity,
      { jobId, stage: 'rendering' },
      {
        status,
        progress: 1,
        finishedAt,
        summary,
        error: allFailed
          ? 'every clip failed to render; see the clips for reasons'
          : failed
            ? `${failed} of ${total} clips failed`
            : null,
      },
    );
    await recordWebhookEvent(
      m,
      allFailed
        ? {
            jobId,
            type: 'stage.failed',
            stage: 'rendering',
            data: { error: 'every clip failed to render', willRetry: false, ...summary },
          }
        : {
            jobId,
            type: 'stage.completed',
            stage: 'rendering',
            data: { status: 'completed', ...summary },
          },
    );
    const settled = rendering ? [settledStage(rendering, status, finishedAt)] : [];
    return [...settled, ...(await this.settleJob(m, jobId))];
  }

  /**
   * Re-rendering clips of a settled rendering row queues it again, showing
   * the share of clips already done.
   */
  async requeueRendering(m: EntityManager, jobId: string, doneShare: number): Promise<void> {
    await m.query(
      `UPDATE job_stages SET status = 'queued', queued_at = now(), finished_at = NULL, error = NULL,
              retry_at = NULL, progress = $2
        WHERE job_id = $1 AND stage = 'rendering' AND status IN ('completed', 'failed', 'skipped', 'cancelled')`,
      [jobId, doneShare],
    );
  }

  /**
   * Takes back a stage whose worker stopped heartbeating. A take-back counts
   * as an attempt: at the last allowed one the stage fails for good (an input
   * that kills its worker would otherwise loop forever). Decided under the
   * row lock; returns what happened, or null when the stage was not stalled.
   */
  async takeBack(
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
        .andWhere(stalledSql('s', 'running', ':stall'), { stall: stallSeconds })
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
        await this.settleJob(m, jobId);
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
  async claim(
    jobId: string,
    stage: WorkerStage,
    host: string,
    stallSeconds: number,
    maxAttempts = Number.POSITIVE_INFINITY,
  ): Promise<number | null> {
    if ((await this.takeBack(jobId, stage, stallSeconds, maxAttempts)) === 'failed') return null;
    const attempt = await this.ds.transaction(async (m) => {
      const res = await m.query(
        `UPDATE job_stages SET status = 'running', attempt = attempt + 1, heartbeat_at = now(), started_at = now(),
              finished_at = NULL, error = NULL, progress = 0, eta_seconds = NULL, worker_host = $3, retry_at = NULL
        WHERE job_id = $1 AND stage = $2
          AND ${claimableSql('', 'running', '$4')}
          AND EXISTS (SELECT 1 FROM jobs j WHERE j.id = $1 AND j.status IN ('queued', 'running'))
        RETURNING attempt`,
        [jobId, stage, host, stallSeconds],
      );
      const rows = returnedRows<{ attempt: number }>(res);
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
  async complete(
    jobId: string,
    stage: Exclude<WorkerStage, 'rendering'>,
    attempt: number,
    writeOutputs: (m: EntityManager) => Promise<void | StageEnd>,
    given: StageEnd = {},
  ): Promise<Settlement> {
    return this.ds.transaction(async (m) => {
      const row = await this.lockStage(m, jobId, stage);
      if (!row || row.attempt !== attempt || row.status !== 'running')
        throw new StaleAttemptError(jobId, stage, attempt);
      // The write may say how the stage ended (a summary of what it stored, or skipped).
      const ended = (await writeOutputs(m)) as StageEnd | undefined;
      const result: StageEnd = { ...given, ...ended };
      const status = result.status ?? 'completed';
      const finishedAt = new Date();
      await m.update(
        JobStageEntity,
        { id: row.id },
        {
          status,
          progress: 1,
          etaSeconds: 0,
          finishedAt,
          heartbeatAt: new Date(),
          summary: (result.summary ?? null) as never,
          error: null,
        },
      );
      await recordWebhookEvent(m, {
        jobId,
        type: 'stage.completed',
        stage,
        data: { attempt, status },
      });
      const next = await this.promoteReady(m, jobId);
      return {
        runnable: next.runnable,
        settled: [settledStage(row, status, finishedAt), ...next.settled],
        job: await readJobState(m, jobId),
      };
    });
  }

  /**
   * Records a failure. Bad input, or the last allowed attempt, fails the
   * stage and the job; otherwise the stage goes back to queued with a backoff.
   * A stale attempt changes nothing.
   */
  async fail(
    jobId: string,
    stage: WorkerStage,
    attempt: number,
    error: string,
    opts: FailPolicy,
  ): Promise<FailOutcome> {
    error = redactSecrets(error);
    return this.ds.transaction(async (m) => {
      const row = await this.lockStage(m, jobId, stage);
      const outcome = (o: FailDecision) => failOutcome(m, jobId, o);
      if (!row || row.attempt !== attempt || row.status !== 'running')
        return outcome({ willRetry: false, settled: [] });
      if (opts.permanent || attempt >= opts.maxAttempts) {
        const finishedAt = new Date();
        await m.update(JobStageEntity, { id: row.id }, { status: 'failed', error, finishedAt });
        await recordWebhookEvent(m, {
          jobId,
          type: 'stage.failed',
          stage,
          data: { attempt, error, willRetry: false },
        });
        const cancelled = await this.settleJob(m, jobId);
        return outcome({
          willRetry: false,
          settled: [settledStage(row, 'failed', finishedAt), ...cancelled],
        });
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
      return outcome({
        willRetry: true,
        settled: [],
        retry: {
          kind: 'stage',
          jobId,
          stage: stage as Exclude<WorkerStage, 'rendering'>,
          attempt,
          delayMs,
        },
      });
    });
  }

  /** The stage row, locked: completion, failure and take-back of one stage take turns on it. */
  private lockStage(m: EntityManager, jobId: string, stage: WorkerStage) {
    return m
      .createQueryBuilder(JobStageEntity, 's')
      .setLock('pessimistic_write')
      .where('s.job_id = :jobId AND s.stage = :stage', { jobId, stage })
      .getOne();
  }

  /** Running stages (rendering aside: its clips hold the leases) whose worker stopped heartbeating. */
  async listStalled(stallSeconds: number): Promise<Array<{ jobId: string; stage: WorkerStage }>> {
    const rows: Array<{ job_id: string; stage: WorkerStage }> = await this.ds.query(
      `SELECT job_id, stage FROM job_stages
        WHERE stage <> 'rendering' AND ${stalledSql('', 'running', '$1')}`,
      [stallSeconds],
    );
    return rows.map((r) => ({ jobId: r.job_id, stage: r.stage }));
  }

  /**
   * Pending stages of active jobs whose inputs are all done: a promotion that
   * two sibling completions both missed. Each locks only its own stage row, so
   * when transcription and silence commit at the same moment each reads the
   * other as still running and neither promotes segmenting. The reconciler
   * promotes them here, each job under locks it takes without waiting (NOWAIT,
   * then a short lock_timeout): a job someone holds now is left for the next tick,
   * and this never waits long enough to deadlock a worker's transaction.
   */
  async promoteStranded(): Promise<Promotion> {
    const rows: Array<{ job_id: string; stage: StageName; status: StageStatus }> =
      await this.ds.query(
        `SELECT s.job_id, s.stage, s.status FROM job_stages s
           JOIN jobs j ON j.id = s.job_id
          WHERE j.status IN ('queued', 'running')
            AND EXISTS (SELECT 1 FROM job_stages p WHERE p.job_id = s.job_id AND p.status = 'pending')`,
      );
    const byJob = new Map<string, Map<StageName, StageStatus>>();
    for (const r of rows) {
      const job = byJob.get(r.job_id) ?? new Map<StageName, StageStatus>();
      job.set(r.stage, r.status);
      byJob.set(r.job_id, job);
    }
    const out: Promotion = { runnable: [], settled: [] };
    for (const [jobId, stages] of byJob) {
      const stranded = [...stages].some(
        ([stage, status]) =>
          status === 'pending' &&
          STAGE_DEPENDENCIES[stage].every((d) => isStageDone(stages.get(d) ?? 'pending')),
      );
      if (!stranded) continue;
      try {
        const p = await this.ds.transaction(async (m) => {
          await m.query(`SET LOCAL lock_timeout = '500ms'`);
          await m.query(`SELECT id FROM jobs WHERE id = $1 FOR UPDATE NOWAIT`, [jobId]);
          await m.query(`SELECT id FROM job_stages WHERE job_id = $1 FOR UPDATE NOWAIT`, [jobId]);
          return this.promoteReady(m, jobId);
        });
        out.runnable.push(...p.runnable);
        out.settled.push(...p.settled);
      } catch (err) {
        // 55P03: someone holds the job's rows now; it is looked at again next tick.
        const e = err as { code?: string; driverError?: { code?: string } };
        if ((e.code ?? e.driverError?.code) !== '55P03') throw err;
      }
    }
    return out;
  }

  /**
   * Queued stages of active jobs, queued for more than `graceSeconds` (past
   * their retry_at if they have one): each should have a Bull job.
   */
  async listOrphans(graceSeconds: number): Promise<Runnable[]> {
    const rows: Array<{ job_id: string; stage: string; attempt: number }> = await this.ds.query(
      `SELECT s.job_id, s.stage, s.attempt FROM job_stages s JOIN jobs j ON j.id = s.job_id
        WHERE s.stage <> 'rendering' AND s.status = 'queued' AND j.status IN ('queued','running')
          AND COALESCE(s.retry_at, s.queued_at, now()) < now() - make_interval(secs => $1)`,
      [graceSeconds],
    );
    return rows.map((s) => ({
      kind: 'stage' as const,
      jobId: s.job_id,
      stage: s.stage as Exclude<WorkerStage, 'rendering'>,
      attempt: s.attempt,
    }));
  }

  /** The stages of a job, in graph order. */
  async stagesOf(jobId: string): Promise<JobStageEntity[]> {
    const rows = await this.ds.getRepository(JobStageEntity).find({ where: { jobId } });
    const order = ['probe', ...WORKER_STAGES] as StageName[];
    return rows.sort((a, b) => order.indexOf(a.stage) - order.indexOf(b.stage));
  }
}
