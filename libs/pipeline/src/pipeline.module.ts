import { BullModule, getQueueToken } from '@nestjs/bull';
import {
  Logger,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
  Inject,
  Injectable,
} from '@nestjs/common';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import { APP_CONFIG, ConfigModule, type AppConfig } from '@clipline/config';
import { QUEUE_NAMES, WORKER_STAGES, type WorkerStage } from '@clipline/contracts';
import { dataSourceOptions } from '@clipline/database';
import { StorageService, storageFromConfig } from '@clipline/storage';
import type { Queue } from 'bull';
import type { DataSource } from 'typeorm';
import { JobOrchestrator } from './job-orchestrator';
import { ProcessingLogger } from './processing-logger';
import { ProgressEmitter } from './progress-emitter';
import { Reconciler } from './reconciler';
import { InfraBreaker } from './infra-breaker';
import { redisOptionsFromUrl, watchQueue } from './redis-options';
import { StageRunner } from './stage-runner';
import { StageScheduler } from './stage-scheduler';
import { ClipRows } from './state/clip-rows';
import { PartRows } from './state/part-rows';
import { StageRows } from './state/stage-rows';
import { WorkerRegistry } from './worker-registry';

@Injectable()
class PipelineShutdown implements OnApplicationShutdown {
  constructor(
    @Inject(ProgressEmitter) private readonly emitter: ProgressEmitter,
    @Inject(Reconciler) private readonly reconciler: Reconciler,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    this.reconciler.stop();
    await this.emitter.close();
  }
}

const DS = getDataSourceToken();

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
 * Everything an app needs to take part in the pipeline: config, Postgres,
 * the Bull queues, S3, the stage state machine and the progress emitter.
 */
@Module({})
export class PipelineModule {
  static forRoot(): DynamicModule {
    const queueTokens = WORKER_STAGES.map((s) => getQueueToken(QUEUE_NAMES[s]));
    return {
      module: PipelineModule,
      global: true,
      imports: [
        ConfigModule,
        TypeOrmModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: (cfg: AppConfig) => dataSourceOptions(cfg.DATABASE_URL, cfg.DB_POOL_MAX),
        }),
        BullModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: (cfg: AppConfig) => ({
            redis: redisOptionsFromUrl(cfg.REDIS_URL),
            prefix: cfg.QUEUE_PREFIX,
          }),
        }),
        BullModule.registerQueue(...WORKER_STAGES.map((s) => ({ name: QUEUE_NAMES[s] }))),
      ],
      providers: [
        {
          provide: StorageService,
          inject: [APP_CONFIG],
          useFactory: (cfg: AppConfig) => storageFromConfig(cfg),
        },
        {
          provide: ProcessingLogger,
          inject: [DS],
          useFactory: (ds: DataSource) => new ProcessingLogger(ds),
        },
        {
          provide: ProgressEmitter,
          inject: [APP_CONFIG],
          useFactory: (cfg: AppConfig) => new ProgressEmitter(cfg.REDIS_URL, cfg.QUEUE_PREFIX),
        },
        { provide: StageRows, inject: [DS], useFactory: (ds: DataSource) => new StageRows(ds) },
        {
          provide: PartRows,
          inject: [DS, APP_CONFIG],
          useFactory: (ds: DataSource, cfg: AppConfig) => new PartRows(ds, cfg.STAGE_MAX_ATTEMPTS),
        },
        {
          provide: ClipRows,
          inject: [DS, StageRows],
          useFactory: (ds: DataSource, s: StageRows) => new ClipRows(ds, s),
        },
        {
          provide: StageScheduler,
          inject: [APP_CONFIG, ...queueTokens],
          useFactory: (cfg: AppConfig, ...queues: Queue[]) => {
            queues.forEach((q) => watchQueue(q));
            return new StageScheduler(
              Object.fromEntries(WORKER_STAGES.map((s, i) => [s, queues[i]])) as Record<
                WorkerStage,
                Queue
              >,
              { completed: cfg.QUEUE_KEEP_COMPLETED, failed: cfg.QUEUE_KEEP_FAILED },
            );
          },
        },
        {
          provide: InfraBreaker,
          inject: [APP_CONFIG, DS, StorageService, StageScheduler],
          useFactory: (cfg: AppConfig, ds: DataSource, s3: StorageService, sch: StageScheduler) =>
            infraBreaker(cfg, ds, s3, sch),
        },
        {
          provide: JobOrchestrator,
          inject: [
            DS,
            StageRows,
            StageScheduler,
            ProcessingLogger,
            ProgressEmitter,
            StorageService,
          ],
          useFactory: (...a: ConstructorParameters<typeof JobOrchestrator>) =>
            new JobOrchestrator(...a),
        },
        {
          provide: Reconciler,
          inject: [DS, StageScheduler, ProcessingLogger, APP_CONFIG],
          useFactory: (
            ds: DataSource,
            sch: StageScheduler,
            log: ProcessingLogger,
            cfg: AppConfig,
          ) =>
            new Reconciler(ds, sch, log, {
              intervalSeconds: cfg.RECONCILE_INTERVAL_SECONDS,
              stallSeconds: cfg.STALL_SECONDS,
              maxAttempts: cfg.STAGE_MAX_ATTEMPTS,
            }),
        },
        {
          provide: StageRunner,
          inject: [DS, StageScheduler, ProcessingLogger, ProgressEmitter, APP_CONFIG, InfraBreaker],
          useFactory: (...a: ConstructorParameters<typeof StageRunner>) => new StageRunner(...a),
        },
        PipelineShutdown,
        WorkerRegistry,
      ],
      exports: [
        ConfigModule,
        TypeOrmModule,
        BullModule,
        StorageService,
        ProcessingLogger,
        ProgressEmitter,
        StageRows,
        ClipRows,
        PartRows,
        StageScheduler,
        JobOrchestrator,
        Reconciler,
        StageRunner,
        InfraBreaker,
        WorkerRegistry,
      ],
    };
  }
}
