import type { AppConfig } from '@clipline/config';
import {
  errorKind,
  errorOfKind,
  isInfrastructureError,
  isPermanentError,
  type WorkerStage,
} from '@clipline/contracts';
import { JobEntity, type StagePartEntity } from '@clipline/database';
import type { StorageService } from '@clipline/storage';
import type { DataSource } from 'typeorm';
import type { InfraBreaker } from './infra-breaker';
import { retryThroughOutage } from './infra-retry';
import { partsProgress, splitRanges, type PartRange } from './part-ranges';
import type { PartRows } from './state/part-rows';
import type { ProcessingLogger } from './processing-logger';
import type { StageSplit } from './stage-handler';
import type { RunContext } from './stage-runner';
import type { StageScheduler } from './stage-scheduler';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** How often a coordinator busy with its own part reads the other parts' progress. */
const PART_WATCH_MS = 1000;

type SplitStage = Exclude<WorkerStage, 'rendering'>;

/** A handler whose stage can be cut into parts. */
export interface SplitHandler<P, M> {
  readonly stage: SplitStage;
  readonly split?: StageSplit<P, M>;
}

/**
 * Runs a split stage across every worker of that stage. The worker holding the
 * stage plans the parts, announces them on the stage's queue and works through
 * them itself too, so one worker alone still finishes and each added worker
 * takes parts off its hands. A part's failure is stored with its class, so the
 * stage fails or retries for the reason the part had, whoever ran it.
 */
export class PartCoordinator {
  constructor(
    private readonly parts: PartRows,
    private readonly scheduler: StageScheduler,
    private readonly logger: ProcessingLogger,
    private readonly ds: DataSource,
    private readonly storage: StorageService,
    private readonly cfg: AppConfig,
    private readonly breaker?: InfraBreaker,
  ) {}

  /** Time ranges to cut a source into, or null when it is short enough to run whole. */
  ranges(durationSec: number): PartRange[] | null {
    if (durationSec < this.cfg.STAGE_PART_SECONDS * 1.5) return null;
    return splitRanges(durationSec, this.cfg.STAGE_PART_SECONDS);
  }

  /** Runs the stage held in `ctx` as parts over `ranges`; returns the parts merged in order. */
  async run<P, M>(
    ctx: RunContext,
    handler: SplitHandler<P, M>,
    sourceUrl: string,
    ranges: PartRange[],
  ): Promise<M> {
    const { job, attempt } = ctx;
    const { stage } = handler;
    const split = splitOf(handler);
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
      if (failed)
        throw errorOfKind(
          failed.errorKind,
          `part ${failed.index} failed: ${failed.error ?? 'unknown error'}`,
        );
      const done = all.filter((p) => p.status === 'completed').length;
      ctx.hooks.onProgress(partsProgress(all, local));
      if (done === all.length)
        return split.merge(
          all.map((p) => p.result as P),
          job,
        );
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
        await this.execute(handler, job, mine, sourceUrl, ctx.hooks.signal, (f) => {
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

  /** A part message: runs that part if it is still to be done (any worker of the stage may). */
  async runClaimed<P, M>(handler: SplitHandler<P, M>, partId: string): Promise<void> {
    const part = await this.parts.claim(partId, this.cfg.STALL_SECONDS);
    if (!part) return; // done already, or taken by the coordinator
    const job = await this.ds.getRepository(JobEntity).findOneBy({ id: part.jobId });
    if (!job) return;
    await this.execute(handler, job, part, await this.storage.presignGet(job.sourceKey)).catch(
      (err: unknown) => {
        if (isInfrastructureError(err)) this.breaker?.recordFailure(handler.stage, err);
      },
    );
  }

  /** Runs one claimed part with its own heartbeat; a failure re-queues it (or fails it, for bad input). */
  private async execute<P, M>(
    handler: SplitHandler<P, M>,
    job: JobEntity,
    part: StagePartEntity,
    sourceUrl: string,
    outer?: AbortSignal,
    onProgress?: (fraction: number) => void,
  ): Promise<void> {
    const { stage } = handler;
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
      const result = await splitOf(handler).runPart(
        job,
        { start: part.start, end: part.end },
        sourceUrl,
        {
          signal: abort.signal,
          onProgress: (f) => {
            fraction = Math.max(fraction, Math.min(1, f));
            onProgress?.(fraction);
          },
          onCommand: (cmd) =>
            void this.logger.command(job.id, stage, part.stageAttempt, label, cmd),
          onLog: (msg) =>
            void this.logger.write(job.id, stage, part.stageAttempt, 'note', `${label}: ${msg}`),
        },
      );
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
        () =>
          this.parts.fail(part.id, part.attempt, (err as Error).message, permanent, errorKind(err)),
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
}

function splitOf<P, M>(handler: SplitHandler<P, M>): StageSplit<P, M> {
  if (!handler.split) throw new Error(`${handler.stage} does not split into parts`);
  return handler.split;
}
