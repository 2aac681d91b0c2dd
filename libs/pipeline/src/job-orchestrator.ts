import {
  downstreamOf,
  isStageDone,
  STAGE_DEPENDENCIES,
  type JobOptions,
  type MediaInfo,
  type WorkerStage,
} from '@clipline/contracts';
import { ClipEntity, ContentSegmentEntity, JobEntity, JobStageEntity } from '@clipline/database';
import { objectKeys, type StorageService } from '@clipline/storage';
import type { DataSource, EntityManager } from 'typeorm';
import { reuseAnalysis } from './analysis-reuse';
import { sourceGoneMessage } from './retention-rules';
import type { ProcessingLogger } from './processing-logger';
import type { ProgressEmitter } from './progress-emitter';
import type { StageScheduler } from './stage-scheduler';
import { ClipRows } from './state/clip-rows';
import type { StageRows } from './state/stage-rows';
import { jobsCreated, jobsDeleted } from './worker-metrics';
import { readJobProgress } from './throughput';
import { recordWebhookEvent } from './webhook-outbox';

/** Why a job-level operation was refused; the API alone turns a kind into an HTTP status. */
export type OrchestrationErrorKind = 'not_found' | 'conflict' | 'invalid' | 'gone';

export class OrchestrationError extends Error {
  readonly orchestration = true;
  constructor(
    message: string,
    readonly kind: OrchestrationErrorKind = 'conflict',
  ) {
    super(message);
    this.name = 'OrchestrationError';
  }
}

export interface CreateJobInput {
  jobId: string;
  ownerKeyId: string | null;
  sourceKey: string;
  sourceFilename: string | null;
  sourceSizeBytes: number | null;
  mediaInfo: MediaInfo;
  options: JobOptions;
  /** sha256 of the source (hex), when known; the key of analysis reuse. */
  contentSha256?: string | null;
}

/** Job-level operations used by the API: create, re-run, retry, cancel, delete. */
export class JobOrchestrator {
  constructor(
    private readonly ds: DataSource,
    private readonly stages: StageRows,
    private readonly scheduler: StageScheduler,
    private readonly logger: ProcessingLogger,
    private readonly emitter: ProgressEmitter,
    private readonly storage: StorageService,
  ) {}

  async createJob(input: CreateJobInput): Promise<JobEntity> {
    const now = new Date();
    const runnables = await this.ds.transaction(async (m) => {
      await m.insert(JobEntity, {
        id: input.jobId,
        ownerKeyId: input.ownerKeyId,
        status: 'queued',
        sourceKey: input.sourceKey,
        sourceFilename: input.sourceFilename,
        sourceSizeBytes: input.sourceSizeBytes === null ? null : String(input.sourceSizeBytes),
        mediaInfo: input.mediaInfo,
        options: input.options,
        contentSha256: input.contentSha256 ?? null,
      });
      const m0 = input.mediaInfo;
      const probe = { durationSec: m0.durationSec, hasVideo: m0.hasVideo, hasAudio: m0.hasAudio };
      await this.stages.create(m, input.jobId, probe, now);
      await recordWebhookEvent(m, { jobId: input.jobId, type: 'job.created' });
      // Before promotion, so a stage whose results were copied is never queued.
      await reuseAnalysis(m, this.stages, { ...input, contentSha256: input.contentSha256 ?? null });
      return (await this.stages.promoteReady(m, input.jobId)).runnable;
    });
    jobsCreated.inc();
    const m0 = input.mediaInfo;
    await this.logger.write(
      input.jobId,
      'probe',
      1,
      'finish',
      `probed ${m0.formatName}: ${m0.durationSec.toFixed(1)} s, ${m0.video ? `video ${m0.video.codec} ${m0.video.displayWidth}x${m0.video.displayHeight}` : 'no video'}, ${m0.audio ? `audio ${m0.audio.codec}` : 'no audio'}`,
    );
    await this.scheduler.enqueueAll(runnables);
    const job = await this.ds.getRepository(JobEntity).findOneByOrFail({ id: input.jobId });
    this.emitter.emit('job.status', job.ownerKeyId, {
      jobId: job.id,
      status: job.status,
      error: null,
      ...(await readJobProgress(this.ds, job)),
      at: new Date().toISOString(),
    });
    return job;
  }

  /** Re-runs one stage and everything downstream, keeping upstream results. */
  async rerunStage(
    jobId: string,
    stage: WorkerStage,
    opts: { onlyFailedClips?: boolean } = {},
  ): Promise<void> {
    let owner: string | null = null;
    const runnables = await this.ds.transaction(async (m) => {
      const job = await this.lockJob(m, jobId);
      owner = job.ownerKeyId;
      // Every worker stage reads the source; checked under the job lock the sweeper also takes.
      const gone = sourceGoneMessage(job, stage);
      if (gone) throw new OrchestrationError(gone, 'gone');
      const rows = await m.find(JobStageEntity, { where: { jobId } });
      const by = new Map(rows.map((r) => [r.stage, r]));
      const missing = STAGE_DEPENDENCIES[stage].filter(
        (d) => !isStageDone(by.get(d)?.status ?? 'pending'),
      );
      if (missing.length)
        throw new OrchestrationError(
          `cannot re-run ${stage}: ${missing.join(', ')} not complete yet`,
        );
      await m.update(
        JobEntity,
        { id: job.id },
        // Running again makes new clips, so the deletion mark of the old ones no longer applies.
        { status: 'running', error: null, note: null, finishedAt: null, clipsDeletedAt: null },
      );
      await this.stages.reopenCancelled(m, jobId);
      await this.stages.reset(m, jobId, downstreamOf(stage));
      if (stage === 'rendering') {
        // Expired clips are gone too: all of them render again, not only the failed ones.
        await this.resetClips(m, job, (opts.onlyFailedClips ?? false) && !job.clipsDeletedAt);
      }
      await this.stages.reset(m, jobId, [stage]);
      return (await this.stages.promoteReady(m, jobId)).runnable;
    });
    await this.logger.write(
      jobId,
      stage,
      0,
      'note',
      `re-run requested for ${stage} and downstream`,
    );
    await this.scheduler.enqueueAll(runnables);
    const rerun = await this.ds.getRepository(JobEntity).findOneBy({ id: jobId });
    this.emitter.emit('job.status', owner, {
      jobId,
      status: 'running',
      error: null,
      ...(rerun ? await readJobProgress(this.ds, rerun) : { progress: 0, etaSeconds: null }),
      at: new Date().toISOString(),
    });
  }

  /** Re-runs every failed stage (for rendering, only the failed clips). */
  async retryJob(jobId: string): Promise<WorkerStage[]> {
    const rows = await this.stages.stagesOf(jobId);
    if (!rows.length) throw new OrchestrationError('job not found', 'not_found');
    const failedClips = await this.ds
      .getRepository(ClipEntity)
      .count({ where: { jobId, status: 'failed' } });
    const failed = rows
      .filter(
        (r) =>
          r.status === 'failed' ||
          r.status === 'cancelled' ||
          (r.stage === 'rendering' && failedClips > 0),
      )
      .map((r) => r.stage)
      .filter((s): s is WorkerStage => s !== 'probe');
    if (!failed.length) throw new OrchestrationError('nothing to retry: no stage has failed');
    // Only the first failed stage of each branch needs a re-run; downstream follows.
    const roots = failed.filter((s) => !failed.some((o) => o !== s && downstreamOf(o).includes(s)));
    for (const s of roots) await this.rerunStage(jobId, s, { onlyFailedClips: s === 'rendering' });
    return roots;
  }

  async cancelJob(jobId: string): Promise<void> {
    let owner: string | null = null;
    await this.ds.transaction(async (m) => {
      const job = await this.lockJob(m, jobId);
      owner = job.ownerKeyId;
      if (job.status === 'completed' || job.status === 'failed' || job.status === 'cancelled') {
        throw new OrchestrationError(`job is already ${job.status}`);
      }
      await m.update(
        JobEntity,
        { id: jobId },
        { status: 'cancelled', finishedAt: new Date(), error: 'cancelled by request' },
      );
      await this.stages.cancelOpen(m, jobId, null);
      await ClipRows.cancelOpen(m, jobId, null);
    });
    await this.logger.write(jobId, 'job', 0, 'note', 'cancelled by request');
    const cancelled = await this.ds.getRepository(JobEntity).findOneBy({ id: jobId });
    this.emitter.emit('job.status', owner, {
      jobId,
      status: 'cancelled',
      error: 'cancelled by request',
      ...(cancelled
        ? await readJobProgress(this.ds, cancelled)
        : { progress: 0, etaSeconds: null }),
      at: new Date().toISOString(),
    });
  }

  async deleteJob(jobId: string): Promise<void> {
    const job = await this.ds.getRepository(JobEntity).findOneBy({ id: jobId });
    if (!job) throw new OrchestrationError('job not found', 'not_found');
    // Rows first: a worker still running loses its lease (no row) and stops writing.
    await this.ds.getRepository(JobEntity).delete({ id: jobId });
    jobsDeleted.inc();
    await this.storage.deletePrefix(objectKeys.jobPrefix(jobId));
  }

  private async lockJob(m: EntityManager, jobId: string): Promise<JobEntity> {
    const job = await m
      .createQueryBuilder(JobEntity, 'j')
      .setLock('pessimistic_write')
      .where('j.id = :jobId', { jobId })
      .getOne();
    if (!job) throw new OrchestrationError('job not found', 'not_found');
    return job;
  }

  /**
   * Makes the clip rows match the selected segments × aspects, queued for
   * rendering. A row keeps pointing at its last published objects until a new
   * attempt publishes its own (keys are per attempt), which deletes the old ones.
   */
  private async resetClips(m: EntityManager, job: JobEntity, onlyFailed: boolean): Promise<void> {
    if (onlyFailed) {
      await ClipRows.requeueFailed(m, job.id);
      return;
    }
    const selected = await m.find(ContentSegmentEntity, {
      where: { jobId: job.id, selected: true },
    });
    const ids = selected.map((s) => s.id);
    await ClipRows.deleteUnselected(m, job.id, ids);
    await ClipRows.insertQueued(m, job.id, ids, job.options.aspects, 'requeue');
  }
}
