import { Process, Processor } from '@nestjs/bull';
import { Inject, Module, type DynamicModule, type Provider, type Type } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { APP_CONFIG, type AppConfig } from '@clipline/config';
import { QUEUE_NAMES, type WorkerStage } from '@clipline/contracts';
import { StorageService } from '@clipline/storage';
import type { Job } from 'bull';
import { ClipRows } from './state/clip-rows';
import { InfraBreaker } from './infra-breaker';
import { PartCoordinator } from './part-coordinator';
import { PartRows } from './state/part-rows';
import { PipelineModule } from './pipeline.module';
import { ProcessingLogger } from './processing-logger';
import { StageRunner } from './stage-runner';
import { StageScheduler } from './stage-scheduler';
import { StageRows } from './state/stage-rows';
import { WORKER_CONCURRENCY } from './worker-bootstrap';
import { WorkerHost, type AnyStageHandler } from './worker-host';

/** The Bull consumer of one stage's queue: every message goes to the worker's host. */
function queueConsumer(stage: WorkerStage): Type<unknown> {
  @Processor(QUEUE_NAMES[stage])
  class StageQueueConsumer {
    constructor(@Inject(WorkerHost) private readonly host: WorkerHost) {}

    @Process({ concurrency: WORKER_CONCURRENCY })
    handle(message: Job<unknown>) {
      return this.host.handle(stage, message);
    }
  }
  Object.defineProperty(StageQueueConsumer, 'name', { value: `${stage}QueueConsumer` });
  return StageQueueConsumer;
}

export interface WorkerModuleOptions {
  /** The stages whose queues this app consumes. */
  stages: readonly WorkerStage[];
  /** Handler classes (Nest providers); exactly one per served stage, checked at startup. */
  handlers: ReadonlyArray<Type<AnyStageHandler>>;
}

/**
 * A worker app: the pipeline, one queue consumer per served stage, the part
 * coordinator and the host that runs the handlers. Building the host checks
 * the handlers, so an app with a stage unhandled (or handled twice) fails to
 * start with the reason instead of leaving a queue unserved.
 */
@Module({})
export class WorkerModule {
  static forStages(opts: WorkerModuleOptions): DynamicModule {
    const providers: Provider[] = [
      ...opts.handlers,
      {
        provide: PartCoordinator,
        inject: [
          PartRows,
          StageScheduler,
          ProcessingLogger,
          getDataSourceToken(),
          StorageService,
          APP_CONFIG,
          InfraBreaker,
        ],
        useFactory: (...a: ConstructorParameters<typeof PartCoordinator>) =>
          new PartCoordinator(...a),
      },
      {
        provide: WorkerHost,
        inject: [
          StageRunner,
          StageRows,
          ClipRows,
          StorageService,
          APP_CONFIG,
          PartCoordinator,
          ...opts.handlers,
        ],
        useFactory: (
          runner: StageRunner,
          stages: StageRows,
          clips: ClipRows,
          storage: StorageService,
          cfg: AppConfig,
          parts: PartCoordinator,
          ...handlers: AnyStageHandler[]
        ) => new WorkerHost({ runner, stages, clips, storage, cfg, parts }, opts.stages, handlers),
      },
      ...opts.stages.map(queueConsumer),
    ];
    return { module: WorkerModule, imports: [PipelineModule.forRoot()], providers };
  }
}
