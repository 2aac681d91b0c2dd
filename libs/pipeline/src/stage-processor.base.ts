import { Inject } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@clipline/config';
import type { StageJobPayload } from '@clipline/contracts';
import { StorageService } from '@clipline/storage';
import type { Job } from 'bull';
import { stageLease, type StageResult } from './leases';
import { StageRunner, type RunContext, type RunOutcome } from './stage-runner';
import { StageStore } from './stage-store';

/**
 * Shared shape of the four single-job stage processors: take the lease, give
 * the engine a presigned source URL, save what it returns.
 */
export abstract class StageProcessorBase {
  @Inject(StageRunner) protected readonly runner: StageRunner;
  @Inject(StageStore) protected readonly store: StageStore;
  @Inject(StorageService) protected readonly storage: StorageService;
  @Inject(APP_CONFIG) protected readonly cfg: AppConfig;

  protected abstract work(ctx: RunContext, sourceUrl: string): Promise<StageResult>;

  protected async runStage(job: Job<StageJobPayload>): Promise<RunOutcome> {
    const { jobId, stage } = job.data;
    return this.runner.run(stageLease(this.store, this.cfg, jobId, stage), async (ctx) =>
      this.work(ctx, await this.storage.presignGet(ctx.job.sourceKey)),
    );
  }
}
