import { loadConfig, type AppConfig } from '@clipline/config';
import {
  DEFAULT_JOB_OPTIONS,
  QUEUE_NAMES,
  WORKER_STAGES,
  type JobOptions,
  type MediaInfo,
  type WorkerStage,
} from '@clipline/contracts';
import {
  ClipEntity,
  ContentSegmentEntity,
  JobStageEntity,
  createDataSource,
} from '@clipline/database';
import {
  ClipRows,
  JobOrchestrator,
  ProcessingLogger,
  ProgressEmitter,
  StageScheduler,
  StageRows,
  redisOptionsFromUrl,
} from '@clipline/pipeline';
import { storageFromConfig, type StorageService } from '@clipline/storage';
import Queue from 'bull';
import { randomUUID } from 'node:crypto';
import { extname } from 'node:path';
import type { DataSource } from 'typeorm';

/** The stores, queues and orchestrator of one process, wired against the test database. */
export interface PipelineHarness {
  cfg: AppConfig;
  ds: DataSource;
  queues: Record<WorkerStage, Queue.Queue>;
  logger: ProcessingLogger;
  emitter: ProgressEmitter;
  stages: StageRows;
  clips: ClipRows;
  scheduler: StageScheduler;
  storage: StorageService;
  orchestrator: JobOrchestrator;
  /** Empties and closes the queues, then closes the emitter and the database. */
  close(): Promise<void>;
}

export interface PipelineHarnessOptions {
  /** Bull prefix of the queues: each suite takes its own so no other run consumes its jobs. */
  queuePrefix: string;
  /**
   * Paused queues keep their jobs waiting so the test can inspect them; a suite
   * with a real worker process behind the queues leaves them running.
   */
  paused?: boolean;
  /** Prefix of the progress emitter's socket.io channel; the run's own by default. */
  emitterPrefix?: string;
  cfg?: AppConfig;
}

export async function startPipelineHarness(opts: PipelineHarnessOptions): Promise<PipelineHarness> {
  const cfg = opts.cfg ?? loadConfig();
  const ds = createDataSource(cfg.DATABASE_URL);
  await ds.initialize();
  const queues = {} as Record<WorkerStage, Queue.Queue>;
  for (const s of WORKER_STAGES) {
    queues[s] = new Queue(QUEUE_NAMES[s], {
      redis: redisOptionsFromUrl(cfg.REDIS_URL),
      prefix: opts.queuePrefix,
    });
    if (opts.paused ?? true) await queues[s].pause(true);
  }
  const logger = new ProcessingLogger(ds);
  const emitter = new ProgressEmitter(cfg.REDIS_URL, opts.emitterPrefix ?? cfg.QUEUE_PREFIX);
  const stages = new StageRows(ds);
  const clips = new ClipRows(ds, stages);
  const scheduler = new StageScheduler(queues);
  const storage = storageFromConfig(cfg);
  await storage.ensureBucket();
  const orchestrator = new JobOrchestrator(ds, stages, scheduler, logger, emitter, storage);
  return {
    cfg,
    ds,
    queues,
    logger,
    emitter,
    stages,
    clips,
    scheduler,
    storage,
    orchestrator,
    async close() {
      for (const q of Object.values(queues)) {
        await q.obliterate({ force: true }).catch(() => undefined);
        await q.close();
      }
      await emitter.close();
      await ds.destroy();
    },
  };
}

export interface TestJobInput {
  mediaInfo: MediaInfo;
  /** Given when the source must be uploaded under the job's key before the job exists. */
  jobId?: string;
  /** `jobs/<jobId>/source.<ext of filename>` unless given. */
  sourceKey?: string;
  filename?: string;
  options?: JobOptions;
}

/** Creates a job as the API would after probing, owned by nobody; returns its id. */
export async function createTestJob(
  orchestrator: JobOrchestrator,
  input: TestJobInput,
): Promise<string> {
  const jobId = input.jobId ?? randomUUID();
  const filename = input.filename ?? 'talk.mp4';
  await orchestrator.createJob({
    jobId,
    ownerKeyId: null,
    sourceKey: input.sourceKey ?? `jobs/${jobId}/source${extname(filename)}`,
    sourceFilename: filename,
    sourceSizeBytes: 1000,
    mediaInfo: input.mediaInfo,
    options: input.options ?? DEFAULT_JOB_OPTIONS,
  });
  return jobId;
}

/** Completes transcription, silence and layout with no output, as if their workers had run. */
export async function completeParallelStages(stages: StageRows, jobId: string): Promise<void> {
  const noop = async () => undefined;
  for (const s of ['transcription', 'silence', 'layout'] as const)
    await stages.complete(jobId, s, (await stages.claim(jobId, s, 'w', 30))!, noop, {});
}

/** A selected segment row as segmenting writes it, with placeholder score and text. */
export function selectedSegment(
  jobId: string,
  rank: number,
  range: { start: number; end: number },
): Partial<ContentSegmentEntity> {
  return {
    jobId,
    rank,
    start: range.start,
    end: range.end,
    score: 50,
    features: {} as never,
    reason: 'r',
    text: 't',
    selected: true,
    attempt: 1,
  };
}

/**
 * Completes the three parallel stages with no output and segmenting with one
 * selected segment over `range` and its 9:16 clip, the way the workers would;
 * rendering is then queued with that clip. Returns the clip's id.
 */
export async function fanOutOneClip(
  stages: StageRows,
  jobId: string,
  range: { start: number; end: number },
): Promise<string> {
  await completeParallelStages(stages, jobId);
  const seg = (await stages.claim(jobId, 'segmenting', 'w', 30))!;
  const { runnable: fanout } = await stages.complete(
    jobId,
    'segmenting',
    seg,
    async (m) => {
      const ins = await m.insert(ContentSegmentEntity, selectedSegment(jobId, 1, range));
      await m.insert(ClipEntity, {
        jobId,
        segmentId: ins.identifiers[0].id as string,
        aspect: '9:16',
        status: 'queued',
      });
    },
    {},
  );
  return (fanout[0] as { clipId: string }).clipId;
}

/**
 * Polls a stage row until `done` holds; past the timeout throws with what
 * `describe` says about the row (its status by default).
 */
export async function waitForStage(
  ds: DataSource,
  jobId: string,
  stage: WorkerStage,
  done: (row: JobStageEntity) => boolean,
  opts: { timeoutMs: number; describe?: (row: JobStageEntity) => string },
): Promise<JobStageEntity> {
  const t0 = Date.now();
  for (;;) {
    const row = await ds.getRepository(JobStageEntity).findOneByOrFail({ jobId, stage });
    if (done(row)) return row;
    if (Date.now() - t0 > opts.timeoutMs)
      throw new Error(opts.describe?.(row) ?? `${stage} still ${row.status}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
