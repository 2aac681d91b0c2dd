import { BullModule, getQueueToken } from '@nestjs/bull';
import {
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
import { InfraBreaker } from './infra-breaker';
import { JobOrchestrator } from './job-orchestrator';
import { createPipeline, type Pipeline } from './pipeline.factory';
import { ProcessingLogger } from './processing-logger';
import { ProgressEmitter } from './progress-emitter';
import { Reconciler } from './reconciler';
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
/** The services createPipeline built; each class token below is one of them. */
const PIPELINE = Symbol('Pipeline');

/** A provider of one service of the pipeline, under its class. */
const member = <K extends keyof Pipeline>(
  provide: abstract new (...args: never[]) => NonNullable<Pipeline[K]>,
  key: K,
) => ({ provide, inject: [PIPELINE], useFactory: (p: Pipeline) => p[key] });

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
          provide: PIPELINE,
          inject: [DS, APP_CONFIG, StorageService, ...queueTokens],
          useFactory: (
            ds: DataSource,
            cfg: AppConfig,
            storage: StorageService,
            ...queues: Queue[]
          ): Pipeline => {
            queues.forEach((q) => watchQueue(q));
            return createPipeline({
              ds,
              cfg,
              storage,
              queues: Object.fromEntries(WORKER_STAGES.map((s, i) => [s, queues[i]])) as Record<
                WorkerStage,
                Queue
              >,
            });
          },
        },
        member(ProcessingLogger, 'logger'),
        member(ProgressEmitter, 'emitter'),
        member(StageRows, 'stages'),
        member(PartRows, 'parts'),
        member(ClipRows, 'clips'),
        member(StageScheduler, 'scheduler'),
        member(InfraBreaker, 'breaker'),
        member(JobOrchestrator, 'orchestrator'),
        member(Reconciler, 'reconciler'),
        member(StageRunner, 'runner'),
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
