import { Inject } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@clipline/config';
import {
  BadInputError,
  isPermanentError,
  isInfrastructureError,
  type StageHooks,
  type StageJobPayload,
} from '@clipline/contracts';
import { JobEntity, type StagePartEntity } from '@clipline/database';
import { StorageService } from '@clipline/storage';
import type { Job } from 'bull';
import { DataSource } from 'typeorm';
import { stageLease, type StageResult } from './leases';
import { partsProgress, splitRanges, type PartRange } from './part-ranges';
import { retryThroughOutage } from './infra-retry';
import { ProcessingLogger } from './processing-logger';
import { StageRunner, type RunContext, type RunOutcome } from './stage-runner';
import { StageScheduler } from './stage-scheduler';
import { PartRows } from './state/part-rows';
import { StageRows } from './state/stage-rows';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** How often a coordinator busy with its own part reads the other parts' progress. */
const PART_WATCH_MS = 1000;

/**
 * Shared shape of the four single-job stage processors: take the lease, give
 * the engine a presigned source URL, save what it returns. Stages that can be
 * split by time range (transcription, layout) also run parts here.
 */
export abstract class StageProcessorBase {
  @Inject(StageRunner) protected readonly runner: StageRunner;
  @Inject(StorageService) protected readonly storage: StorageService;
  @Inject(APP_CONFIG) protected readonly cfg: AppConfig;
  @Inject(PartRows) protected readonly parts: PartRows;
  @Inject(StageScheduler) protected readonly scheduler: StageScheduler;
  @Inject(ProcessingLogger) protected readonly logger: ProcessingLogger;
  @Inject(DataSource) protected readonly ds: DataSource;
  @Inject(StageRows) protected readonly store: StageRows;

  protected abstract work(ctx: RunContext, sourceUrl: string): Promise<StageResult>;

  /** The work of one part, for stages that split; runs on whichever worker claims the part. */
  protected partWork(
    _job: JobEntity,
    _range: PartRange,
    _sourceUrl: string,
    _hooks: StageHooks,
  ): Promise<unknown> {
    return Promise.reject(new Error(`${this.constructor.name} does not split into parts`));
  }

  /** Time ranges to split a source into, or null when it is short enough to run whole. */
  protected partRanges(durationSec: number): PartRange[] | null {
    if (durationSec < this.cfg.STAGE_PART_SECONDS * 1.5) return null;
    return splitRanges(durationSec, this.cfg.STAGE_PART_SECONDS);
  }

  /** Bull entry point: a whole stage, or one part of a split stage. */
  protected async runStage(job: Job<StageJobPayload>): Promise<RunOutcome | 'part'> {
    const { jobId, stage, partId } = job.data;
    if (partId) {
      await this.runClaimedPart(partId);
      return 'part';
    }
    return this.runner.run(stageLease(this.store, this.cfg, jobId, stage), async (ctx) =>
      this.work(ctx, await this.storage.presignGet(ctx.job.sourceKey)),
    );
  }

  /**
   * Splits the stage into time ranges that any worker of this stage may take.
   * This process works through parts too, so one worker alone still finishes;
   * each added worker takes parts off its hands. Returns results in order.
   */
  protected async runParts<T>(
    ctx: RunContext,
    sourceUrl: string,
    ranges: PartRange[],
  ): Promise<T[]> {
    const { job, attempt } = ctx;
    const stage = this.stage;
    const planned = await this.parts.plan(job.id, stage, attempt, ranges);
    ctx.hooks.onLog(
      `${stage} split into ${planned.length} parts of about ${Math.round(ranges[0].end - ranges[0].start)} s`,
    );
    for (const p of planned) {
      await this.scheduler.enqueue({
        kind: 'part',
        jobId: job.id,
        stage,
        partId: p.id,
        attempt: p.attempt,
      });
    }
    // This process's own parts report here at once; others' arrive through their rows.
    const local = new Map<string, number>();
    for (;;) {
      if (ctx.hooks.signal.aborted) throw new Error('stage aborted');
      const all = await this.parts.list(job.id, stage, attempt);
      const failed = all.find((p) => p.status === 'failed');
      if (failed) {
        const why = `part ${failed.index} failed: ${failed.error ?? 'unknown error'}`;
        // Below the attempt limit a part fails only for bad input; at the limit, let the stage retry.
        throw failed.attempt < this.cfg.STAGE_MAX_ATTEMPTS
          ? new BadInputError(why)
          : new Error(why);
      }
      const done = all.filter((p) => p.status === 'completed').length;
      ctx.hooks.onProgress(partsProgress(all, local));
      if (done === all.length) return all.map((p) => p.result as T);
      const mine = await this.parts.claimNext(job.id, stage, attempt, this.cfg.STALL_SECONDS);
      if (mine) {
        // While this process runs a part, the others' parts keep moving the stage too.
        const watch = setInterval(() => {
          void this.parts.list(job.id, stage, attempt).then(
            (rows) => ctx.hooks.onProgress(partsProgress(rows, local)),
            () => undefined,
          );
        }, PART_WATCH_MS);
        // A transient failure re-queued the part; the loop takes it again (up to STAGE_MAX_ATTEMPTS).
        await this.executePart(job, mine, sourceUrl, ctx.hooks.signal, (f) => {
          local.set(mine.id, f);
          ctx.hooks.onProgress(partsProgress(all, local));
        })
          .finally(() => clearInterval(watch))
          .catch(async (err: unknown) => {
            if (isPermanentError(err) || ctx.hooks.signal.aborted) throw err;
            // The part is queued again; wait out the outage (within the stage's budget) before retaking it.
            if (isInfrastructureError(err)) await ctx.awaitInfrastructure(err);
          });
        continue;
      }
      await sleep(500);
    }
  }

  private async runClaimedPart(partId: string): Promise<void> {
    const part = await this.parts.claim(partId, this.cfg.STALL_SECONDS);
    if (!part) return; // done already, or taken by the coordinator
    const job = await this.ds.getRepository(JobEntity).findOneBy({ id: part.jobId });
    if (!job) return;
    await this.executePart(job, part, await this.storage.presignGet(job.sourceKey)).catch(
      (err: unknown) => {
        if (isInfrastructureError(err)) this.runner.breaker?.recordFailure(this.stage, err);
      },
    );
  }

  /** Runs one claimed part with its own heartbeat; a failure re-queues it (or fails it, for bad input). */
  private async executePart(
    job: JobEntity,
    part: StagePartEntity,
    sourceUrl: string,
    outer?: AbortSignal,
    onProgress?: (fraction: number) => void,
  ): Promise<void> {
    const stage = this.stage;
    const abort = new AbortController();
    const onOuter = () => abort.abort();
    outer?.addEventListener('abort', onOuter, { once: true });
    let fraction = 0;
    const beat = setInterval(() => {
      void this.parts.heartbeat(part.id, part.attempt, fraction).then(
        (alive) => alive || abort.abort(),
        () => undefined,
      );
    }, this.cfg.HEARTBEAT_SECONDS * 1000);
    const started = Date.now();
    const label = `${stage} part ${part.index} [${part.start.toFixed(1)}-${part.end.toFixed(1)} s]`;
    try {
      const result = await this.partWork(job, { start: part.start, end: part.end }, sourceUrl, {
        signal: abort.signal,
        onProgress: (f) => {
          fraction = Math.max(fraction, Math.min(1, f));
          onProgress?.(fraction);
        },
        onCommand: (cmd) => void this.logger.command(job.id, stage, part.stageAttempt, label, cmd),
        onLog: (msg) =>
          void this.logger.write(job.id, stage, part.stageAttempt, 'note', `${label}: ${msg}`),
      });
      await retryThroughOutage(
        () => this.parts.complete(part.id, part.attempt, result),
        this.cfg.INFRA_RETRY_BUDGET_SECONDS * 1000,
      );
      await this.logger.write(job.id, stage, part.stageAttempt, 'note', `${label} done`, {
        durationMs: Date.now() - started,
      });
    } catch (err) {
      // An outage is not the part's fault: it is queued again whatever its attempt.
      const permanent =
        isPermanentError(err) ||
        (!isInfrastructureError(err) && part.attempt >= this.cfg.STAGE_MAX_ATTEMPTS);
      await retryThroughOutage(
        () => this.parts.fail(part.id, part.attempt, (err as Error).message, permanent),
        this.cfg.INFRA_RETRY_BUDGET_SECONDS * 1000,
      );
      await this.logger.write(
        job.id,
        stage,
        part.stageAttempt,
        permanent ? 'fail' : 'retry',
        `${label} failed: ${(err as Error).message}`,
      );
      throw err;
    } finally {
      clearInterval(beat);
      outer?.removeEventListener('abort', onOuter);
    }
  }

  protected abstract readonly stage: StageJobPayload['stage'];
}
