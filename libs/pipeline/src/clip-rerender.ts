import { ClipEntity, JobEntity, JobStageEntity } from '@clipline/database';
import type { DataSource, EntityManager } from 'typeorm';
import { OrchestrationError } from './job-orchestrator';
import { segmentsOutputs } from './outputs/segments.outputs';
import type { ProcessingLogger } from './processing-logger';
import type { ProgressEmitter } from './progress-emitter';
import type { StageScheduler } from './stage-scheduler';
import { ClipRows } from './state/clip-rows';
import type { Runnable } from './state/runnable.types';
import { StageRows } from './state/stage-rows';
import { readJobProgress } from './throughput';
import { sourceGoneMessage } from './retention-rules';

export interface RenderRequest {
  clipId: string;
  /** The edit version this render will show. */
  version: number;
  /** False when the clip was already waiting to render (it picks up the edit when it runs). */
  queued: boolean;
}

/**
 * Re-renders chosen clips and nothing else: no stage before rendering runs
 * again and the job's other clips keep their objects and status. A clip's
 * published objects stay on its row (and downloadable) until the new
 * attempt's fenced completion points the row at its own keys.
 */
export class ClipRerenderer {
  private readonly stages: StageRows;

  constructor(
    private readonly ds: DataSource,
    private readonly scheduler: StageScheduler,
    private readonly logger: ProcessingLogger,
    private readonly emitter: ProgressEmitter,
  ) {
    this.stages = new StageRows(ds);
  }

  async renderClips(jobId: string, clipIds: string[], why: string): Promise<RenderRequest[]> {
    const { runnables, requests, owner } = await this.ds.transaction(async (m) => {
      const job = await this.lockForRender(m, jobId);
      const out = await this.queueClips(m, job, clipIds);
      return { ...out, owner: job.ownerKeyId };
    });
    await this.after(jobId, owner, runnables, why);
    return requests;
  }

  /**
   * Selects a runner-up and renders its clips (one per aspect of the job)
   * alone; the job's other clips keep their downloads and do not re-render.
   */
  async promoteSegment(jobId: string, segmentId: string): Promise<RenderRequest[]> {
    const { runnables, requests, owner } = await this.ds.transaction(async (m) => {
      const job = await this.lockForRender(m, jobId);
      const seg = await segmentsOutputs.readOne(m, segmentId, jobId);
      if (!seg) throw new OrchestrationError(`Segment ${segmentId} was not found.`, 'not_found');
      if (seg.selected) throw new OrchestrationError(`Segment ${segmentId} is already selected.`);
      await segmentsOutputs.select(m, seg.id);
      await ClipRows.insertQueued(m, job.id, [seg.id], job.options.aspects);
      const ids = (await m.find(ClipEntity, { where: { jobId, segmentId: seg.id } })).map(
        (c) => c.id,
      );
      return { ...(await this.queueClips(m, job, ids)), owner: job.ownerKeyId };
    });
    await this.after(jobId, owner, runnables, `segment ${segmentId} promoted`);
    return requests;
  }

  /**
   * Same lock order as ClipRows (the rendering row, then the job), so a clip
   * finishing while an edit asks for a render cannot deadlock with it.
   */
  private async lockForRender(m: EntityManager, jobId: string): Promise<JobEntity> {
    const stage = await this.stages.lockRendering(m, jobId);
    const job = await m
      .createQueryBuilder(JobEntity, 'j')
      .setLock('pessimistic_write')
      .where('j.id = :jobId', { jobId })
      .getOne();
    if (!job || !stage) throw new OrchestrationError('job not found', 'not_found');
    if (job.status === 'cancelled') {
      throw new OrchestrationError('The job was cancelled; its clips cannot render again.');
    }
    // A render reads the source; checked under the job lock the retention sweeper also takes.
    const gone = sourceGoneMessage(job, 'rendering');
    if (gone) throw new OrchestrationError(gone, 'gone');
    const seg = await m.findOne(JobStageEntity, { where: { jobId, stage: 'segmenting' } });
    if (seg?.status !== 'completed') {
      throw new OrchestrationError(
        `Segmenting has not finished (status: ${seg?.status ?? 'missing'}); clips render when it has.`,
      );
    }
    return job;
  }

  private async queueClips(
    m: EntityManager,
    job: JobEntity,
    clipIds: string[],
  ): Promise<{ runnables: Runnable[]; requests: RenderRequest[] }> {
    const runnables: Runnable[] = [];
    const requests: RenderRequest[] = [];
    for (const clipId of clipIds) {
      const clip = await m
        .createQueryBuilder(ClipEntity, 'c')
        .setLock('pessimistic_write')
        .where('c.id = :clipId AND c.job_id = :jobId', { clipId, jobId: job.id })
        .getOne();
      if (!clip) throw new OrchestrationError(`Clip ${clipId} was not found.`, 'not_found');
      if (clip.status === 'rendering') {
        throw new OrchestrationError(
          `Clip ${clipId} is rendering version ${clip.renderingVersion ?? clip.version} now; render again when it finishes.`,
        );
      }
      // A clip already queued keeps its place; it still gets a runnable (enqueue is idempotent).
      const queued = await ClipRows.requestRender(m, clip);
      requests.push({ clipId: clip.id, version: clip.version, queued });
      runnables.push({
        kind: 'clip',
        jobId: job.id,
        clipId: clip.id,
        segmentId: clip.segmentId,
        aspect: clip.aspect,
        attempt: clip.attempt,
      });
    }
    if (!runnables.length) return { runnables, requests };
    // A finished job runs again for these clips alone; the rendering row is their aggregate.
    if (job.status !== 'queued' && job.status !== 'running') {
      await m.update(
        JobEntity,
        { id: job.id },
        { status: 'running', error: null, finishedAt: null },
      );
    }
    const counts: Array<{ done: string; total: string }> = await m.query(
      `SELECT count(*) FILTER (WHERE status IN ('completed', 'failed')) AS done, count(*) AS total
         FROM clips WHERE job_id = $1`,
      [job.id],
    );
    const done = Number(counts[0]?.done ?? 0);
    const total = Math.max(1, Number(counts[0]?.total ?? 1));
    await this.stages.requeueRendering(m, job.id, done / total);
    return { runnables, requests };
  }

  private async after(
    jobId: string,
    owner: string | null,
    runnables: Runnable[],
    why: string,
  ): Promise<void> {
    if (!runnables.length) return;
    await this.logger.write(
      jobId,
      'rendering',
      0,
      'note',
      `re-render of ${runnables.length} clip${runnables.length === 1 ? '' : 's'}: ${why}`,
    );
    await this.scheduler.enqueueAll(runnables);
    const job = await this.ds.getRepository(JobEntity).findOneBy({ id: jobId });
    if (!job) return;
    this.emitter.emit('job.status', owner, {
      jobId,
      status: job.status,
      error: null,
      ...(await readJobProgress(this.ds, job)),
      at: new Date().toISOString(),
    });
  }
}
