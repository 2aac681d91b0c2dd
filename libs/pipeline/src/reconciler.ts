import type { WorkerStage } from '@clipline/contracts';
import type { DataSource } from 'typeorm';
import type { ClipStore } from './clip-store';
import type { PartStore } from './part-store';
import type { StageScheduler } from './stage-scheduler';
import type { Runnable, StageStore } from './stage-store';
import { stageTakeBacks } from './worker-metrics';

/** Only one reconciler runs at a time across API instances. */
const ADVISORY_LOCK_KEY = 0x0c11911e;

export interface ReconcileReport {
  enqueued: number;
  takenBack: number;
}

/**
 * The outbox without an extra table: Postgres says what should be running;
 * this loop makes Bull agree. It re-enqueues queued work that has no live Bull
 * job (lost Redis, a crash between commit and enqueue) and takes back work
 * whose worker stopped heartbeating (SIGKILL, OOM, a lost machine).
 */
export class Reconciler {
  private timer?: NodeJS.Timeout;
  private running = false;
  private readonly stages: StageStore;
  private readonly clips: ClipStore;
  private readonly parts: PartStore;

  constructor(
    private readonly ds: DataSource,
    private readonly scheduler: StageScheduler,
    // The stores of the same pipeline (createPipeline); take-backs log in their own transaction (see stall-policy).
    stores: { stages: StageStore; clips: ClipStore; parts: PartStore },
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
      if (!locked) return { enqueued: 0, takenBack: 0 };
      try {
        const takenBack = await this.takeBackStalled();
        const enqueued = await this.enqueueOrphans();
        return { enqueued, takenBack };
      } finally {
        await qr.query(`SELECT pg_advisory_unlock($1)`, [ADVISORY_LOCK_KEY]);
      }
    } finally {
      await qr.release();
    }
  }

  /** Each stalled stage, clip or part is decided one at a time, under its row lock, by its store. */
  private async takeBackStalled(): Promise<number> {
    const stall = this.opts.stallSeconds;
    const max = this.opts.maxAttempts ?? Number.POSITIVE_INFINITY;
    const stages: Array<{ job_id: string; stage: WorkerStage }> = await this.ds.query(
      `SELECT job_id, stage FROM job_stages
        WHERE stage <> 'rendering' AND status = 'running' AND heartbeat_at < now() - make_interval(secs => $1)`,
      [stall],
    );
    const clips: Array<{ id: string }> = await this.ds.query(
      `SELECT id FROM clips WHERE status = 'rendering' AND heartbeat_at < now() - make_interval(secs => $1)`,
      [stall],
    );
    let n = 0;
    for (const s of stages)
      if (await this.stages.takeBackStage(s.job_id, s.stage, stall, max)) {
        n++;
        stageTakeBacks.inc({ stage: s.stage });
      }
    for (const c of clips)
      if (await this.clips.takeBackClip(c.id, stall, max)) {
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
    const parts: Array<{ id: string; job_id: string; stage: string; attempt: number }> =
      await this.ds.query(
        `SELECT p.id, p.job_id, p.stage, p.attempt FROM stage_parts p
           JOIN job_stages s ON s.job_id = p.job_id AND s.stage = p.stage
                            AND s.attempt = p.stage_attempt AND s.status = 'running'
          WHERE p.status = 'running' AND p.heartbeat_at < now() - make_interval(secs => $1)`,
        [stall],
      );
    let n = 0;
    for (const p of parts) {
      const outcome = await this.parts.takeBack(p.id, stall);
      if (!outcome) continue;
      n++;
      stageTakeBacks.inc({ stage: p.stage });
      if (outcome !== 'queued') continue;
      await this.scheduler.enqueue({
        kind: 'part',
        jobId: p.job_id,
        stage: p.stage as Exclude<WorkerStage, 'rendering'>,
        partId: p.id,
        attempt: p.attempt,
      });
    }
    return n;
  }

  private async enqueueOrphans(): Promise<number> {
    const grace = this.opts.graceSeconds ?? 2;
    const stages: Array<{ job_id: string; stage: string; attempt: number }> = await this.ds.query(
      `SELECT s.job_id, s.stage, s.attempt FROM job_stages s JOIN jobs j ON j.id = s.job_id
        WHERE s.stage <> 'rendering' AND s.status = 'queued' AND j.status IN ('queued','running')
          AND COALESCE(s.retry_at, s.queued_at, now()) < now() - make_interval(secs => $1)`,
      [grace],
    );
    const clips: Array<{
      job_id: string;
      id: string;
      segment_id: string;
      aspect: string;
      attempt: number;
    }> = await this.ds.query(
      `SELECT c.job_id, c.id, c.segment_id, c.aspect, c.attempt FROM clips c JOIN jobs j ON j.id = c.job_id
        WHERE c.status = 'queued' AND j.status IN ('queued','running')
          AND COALESCE(c.retry_at, c.updated_at) < now() - make_interval(secs => $1)`,
      [grace],
    );
    const runnables: Runnable[] = [
      ...stages.map((s) => ({
        kind: 'stage' as const,
        jobId: s.job_id,
        stage: s.stage as Exclude<WorkerStage, 'rendering'>,
        attempt: s.attempt,
      })),
      ...clips.map((c) => ({
        kind: 'clip' as const,
        jobId: c.job_id,
        clipId: c.id,
        segmentId: c.segment_id,
        aspect: c.aspect,
        attempt: c.attempt,
      })),
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
