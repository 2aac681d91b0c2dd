import { redactSecrets } from '@clipline/contracts';
import { ClipEntity } from '@clipline/database';
import type { DataSource, EntityManager } from 'typeorm';
import { logTakeBack, stalledReason } from '../stall-policy';
import { recordWebhookEvent } from '../webhook-outbox';
import { backoffMs } from './backoff';
import { affected, claimableSql, returnedRows, stalledSql } from './lease.sql';
import type { Runnable } from './runnable.types';
import {
  failOutcome,
  readJobState,
  type FailDecision,
  type FailOutcome,
  type Settlement,
} from './settlement';
import { StaleAttemptError } from './stale-attempt.error';
import type { FailPolicy, StageRows } from './stage-rows';

/** The object keys a clip row publishes. */
const CLIP_KEY_FIELDS = ['videoKey', 'thumbnailKey', 'vttKey', 'srtKey'] as const;

/** What a clip's fenced completion published, and what the job became. */
export interface ClipSettlement extends Settlement {
  clip: ClipEntity;
  /** Keys the row pointed at before (an older attempt's objects), to delete once nothing serves them. */
  replacedKeys: string[];
}

/**
 * Writes to `clips`, one row per selected segment × aspect, each leased to a
 * render worker on its own. The rendering stage row is the aggregate: a clip
 * that settles locks it first (StageRows.lockRendering), so two clips
 * finishing together cannot both miss being last.
 *
 * Static methods run in the caller's transaction: the segmenting and reuse
 * writes, the job-level operations and the API's edits include them in their
 * own. Instance methods open their own.
 */
export class ClipRows {
  constructor(
    private readonly ds: DataSource,
    private readonly stages: StageRows,
  ) {}

  /**
   * The fan-out rule: one queued clip per segment × aspect. An existing row
   * (unique on job, segment, aspect) is kept as it is, or with `requeue`
   * queued again; it keeps pointing at its published objects either way.
   */
  static async insertQueued(
    m: EntityManager,
    jobId: string,
    segmentIds: string[],
    aspects: readonly string[],
    onExisting: 'keep' | 'requeue' = 'keep',
  ): Promise<void> {
    if (!segmentIds.length || !aspects.length) return;
    // One statement may not touch a row twice, so a repeated id or aspect is taken once.
    const segments = [...new Set(segmentIds)];
    const kinds = [...new Set(aspects)];
    await m.query(
      `INSERT INTO clips (job_id, segment_id, aspect, status)
       SELECT $1::uuid, s.id, a.aspect, 'queued'
         FROM unnest($2::uuid[]) WITH ORDINALITY AS s(id, i)
         CROSS JOIN unnest($3::text[]) WITH ORDINALITY AS a(aspect, j)
        ORDER BY s.i, a.j
       ON CONFLICT ON CONSTRAINT uq_clips_job_segment_aspect DO ${
         onExisting === 'requeue'
           ? `UPDATE SET status = 'queued', error = NULL, retry_at = NULL`
           : 'NOTHING'
       }`,
      [jobId, segments, kinds],
    );
  }

  /** A re-run of rendering for the failed clips alone: failed and cancelled ones queue again. */
  static async requeueFailed(m: EntityManager, jobId: string): Promise<void> {
    await m.query(
      `UPDATE clips SET status = 'queued', error = NULL, retry_at = NULL WHERE job_id = $1 AND status IN ('failed','cancelled')`,
      [jobId],
    );
  }

  /** Drops the clips of segments no longer selected. */
  static async deleteUnselected(
    m: EntityManager,
    jobId: string,
    selectedSegmentIds: string[],
  ): Promise<void> {
    await m
      .createQueryBuilder()
      .delete()
      .from(ClipEntity)
      .where('job_id = :jobId', { jobId })
      .andWhere(selectedSegmentIds.length ? 'segment_id NOT IN (:...ids)' : 'TRUE', {
        ids: selectedSegmentIds,
      })
      .execute();
  }

  /**
   * Cancels the job's queued and rendering clips; their workers lose the lease
   * at the next heartbeat. `reason` becomes their error (null keeps the one they had).
   */
  static async cancelOpen(m: EntityManager, jobId: string, reason: string | null): Promise<void> {
    await m.query(
      `UPDATE clips SET status = 'cancelled', error = COALESCE($2, error), retry_at = NULL,
              updated_at = CASE WHEN $2::text IS NULL THEN updated_at ELSE now() END
        WHERE job_id = $1 AND status IN ('queued', 'rendering')`,
      [jobId, reason],
    );
  }

  /**
   * Asks for a render of the clip's current edit version: a settled clip is
   * queued again; a clip already queued keeps its place and renders the new
   * version when it runs. Returns whether it was queued now.
   */
  static async requestRender(m: EntityManager, clip: ClipEntity): Promise<boolean> {
    const queued = clip.status !== 'queued';
    await m.update(
      ClipEntity,
      { id: clip.id },
      queued
        ? {
            status: 'queued',
            error: null,
            retryAt: null,
            progress: 0,
            renderingVersion: clip.version,
          }
        : { renderingVersion: clip.version },
    );
    return queued;
  }

  /**
   * An edit: applies `set` and raises the version in one compare-and-bump
   * (with `expected`, only at that version, so of two editors one wins).
   * Returns the new version, or null when no row matched.
   */
  static async bumpVersion(
    m: EntityManager,
    clipId: string,
    expected: number | undefined,
    set: Partial<ClipEntity>,
  ): Promise<number | null> {
    const qb = m
      .createQueryBuilder()
      .update(ClipEntity)
      .set({ ...set, version: () => 'version + 1' })
      .where('id = :clipId', { clipId });
    if (expected !== undefined) qb.andWhere('version = :expected', { expected });
    const res = await qb.returning(['version']).execute();
    if (!res.affected) return null;
    return (res.raw as Array<{ version: number }>)[0]?.version;
  }

  /** The job's look changed: every clip shows a new edit at its next render. */
  static async bumpVersionsOfJob(m: EntityManager, jobId: string): Promise<void> {
    await m.query(`UPDATE clips SET version = version + 1 WHERE job_id = $1`, [jobId]);
  }

  /** A transcript fix over [start, end): every clip whose edges hold part of it. */
  static async bumpVersionsOver(
    m: EntityManager,
    jobId: string,
    start: number,
    end: number,
  ): Promise<void> {
    await m.query(
      `UPDATE clips c SET version = c.version + 1
         FROM content_segments s
        WHERE c.job_id = $1 AND s.id = c.segment_id
          AND COALESCE(c.start_sec, s.start_sec) < $3 AND COALESCE(c.end_sec, s.end_sec) > $2`,
      [jobId, start, end],
    );
  }

  /** Taking a stalled clip counts as a take-back, so its last attempt fails the clip. */
  async claim(
    clipId: string,
    stallSeconds: number,
    maxAttempts = Number.POSITIVE_INFINITY,
  ): Promise<ClipEntity | null> {
    if ((await this.takeBack(clipId, stallSeconds, maxAttempts)) === 'failed') return null;
    const res = await this.ds.query(
      `UPDATE clips c SET status = 'rendering', attempt = attempt + 1, progress = 0, heartbeat_at = now(), error = NULL, retry_at = NULL, updated_at = now()
        WHERE c.id = $1
          AND ${claimableSql('c', 'rendering', '$2')}
          AND EXISTS (SELECT 1 FROM jobs j WHERE j.id = c.job_id AND j.status IN ('queued', 'running'))
        RETURNING c.id`,
      [clipId, stallSeconds],
    );
    if (!returnedRows(res).length) return null;
    const clip = await this.ds.getRepository(ClipEntity).findOneByOrFail({ id: clipId });
    await this.ds.transaction((m) => this.stages.startRenderingRow(m, clip.jobId));
    return clip;
  }

  async heartbeat(clipId: string, attempt: number, progress?: number): Promise<boolean> {
    return (await this.report(clipId, attempt, progress)) !== null;
  }

  /**
   * Stores the running clip's fraction and refreshes the rendering row from
   * all clips, so the stage moves through each clip instead of starting over.
   * Null when this attempt no longer holds the clip.
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
    // rendering row would invert complete's lock order (rendering, then clip).
    return this.ds.transaction((m) => this.stages.reportRendering(m, clipId, attempt));
  }

  /**
   * Publishes the attempt's objects: the row points at its keys from this
   * commit on, and the rendering row and the job settle when it was the last.
   */
  async complete(
    clipId: string,
    attempt: number,
    columns: Partial<ClipEntity> | ((m: EntityManager) => Promise<Partial<ClipEntity>>),
  ): Promise<ClipSettlement> {
    return this.ds.transaction(async (m) => {
      const clip = await m.findOne(ClipEntity, { where: { id: clipId } });
      if (!clip) throw new StaleAttemptError(clipId, 'rendering', attempt);
      const rendering = await this.stages.lockRendering(m, clip.jobId);
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
      const settled = await this.stages.settleRendering(m, clip.jobId, rendering);
      const published = new Set(CLIP_KEY_FIELDS.map((f) => fields[f] ?? clip[f]));
      const replacedKeys = CLIP_KEY_FIELDS.map((f) => clip[f]).filter(
        (k): k is string => !!k && !published.has(k),
      );
      return {
        clip: { ...clip, ...fields, status: 'completed' } as ClipEntity,
        replacedKeys,
        runnable: [],
        settled,
        job: await readJobState(m, clip.jobId),
      };
    });
  }

  /** Bad input or the last allowed attempt fails the clip; anything else queues it with a backoff. */
  async fail(
    clipId: string,
    attempt: number,
    error: string,
    opts: FailPolicy,
  ): Promise<FailOutcome> {
    error = redactSecrets(error);
    return this.ds.transaction(async (m) => {
      const clip = await m.findOne(ClipEntity, { where: { id: clipId } });
      const outcome = (o: FailDecision) => failOutcome(m, clip?.jobId ?? null, o);
      if (!clip || clip.attempt !== attempt || clip.status !== 'rendering')
        return outcome({ willRetry: false, settled: [] });
      const rendering = await this.stages.lockRendering(m, clip.jobId);
      if (opts.permanent || attempt >= opts.maxAttempts) {
        await m.update(ClipEntity, { id: clipId }, { status: 'failed', error });
        const settled = await this.stages.settleRendering(m, clip.jobId, rendering);
        return outcome({ willRetry: false, settled });
      }
      const delayMs = backoffMs(attempt, opts.baseDelayMs);
      await m.update(
        ClipEntity,
        { id: clipId },
        { status: 'queued', error: `${error} (retrying)`, retryAt: new Date(Date.now() + delayMs) },
      );
      return outcome({
        willRetry: true,
        settled: [],
        retry: {
          kind: 'clip',
          jobId: clip.jobId,
          clipId,
          segmentId: clip.segmentId,
          aspect: clip.aspect,
          attempt,
          delayMs,
        },
      });
    });
  }

  /**
   * Takes back a clip whose worker stopped heartbeating; at the last allowed
   * attempt the clip fails for good instead. Null when it was not stalled.
   */
  async takeBack(
    clipId: string,
    stallSeconds: number,
    maxAttempts: number,
  ): Promise<'queued' | 'failed' | null> {
    return this.ds.transaction(async (m) => {
      const peek = await m.findOne(ClipEntity, { where: { id: clipId } });
      if (!peek || peek.status !== 'rendering') return null;
      // Same lock order as completion and failure: the rendering row, then the clip.
      const rendering = await this.stages.lockRendering(m, peek.jobId);
      const clip = await m
        .createQueryBuilder(ClipEntity, 'c')
        .setLock('pessimistic_write')
        .where('c.id = :clipId', { clipId })
        .andWhere(stalledSql('c', 'rendering', ':stall'), { stall: stallSeconds })
        .getOne();
      if (!clip) return null;
      const unit = { jobId: clip.jobId, stage: 'rendering', clipId };
      if (clip.attempt >= maxAttempts) {
        const reason = await stalledReason(m, unit, clip.attempt, maxAttempts);
        await m.update(ClipEntity, { id: clipId }, { status: 'failed', error: reason });
        await logTakeBack(m, unit, clip.attempt, reason);
        await this.stages.settleRendering(m, clip.jobId, rendering);
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

  /** Rendering clips whose worker stopped heartbeating. */
  async listStalled(stallSeconds: number): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.ds.query(
      `SELECT id FROM clips WHERE ${stalledSql('', 'rendering', '$1')}`,
      [stallSeconds],
    );
    return rows.map((r) => r.id);
  }

  /**
   * Queued clips of active jobs, queued for more than `graceSeconds` (past
   * their retry_at if they have one): each should have a Bull job.
   */
  async listOrphans(graceSeconds: number): Promise<Runnable[]> {
    const rows: Array<{
      job_id: string;
      id: string;
      segment_id: string;
      aspect: string;
      attempt: number;
    }> = await this.ds.query(
      `SELECT c.job_id, c.id, c.segment_id, c.aspect, c.attempt FROM clips c JOIN jobs j ON j.id = c.job_id
        WHERE c.status = 'queued' AND j.status IN ('queued','running')
          AND COALESCE(c.retry_at, c.updated_at) < now() - make_interval(secs => $1)`,
      [graceSeconds],
    );
    return rows.map((c) => ({
      kind: 'clip' as const,
      jobId: c.job_id,
      clipId: c.id,
      segmentId: c.segment_id,
      aspect: c.aspect,
      attempt: c.attempt,
    }));
  }
}
