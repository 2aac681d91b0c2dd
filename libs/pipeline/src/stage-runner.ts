import {
  errorKind,
  isPermanentError,
  isInfrastructureError,
  type StageHooks,
  type StageName,
} from '@clipline/contracts';
import { JobEntity } from '@clipline/database';
import { describeFfmpegPair } from '@clipline/media';
import type { AppConfig } from '@clipline/config';
import type { DataSource } from 'typeorm';
import type { InfraBreaker } from './infra-breaker';
import { retryThroughOutage } from './infra-retry';
import { appLogger } from './app-logger';
import { stackTail, WORKER_HOST, type ProcessingLogger } from './processing-logger';
import type { ProgressEmitter } from './progress-emitter';
import type { StageScheduler } from './stage-scheduler';
import { trackWork } from './worker-registry';
import type { FailOutcome, Settlement } from './state/settlement';
import { StaleAttemptError } from './state/stale-attempt.error';
import {
  stageAttempts,
  stageDuration,
  stageFailures,
  stageOutcomes,
  stageRetries,
} from './worker-metrics';
import { EtaEstimator } from './eta-estimator';
import { jobProgress } from './job-progress';
import { cachedRates, readJobProgress } from './throughput';

/** At most one progress event a second per unit of work, and at least one while it runs. */
const PROGRESS_TICK_MS = 1000;

/** How one unit of work (a stage, or one clip) is leased, kept alive and settled. */
export interface Lease<R> {
  stage: StageName;
  jobId: string;
  claim(): Promise<number | null>;
  heartbeat(attempt: number, progress: number, eta: number | null): Promise<boolean>;
  /**
   * For a unit that is one share of its stage (a clip of rendering): stores
   * this unit's fraction and returns the stage's own progress and ETA, which
   * is what the stage's progress events must show.
   */
  report?(attempt: number, progress: number): Promise<StageShare | null>;
  /** Commits the result; says what became runnable, what settled and the job's status. */
  complete(attempt: number, result: R): Promise<Settlement>;
  fail(attempt: number, error: string, permanent: boolean): Promise<FailOutcome>;
}

export interface StageShare {
  progress: number;
  etaSeconds: number | null;
}

export interface RunContext {
  job: JobEntity;
  attempt: number;
  hooks: Required<Pick<StageHooks, 'onProgress' | 'onCommand' | 'onLog'>> & { signal: AbortSignal };
  /**
   * For work that retries an infrastructure error itself (parts): counts it
   * against this run's time budget and waits; throws `err` once the budget is spent.
   */
  awaitInfrastructure(err: unknown): Promise<void>;
}

export type RunOutcome = 'completed' | 'skipped-claim' | 'failed' | 'retrying' | 'lost-lease';

/** How a unit ended, with what its work returned when it got that far (saved or not). */
export interface UnitRun<R> {
  outcome: RunOutcome;
  result?: R;
}

/**
 * Runs one unit of stage work with everything around it: the lease, the
 * heartbeat, throttled progress in Postgres and over socket.io, processing
 * logs, and the retry/fail decision. Handlers stay thin: run the stage's
 * work, return what to save.
 */
export class StageRunner {
  constructor(
    private readonly ds: DataSource,
    private readonly scheduler: StageScheduler,
    private readonly logger: ProcessingLogger,
    private readonly emitter: ProgressEmitter,
    private readonly cfg: AppConfig,
    readonly breaker?: InfraBreaker,
  ) {}

  async run<R>(
    lease: Lease<R>,
    work: (ctx: RunContext) => Promise<R>,
    label = lease.stage as string,
  ): Promise<RunOutcome> {
    return (await this.runUnit(lease, work, label)).outcome;
  }

  /**
   * `run`, also giving back what the work returned, so a caller can act on
   * its own result after the commit (announce it) or after a refusal (clean it up).
   */
  async runUnit<R>(
    lease: Lease<R>,
    work: (ctx: RunContext) => Promise<R>,
    label = lease.stage as string,
  ): Promise<UnitRun<R>> {
    const t0 = Date.now();
    const unit = await this.runLeased(lease, work, label);
    stageOutcomes.inc({ stage: lease.stage, outcome: unit.outcome });
    if (unit.outcome !== 'skipped-claim')
      stageDuration.observe(
        { stage: lease.stage, outcome: unit.outcome },
        (Date.now() - t0) / 1000,
      );
    return unit;
  }

  private async runLeased<R>(
    lease: Lease<R>,
    work: (ctx: RunContext) => Promise<R>,
    label: string,
  ): Promise<UnitRun<R>> {
    const { stage, jobId } = lease;
    // Before the claim nothing is ours: the Bull job fails and the reconciler re-adds it.
    const noteInfra = (err: unknown) => {
      if (isInfrastructureError(err)) this.breaker?.recordFailure(lease.stage, err);
      throw err;
    };
    const attempt = await lease.claim().catch(noteInfra);
    if (attempt === null) return { outcome: 'skipped-claim' };
    const job = await this.retryWrites(() =>
      this.ds.getRepository(JobEntity).findOneBy({ id: jobId }),
    ).catch(noteInfra);
    if (!job) return { outcome: 'skipped-claim' };
    stageAttempts.inc({ stage });
    const log = appLogger().child({ jobId, stage, attempt, worker: WORKER_HOST, label });
    const started = Date.now();
    const owner = job.ownerKeyId;
    const abort = new AbortController();
    let progress = 0;
    let lastEmit = 0;
    // A clip is a share of rendering: its own history says little about the stage.
    const rate = lease.report ? undefined : (await cachedRates(this.ds))[stage];
    const durationSec = job.mediaInfo?.durationSec ?? 0;
    const estimator = new EtaEstimator(
      started,
      rate !== undefined && durationSec > 0 ? rate * durationSec : null,
    );
    const eta = () => estimator.etaSeconds(progress);
    // Events say what the stage as a whole has done: for a clip, the rendering aggregate.
    const publish = async () => {
      lastEmit = Date.now();
      const share = lease.report
        ? await lease.report(attempt, progress).catch(() => null)
        : { progress, etaSeconds: eta() };
      if (!share || abort.signal.aborted) return;
      this.emitter.emit('stage.progress', owner, {
        jobId,
        stage,
        attempt,
        progress: share.progress,
        etaSeconds: share.etaSeconds,
        at: new Date().toISOString(),
      });
    };

    log.info(`${label} started`);
    await this.logger.write(jobId, stage, attempt, 'start', `${label} started`);
    // Which ffmpeg ran matters when one build decodes what another could not.
    await this.logger.write(jobId, stage, attempt, 'note', `${label} uses ${describeFfmpegPair()}`);
    this.emitter.emit('stage.started', owner, {
      jobId,
      stage,
      attempt,
      at: new Date().toISOString(),
    });

    // A heartbeat that hits a database error is retried within a second, not a
    // whole interval later, so a short Postgres restart never looks like a stall.
    let beat: NodeJS.Timeout | undefined;
    let beating = true;
    const untrack = trackWork(`${label} of job ${jobId}, attempt ${attempt}`);
    const scheduleBeat = (ms: number) => {
      if (beating) beat = setTimeout(sendBeat, ms);
    };
    const sendBeat = () => {
      void lease.heartbeat(attempt, progress, eta()).then(
        (alive) => {
          if (!alive && !abort.signal.aborted) abort.abort(new Error('lease lost'));
          else {
            scheduleBeat(this.cfg.HEARTBEAT_SECONDS * 1000);
            void this.announceProgress(jobId, owner).catch(() => undefined);
          }
        },
        () => scheduleBeat(1000),
      );
    };
    // Between reports the ETA still counts down, so a slow stretch never freezes it.
    const ticker = setInterval(() => {
      if (Date.now() - lastEmit >= PROGRESS_TICK_MS) void publish();
    }, PROGRESS_TICK_MS);
    const stopBeat = () => {
      untrack();
      beating = false;
      clearTimeout(beat);
      clearInterval(ticker);
    };
    scheduleBeat(this.cfg.HEARTBEAT_SECONDS * 1000);

    const budgetMs = this.cfg.INFRA_RETRY_BUDGET_SECONDS * 1000;
    let infraSince: number | null = null;
    let infraTries = 0;
    const awaitInfrastructure = async (err: unknown) => {
      if (!isInfrastructureError(err) || abort.signal.aborted) throw err;
      infraSince ??= Date.now();
      const left = infraSince + budgetMs - Date.now();
      if (left <= 0) throw err;
      infraTries += 1;
      this.breaker?.recordFailure(stage, err);
      if (infraTries === 1) {
        await this.logger.write(
          jobId,
          stage,
          attempt,
          'retry',
          `${label}: infrastructure unavailable (${(err as Error).message}); retrying for up to ` +
            `${Math.round(left / 1000)} s without using up an attempt`,
        );
      }
      const delay = Math.min(1000 * 2 ** (infraTries - 1), this.cfg.INFRA_PROBE_MAX_SECONDS * 1000);
      await (this.breaker?.pauseBeforeRetry(delay, left, abort.signal) ??
        new Promise((r) => setTimeout(r, Math.min(delay, left))));
    };

    const ctx: RunContext = {
      job,
      attempt,
      hooks: {
        signal: abort.signal,
        onProgress: (f) => {
          progress = Math.max(progress, Math.min(1, f));
          if (Date.now() - lastEmit >= PROGRESS_TICK_MS) void publish();
        },
        onCommand: (cmd) => void this.logger.command(jobId, stage, attempt, label, cmd),
        onLog: (msg) => void this.logger.write(jobId, stage, attempt, 'note', msg),
      },
      awaitInfrastructure,
    };

    let result: R | undefined;
    try {
      for (;;) {
        if (abort.signal.aborted) throw new StaleAttemptError(jobId, stage, attempt);
        try {
          result = await work(ctx);
          break;
        } catch (err) {
          await awaitInfrastructure(err);
        }
      }
      this.breaker?.recordSuccess();
      if (infraTries) {
        await this.logger.write(jobId, stage, attempt, 'note', `${label}: infrastructure is back`);
      }
      if (abort.signal.aborted) throw new StaleAttemptError(jobId, stage, attempt);
      const done = result as R;
      const settlement = await this.retryWrites(() => lease.complete(attempt, done));
      stopBeat();
      // Committed: what follows is best effort, the reconciler enqueues whatever was missed.
      await this.scheduler
        .enqueueAll(settlement.runnable)
        .catch((err: Error) => log.warn({ err }, `enqueue after commit failed: ${err.message}`));
      const durationMs = Date.now() - started;
      log.info({ durationMs }, `${label} finished`);
      await this.logger.write(jobId, stage, attempt, 'finish', `${label} finished`, { durationMs });
      await this.announce(job, settlement).catch(() => undefined);
      return { outcome: 'completed', result };
    } catch (err) {
      stopBeat();
      const message = (err as Error).message || String(err);
      if (err instanceof StaleAttemptError || abort.signal.aborted) {
        log.warn(`${label}: result discarded, this attempt is no longer current (${message})`);
        await this.logger.write(
          jobId,
          stage,
          attempt,
          'note',
          `${label}: result discarded, this attempt is no longer current (${message})`,
        );
        return { outcome: 'lost-lease', result };
      }
      const permanent = isPermanentError(err);
      const res = await this.retryWrites(() => lease.fail(attempt, message, permanent));
      const durationMs = Date.now() - started;
      const failClass = errorKind(err);
      stageFailures.inc({ stage, class: failClass, final: res.willRetry ? 'false' : 'true' });
      if (res.willRetry) stageRetries.inc({ stage });
      log.error(
        { err, durationMs, willRetry: res.willRetry, class: failClass },
        `${label} failed: ${message}`,
      );
      await this.logger.write(
        jobId,
        stage,
        attempt,
        res.willRetry ? 'retry' : 'fail',
        `${label} failed: ${message}`,
        { durationMs, details: stackTail(err) },
      );
      this.emitter.emit('stage.failed', owner, {
        jobId,
        stage,
        attempt,
        error: message,
        willRetry: res.willRetry,
        at: new Date().toISOString(),
      });
      if (res.retry) {
        await this.scheduler
          .enqueue(res.retry)
          .catch((e: Error) => log.warn({ err: e }, `enqueue of retry failed: ${e.message}`));
      }
      await this.announce(job, res).catch(() => undefined);
      return { outcome: res.willRetry ? 'retrying' : 'failed', result };
    }
  }

  /** job.status with the job-level progress and ETA, the numbers the job view shows. */
  private async announceProgress(jobId: string, owner: string | null): Promise<void> {
    const job = await this.ds.getRepository(JobEntity).findOneBy({ id: jobId });
    if (!job) return;
    this.emitter.emit('job.status', owner, {
      jobId,
      status: job.status,
      error: job.error,
      ...(await readJobProgress(this.ds, job)),
      at: new Date().toISOString(),
    });
  }

  private retryWrites<T>(write: () => Promise<T>): Promise<T> {
    return retryThroughOutage(write, this.cfg.INFRA_RETRY_BUDGET_SECONDS * 1000);
  }

  /**
   * Emits stage.completed for each stage the transaction completed or
   * skipped, and job.status as it left the job: the settlement says both.
   */
  private async announce(job: JobEntity, s: Pick<Settlement, 'settled' | 'job'>): Promise<void> {
    const jobId = job.id;
    const owner = job.ownerKeyId;
    for (const st of s.settled) {
      if (st.status !== 'completed' && st.status !== 'skipped') continue;
      this.emitter.emit('stage.completed', owner, {
        jobId,
        stage: st.stage,
        attempt: st.attempt,
        status: st.status,
        durationMs: st.durationMs,
        at: new Date().toISOString(),
      });
    }
    if (!s.job) return;
    const rates = await cachedRates(this.ds);
    this.emitter.emit('job.status', owner, {
      jobId,
      status: s.job.status,
      error: s.job.error,
      ...jobProgress(s.job.status, s.job.stages, job.mediaInfo?.durationSec ?? 0, rates),
      at: new Date().toISOString(),
    });
  }
}
