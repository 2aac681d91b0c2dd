import { loadConfig, type AppConfig } from '@clipline/config';
import { QUEUE_NAMES, WORKER_STAGES, type WorkerStage } from '@clipline/contracts';
import { JobStageEntity, createDataSource } from '@clipline/database';
import {
  createPipeline,
  redisOptionsFromUrl,
  type Pipeline,
  type PipelineDeps,
} from '@clipline/pipeline';
import { storageFromConfig, type StorageService } from '@clipline/storage';
import Queue from 'bull';
import type { DataSource } from 'typeorm';

/** The pipeline's services of one process, built as the apps build them, against the test database. */
export interface PipelineHarness extends Pipeline {
  cfg: AppConfig;
  ds: DataSource;
  queues: Record<WorkerStage, Queue.Queue>;
  storage: StorageService;
  /**
   * The same services over another connection or with other settings (e.g. a
   * runner with a short heartbeat), sharing this harness's queues, S3 and
   * progress emitter.
   */
  with(over: Partial<PipelineDeps>): Pipeline;
  /** Empties and closes the queues, then closes the emitter and the database it opened. */
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
  /** The run's settings by default; their QUEUE_PREFIX names the progress emitter's channel. */
  cfg?: AppConfig;
  /** A connection the caller owns (e.g. an in-process API's); otherwise the harness opens its own. */
  ds?: DataSource;
  /** The caller's S3 client; otherwise one from `cfg`. */
  storage?: StorageService;
}

export async function startPipelineHarness(opts: PipelineHarnessOptions): Promise<PipelineHarness> {
  const cfg = opts.cfg ?? loadConfig();
  const ds = opts.ds ?? createDataSource(cfg.DATABASE_URL);
  if (!ds.isInitialized) await ds.initialize();
  const queues = {} as Record<WorkerStage, Queue.Queue>;
  for (const s of WORKER_STAGES) {
    queues[s] = new Queue(QUEUE_NAMES[s], {
      redis: redisOptionsFromUrl(cfg.REDIS_URL),
      prefix: opts.queuePrefix,
    });
    if (opts.paused ?? true) await queues[s].pause(true);
  }
  const storage = opts.storage ?? storageFromConfig(cfg);
  await storage.ensureBucket();
  // Tests never had the breaker: an outage a test injects is for the runner's own retries.
  const base: PipelineDeps = { ds, cfg, queues, storage, breaker: false };
  const pipeline = createPipeline(base);
  return {
    ...pipeline,
    cfg,
    ds,
    queues,
    storage,
    with: (over) => createPipeline({ ...base, emitter: pipeline.emitter, ...over }),
    async close() {
      for (const q of Object.values(queues)) {
        await q.obliterate({ force: true }).catch(() => undefined);
        await q.close();
      }
      await pipeline.emitter.close();
      if (!opts.ds) await ds.destroy();
    },
  };
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
