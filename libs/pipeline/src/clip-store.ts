import { redactSecrets } from '@clipline/contracts';
import { ClipEntity, JobStageEntity } from '@clipline/database';
import type { DataSource, EntityManager } from 'typeorm';
import { logTakeBack, stalledReason } from './stall-policy';
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
      `UPDATE clips c SET status = 'rendering', attempt = attempt + 1, heartbeat_at = now(), error = NULL, retry_at = NULL, updated_at = now()
        WHERE c.id = $1
          AND (c.status = 'queued' OR (c.status = 'rendering' AND c.heartbeat_at < now() - make_interval(secs => $2)))
          AND EXISTS (SELECT 1 FROM jobs j WHERE j.id = c.job_id AND j.status IN ('queued', 'running'))
        RETURNING c.id`,
      [clipId, stallSeconds],
    );
    const rows = Array.isArray(res[0]) ? res[0] : res;
    if (!rows.length) return null;
    const clip = await this.ds.getRepository(ClipEntity).findOneByOrFail({ id: clipId });
    await this.ds.query(
      `UPDATE job_stages SET status = 'running', started_at = COALESCE(started_at, now()), heartbeat_at = now()
        WHERE job_id = $1 AND stage = 'rendering' AND status = 'queued'`,
      [clip.jobId],
    );
    return clip;
  }

  async heartbeat(clipId: string, attempt: number): Promise<boolean> {
    const res = await this.ds.query(
      `UPDATE clips SET heartbeat_at = now() WHERE id = $1 AND attempt = $2 AND status = 'rendering'`,
      [clipId, attempt],
    );
    if (affected(res) === 0) return false;
    await this.ds.query(
      `UPDATE job_stages SET heartbeat_at = now() WHERE job_id = (SELECT job_id FROM clips WHERE id = $1) AND stage = 'rendering'`,
      [clipId],
    );
    return true;
  }

  /**
   * Publishes the attempt's objects: the row points at its keys from this
   * commit on. Returns the keys the row pointed at before (an older attempt's
   * objects), which the caller deletes once nothing can serve them.
   */
  async completeClip(
    clipId: string,
    attempt: number,
    fields: Partial<ClipEntity>,
  ): Promise<{ clip: ClipEntity; replacedKeys: string[] }> {
    return this.ds.transaction(async (m) => {
      const clip = await m.findOne(ClipEntity, { where: { id: clipId } });
      if (!clip) throw new StaleAttemptError(clipId, 'rendering', attempt);
      await this.lockRenderingStage(m, clip.jobId);
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
      await m.update(
        JobStageEntity,
        { jobId, stage: 'rendering' },
        { progress: total ? (completed + failed) / total : 0, summary },
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
    await this.stages.finishJobIfDone(m, jobId);
  }
}
