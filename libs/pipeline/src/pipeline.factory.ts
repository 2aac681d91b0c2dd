import { Logger } from '@nestjs/common';
import type { AppConfig } from '@clipline/config';
import { WORKER_STAGES, type WorkerStage } from '@clipline/contracts';
import type { StorageService } from '@clipline/storage';
import type { Queue } from 'bull';
import type { DataSource } from 'typeorm';
import { InfraBreaker } from './infra-breaker';
import { JobOrchestrator } from './job-orchestrator';
import { ProcessingLogger } from './processing-logger';
import { ProgressEmitter } from './progress-emitter';
import { Reconciler } from './reconciler';
import { StageRunner } from './stage-runner';
import { StageScheduler } from './stage-scheduler';
import { ClipRows } from './state/clip-rows';
import { PartRows } from './state/part-rows';
import { StageRows } from './state/stage-rows';

/** What the pipeline's services are built from: one process's connections and settings. */
export interface PipelineDeps {
  ds: DataSource;
  cfg: AppConfig;
  /** One Bull queue per worker stage. */
  queues: Record<WorkerStage, Queue>;
  storage: StorageService;
  /**
   * Shared when given, so a second set of services over another connection
   * (or other settings) publishes on the same Redis connection; otherwise one
   * is opened from `cfg` and belongs to this set.
   */
  emitter?: ProgressEmitter;
  /**
   * The runner pauses this process's consumers while S3 or Postgres is down
   * (on by default, as in every app). A test driving a runner directly turns
   * it off, so an outage it injects is seen by that runner's retries alone.
   */
  breaker?: boolean;
  /** How long a queued row waits before the reconciler re-adds its Bull job; 2 s by default. */
  reconcileGraceSeconds?: number;
}

/** The pipeline's services, wired to each other. */
export interface Pipeline {
  logger: ProcessingLogger;
  emitter: ProgressEmitter;
  stages: StageRows;
  parts: PartRows;
  clips: ClipRows;
  scheduler: StageScheduler;
  breaker?: InfraBreaker;
  orchestrator: JobOrchestrator;
  reconciler: Reconciler;
  runner: StageRunner;
}

/** Probes S3 and Postgres; pauses only this process's consumer of a queue (other workers go on). */
export function infraBreaker(
  cfg: AppConfig,
  ds: DataSource,
  s3: StorageService,
  scheduler: StageScheduler,
): InfraBreaker {
  const queueOf = (stage: string) =>
    (WORKER_STAGES as readonly string[]).includes(stage)
      ? scheduler.queue(stage as WorkerStage)
      : null;
  return new InfraBreaker({
    threshold: cfg.INFRA_BREAKER_THRESHOLD,
    probeMaxMs: cfg.INFRA_PROBE_MAX_SECONDS * 1000,
    probes: [
      { name: 'S3', check: () => s3.ping() },
      { name: 'Postgres', check: () => ds.query('SELECT 1') },
    ],
    // Not awaited by the caller: a local pause waits for active jobs, and the caller is one.
    pause: async (stage) => void (await queueOf(stage)?.pause(true)),
    resume: async (stage) => void (await queueOf(stage)?.resume(true)),
    log: new Logger('InfraBreaker'),
  });
}

/**
 * The one place that constructs the pipeline's services: `PipelineModule`
 * provides what this returns, and tests call it with their own connections,
 * so a test runs the same wiring as the apps.
 */
export function createPipeline(deps: PipelineDeps): Pipeline {
  const { ds, cfg, storage } = deps;
  const logger = new ProcessingLogger(ds);
  const emitter = deps.emitter ?? new ProgressEmitter(cfg.REDIS_URL, cfg.QUEUE_PREFIX);
  const stages = new StageRows(ds);
  const parts = new PartRows(ds, cfg.STAGE_MAX_ATTEMPTS);
  const clips = new ClipRows(ds, stages);
  const scheduler = new StageScheduler(deps.queues, {
    completed: cfg.QUEUE_KEEP_COMPLETED,
    failed: cfg.QUEUE_KEEP_FAILED,
  });
  const breaker = (deps.breaker ?? true) ? infraBreaker(cfg, ds, storage, scheduler) : undefined;
  return {
    logger,
    emitter,
    stages,
    parts,
    clips,
    scheduler,
    breaker,
    orchestrator: new JobOrchestrator(ds, stages, scheduler, logger, emitter, storage),
    reconciler: new Reconciler(
      ds,
      scheduler,
      { stages, clips, parts },
      {
        intervalSeconds: cfg.RECONCILE_INTERVAL_SECONDS,
        stallSeconds: cfg.STALL_SECONDS,
        graceSeconds: deps.reconcileGraceSeconds,
        maxAttempts: cfg.STAGE_MAX_ATTEMPTS,
      },
    ),
    runner: new StageRunner(ds, scheduler, logger, emitter, cfg, breaker),
  };
}
