import type { WorkerStage } from '@clipline/contracts';
import type { DataSource } from 'typeorm';
import type { StageScheduler } from './stage-scheduler';
import type { ClipRows } from './state/clip-rows';
import type { PartRows } from './state/part-rows';
import type { StageRows } from './state/stage-rows';
import { stageTakeBacks } from './worker-metrics';

/** Only one reconciler runs at a time across API instances. */
const ADVISORY_LOCK_KEY = 0x0c11911e;

export interface ReconcileReport {
  enqueued: number;
  takenBack: number;
  /** Pending stages whose inputs were all done, promoted here. */
  promoted: number;
}

/**
 * The outbox without an extra table: Postgres says what should be running;
 * this loop makes Bull agree. It re-enqueues queued work that has no live Bull
 * job (lost Redis, a crash between commit and enqueue), takes back work
 * whose worker stopped heartbeating (SIGKILL, OOM, a lost machine) and
 * promotes stages whose inputs are done but that no completion promoted.
 */
export class Reconciler {
  private timer?: NodeJS.Timeout;
  private running = false;
  private readonly stages: StageRows;
  private readonly clips: ClipRows;
  private readonly parts: PartRows;

  constructor(
    private readonly ds: DataSource,
    private readonly scheduler: StageScheduler,
    // The row modules of the same pipeline (createPipeline); take-backs log in their own transaction (see stall-policy).
    stores: { stages: StageRows; clips: ClipRows; parts: PartRows },
    private readonly opts: {
      intervalSeconds: number;
      stallSeconds: number;
      graceSeconds?: number;
      /** A take-back counts as an attempt; at this many the work fails for good. */
      maxAttempts?: number;
    },
  ) {
    ({ stages: this.stages, clips: this.clips, parts: this.parts } = stores);
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.opts.intervalSeconds * 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await this.runOnce();
    } catch (err) {
      console.warn(`reconciler: ${(err as Error).message}`);
    } finally {
      this.running = false;
    }
  }

  async runOnce(): Promise<ReconcileReport> {
    const qr = this.ds.createQueryRunner();
    await qr.connect();
    try {
      const [{ locked }] = await qr.query(`SELECT pg_try_advisory_lock($1) AS locked`, [
        ADVISORY_LOCK_KEY,
      ]);
      if (!locked) return { enqueued: 0, takenBack: 0, promoted: 0 };
      try {
        const takenBack = await this.takeBackStalled();
        const promoted = await this.promoteStranded();
        const enqueued = await this.enqueueOrphans();
        return { enqueued, takenBack, promoted };
      } finally {
        await qr.query(`SELECT pg_advisory_unlock($1)`, [ADVISORY_LOCK_KEY]);
      }
    } finally {
      await qr.release();
    }
  }

  /** Each stalled stage, clip or part is decided one at a time, under its row lock, by its rows. */
  private async takeBackStalled(): Promise<number> {
    const stall = this.opts.stallSeconds;
    const max = this.opts.maxAttempts ?? Number.POSITIVE_INFINITY;
    const stages = await this.stages.listStalled(stall);
    const clips = await this.clips.listStalled(stall);
    let n = 0;
    for (const s of stages)
      if (await this.stages.takeBack(s.jobId, s.stage, stall, max)) {
        n++;
        stageTakeBacks.inc({ stage: s.stage });
      }
    for (const clipId of clips)
      if (await this.clips.takeBack(clipId, stall, max)) {
        n++;
        stageTakeBacks.inc({ stage: 'rendering' });
      }
    return n + (await this.takeBackStalledParts(stall));
  }

  /**
   * A part whose worker died would otherwise wait until its coordinator is
   * free to claim it; re-queued with a new message, any idle worker of the
   * stage takes it at once. Only parts of a stage attempt still running.
   */
  private async takeBackStalledParts(stall: number): Promise<number> {
    const parts = await this.parts.listStalled(stall);
    let n = 0;
    for (const p of parts) {
      const outcome = await this.parts.takeBack(p.id, stall);
      if (!outcome) continue;
      n++;
      stageTakeBacks.inc({ stage: p.stage });
      if (outcome !== 'queued') continue;
      await this.scheduler.enqueue({
        kind: 'part',
        jobId: p.jobId,
        stage: p.stage as Exclude<WorkerStage, 'rendering'>,
        partId: p.id,
        attempt: p.attempt,
      });
    }
    return n;
  }

  /** Stages whose inputs are all done but that nobody promoted (see StageRows.promoteStranded). */
  private async promoteStranded(): Promise<number> {
    const { runnable } = await this.stages.promoteStranded();
    for (const r of runnable) await this.scheduler.enqueue(r);
    return runnable.length;
  }

  private async enqueueOrphans(): Promise<number> {
    const grace = this.opts.graceSeconds ?? 2;
    const runnables = [
      ...(await this.stages.listOrphans(grace)),
      ...(await this.clips.listOrphans(grace)),
    ];
    let n = 0;
    for (const r of runnables) {
      if (await this.scheduler.isLive(r)) continue;
      await this.scheduler.enqueue(r);
      n++;
    }
    return n;
  }
}
