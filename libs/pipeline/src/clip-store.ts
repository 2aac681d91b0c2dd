import { redactSecrets } from '@clipline/contracts';
import { ClipEntity, JobStageEntity } from '@clipline/database';
import type { DataSource, EntityManager } from 'typeorm';
import { logTakeBack, stalledReason } from './stall-policy';
import { recordWebhookEvent } from './webhook-outbox';
import {
  affected,
  backoffMs,
  StaleAttemptError,
  type Runnable,
  type StageStore,
} from './stage-store';

/** The object keys a clip row publishes. */
const CLIP_KEY_FIELDS = ['videoKey', 'thumbnailKey', 'vttKey', 'srtKey'] as const;

/**
 * Per-clip state for the rendering fan-out. The rendering stage row is the
 * aggregate: it completes when every clip is terminal, under a row lock so
 * two clips finishing together cannot both miss being last.
 */
export class ClipStore {
  constructor(
    private readonly ds: DataSource,
    private readonly stages: StageStore,
  ) {}

  /** Taking a stalled clip counts as a take-back, so its last attempt fails the clip. */
  async claimClip(
    clipId: string,
    stallSeconds: number,
    maxAttempts = Number.POSITIVE_INFINITY,
  ): Promise<ClipEntity | null> {
    if ((await this.takeBackClip(clipId, stallSeconds, maxAttempts)) === 'failed') return null;
    const res = await this.ds.query(
      `UPDATE clips c SET status = 'rendering', attempt = attempt + 1, progress = 0, heartbeat_at = now(), error = NULL, retry_at = NULL, updated_at = now()
        WHERE c.id = $1
          AND (c.status = 'queued' OR (c.status = 'rendering' AND c.heartbeat_at < now() - make_interval(secs => $2)))
          AND EXISTS (SELECT 1 FROM jobs j WHERE j.id = c.job_id AND j.status IN ('queued', 'running'))
        RETURNING c.id`,
      [clipId, stallSeconds],
    );
    const rows = Array.isArray(res[0]) ? res[0] : res;
    if (!rows.length) return null;
    const clip = await this.ds.getRepository(ClipEntity).findOneByOrFail({ id: clipId });
    await this.ds.transaction(async (m) => {
      const started = await m.query(
        `UPDATE job_stages SET status = 'running', started_at = COALESCE(started_at, now()), heartbeat_at = now()
          WHERE job_id = $1 AND stage = 'rendering' AND status = 'queued'`,
        [clip.jobId],
      );
      if (affected(started) > 0)
        await recordWebhookEvent(m, {
          jobId: clip.jobId,
          type: 'stage.started',
          stage: 'rendering',
        });
    });
    return clip;
  }

  async heartbeat(clipId: string, attempt: number, progress?: number): Promise<boolean> {
    return (await this.report(clipId, attempt, progress)) !== null;
  }

  /**
   * Stores the running clip's fraction and refreshes the rendering row from
   * all clips (done ones count whole, running ones by their fraction), so the
   * stage moves through each clip instead of starting over. Null when this
   * attempt no longer holds the clip.
   */
  async report(
    clipId: string,
    attempt: number,
    progress?: number,
  ): Promise<{ progress: number; etaSeconds: number | null } | null> {
    const res = await this.ds.query(
      `UPDATE clips SET heartbeat_at = now(), progress = GREATEST(progress, COALESCE($3, progress))
        WHERE id = $1 AND attempt = $2 AND status = 'rendering'`,
      [clipId, attempt, progress === undefined ? null : Math.min(1, Math.max(0, progress))],
    );
    if (affected(res) === 0) return null;
    // The clip's own update commits first: holding the clip row while waiting for the
    // rendering row would invert completeClip's lock order (rendering, then clip).
    return this.ds.transaction(async (m) => {
      // ETA from this job's own rendering rate: time spent so far over the share done.
      const rows: Array<{
        progress: number;
        eta_seconds: number | null;
        status: string;
        job_id: string;
      }> = await m.query(
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
      const row = (Array.isArray(rows[0]) ? rows[0] : rows)[0] as
        | { progress: number; eta_seconds: number | null; status: string; job_id: string }
        | undefined;
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
    });
  }

  /**
   * Publishes the attempt's objects: the row points at its keys from this
   * commit on. Returns the keys the row pointed at before (an older attempt's
   * objects), which the caller deletes once nothing can serve them.
   */
  async completeClip(
    clipId: string,
    attempt: number,
    columns: Partial<ClipEntity> | ((m: EntityManager) => Promise<Partial<ClipEntity>>),
  ): Promise<{ clip: ClipEntity; replacedKeys: string[] }> {
    return this.ds.transaction(async (m) => {
      const clip = await m.findOne(ClipEntity, { where: { id: clipId } });
      if (!clip) throw new StaleAttemptError(clipId, 'rendering', attempt);
      await this.lockRenderingStage(m, clip.jobId);
      // A stale attempt's columns roll back with the refused update below.
      const fields = typeof columns === 'function' ? await columns(m) : columns;
      const res = await m
        .createQueryBuilder()
        .update(ClipEntity)
        .set({ ...fields, status: 'completed', error: null, heartbeatAt: new Date() })
        .where('id = :clipId AND attempt = :attempt AND status = :status', {
          clipId,
          attempt,
          status: 'rendering',
        })
        .execute();
      if (!res.affected)
        throw new StaleAttemptError(clip.jobId, `rendering clip ${clipId}`, attempt);
      await recordWebhookEvent(m, {
        jobId: clip.jobId,
        type: 'clip.ready',
        data: { clipId, segmentId: clip.segmentId, aspect: clip.aspect, attempt },
      });
      await this.settleRendering(m, clip.jobId);
      const published = new Set(CLIP_KEY_FIELDS.map((f) => fields[f] ?? clip[f]));
      const replacedKeys = CLIP_KEY_FIELDS.map((f) => clip[f]).filter(
        (k): k is string => !!k && !published.has(k),
      );
      return { clip: { ...clip, ...fields, status: 'completed' } as ClipEntity, replacedKeys };
    });
  }

  async failClip(
    clipId: string,
    attempt: number,
    error: string,
    opts: { permanent: boolean; maxAttempts: number; baseDelayMs: number },
  ): Promise<{ willRetry: boolean; retry?: Runnable }> {
    error = redactSecrets(error);
    return this.ds.transaction(async (m) => {
      const clip = await m.findOne(ClipEntity, { where: { id: clipId } });
      if (!clip || clip.attempt !== attempt || clip.status !== 'rendering')
        return { willRetry: false };
      await this.lockRenderingStage(m, clip.jobId);
      if (opts.permanent || attempt >= opts.maxAttempts) {
        await m.update(ClipEntity, { id: clipId }, { status: 'failed', error });
        await this.settleRendering(m, clip.jobId);
        return { willRetry: false };
      }
      const delayMs = backoffMs(attempt, opts.baseDelayMs);
      await m.update(
        ClipEntity,
        { id: clipId },
        { status: 'queued', error: `${error} (retrying)`, retryAt: new Date(Date.now() + delayMs) },
      );
      return {
        willRetry: true,
        retry: {
          kind: 'clip',
          jobId: clip.jobId,
          clipId,
          segmentId: clip.segmentId,
          aspect: clip.aspect,
          attempt,
          delayMs,
        },
      };
    });
  }

  /**
   * Takes back a clip whose worker stopped heartbeating; at the last allowed
   * attempt the clip fails for good instead. Null when it was not stalled.
   */
  async takeBackClip(
    clipId: string,
    stallSeconds: number,
    maxAttempts: number,
  ): Promise<'queued' | 'failed' | null> {
    return this.ds.transaction(async (m) => {
      const peek = await m.findOne(ClipEntity, { where: { id: clipId } });
      if (!peek || peek.status !== 'rendering') return null;
      // Same lock order as completion and failure: the rendering row, then the clip.
      await this.lockRenderingStage(m, peek.jobId);
      const clip = await m
        .createQueryBuilder(ClipEntity, 'c')
        .setLock('pessimistic_write')
        .where('c.id = :clipId', { clipId })
        .andWhere(
          `c.status = 'rendering' AND c.heartbeat_at < now() - make_interval(secs => :stall)`,
          {
            stall: stallSeconds,
          },
        )
        .getOne();
      if (!clip) return null;
      const unit = { jobId: clip.jobId, stage: 'rendering', clipId };
      if (clip.attempt >= maxAttempts) {
        const reason = await stalledReason(m, unit, clip.attempt, maxAttempts);
        await m.update(ClipEntity, { id: clipId }, { status: 'failed', error: reason });
        await logTakeBack(m, unit, clip.attempt, reason);
        await this.settleRendering(m, clip.jobId);
        return 'failed';
      }
      await m.update(
        ClipEntity,
        { id: clipId },
        { status: 'queued', retryAt: null, error: 'worker stopped heartbeating; taken back' },
      );
      await logTakeBack(m, unit, clip.attempt, null);
      return 'queued';
    });
  }

  private async lockRenderingStage(m: EntityManager, jobId: string): Promise<void> {
    await m
      .createQueryBuilder(JobStageEntity, 's')
      .setLock('pessimistic_write')
      .where(`s.job_id = :jobId AND s.stage = 'rendering'`, { jobId })
      .getOne();
  }

  /** Updates rendering progress; when no clip is left to render, finishes the stage and the job. */
  private async settleRendering(m: EntityManager, jobId: string): Promise<void> {
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
      return;
    }
    const allFailed = completed === 0 && failed > 0;
    await m.update(
      JobStageEntity,
      { jobId, stage: 'rendering' },
      {
        status: allFailed ? 'failed' : 'completed',
        progress: 1,
        finishedAt: new Date(),
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
    await this.stages.finishJobIfDone(m, jobId);
  }
}
