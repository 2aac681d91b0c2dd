import type { WorkerStage } from '@clipline/contracts';
import type { DataSource } from 'typeorm';
import type { ProcessingLogger } from './processing-logger';
import type { StageScheduler } from './stage-scheduler';
import type { Runnable } from './stage-store';

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

  constructor(
    private readonly ds: DataSource,
    private readonly scheduler: StageScheduler,
    private readonly logger: ProcessingLogger,
    private readonly opts: { intervalSeconds: number; stallSeconds: number; graceSeconds?: number },
  ) {}

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

  private async takeBackStalled(): Promise<number> {
    const stall = this.opts.stallSeconds;
    const stages: Array<{ job_id: string; stage: string; attempt: number }> = (
      await this.ds.query(
        `UPDATE job_stages SET status = 'queued', queued_at = now(), retry_at = NULL,
                error = 'worker stopped heartbeating; taken back'
          WHERE stage <> 'rendering' AND status = 'running' AND heartbeat_at < now() - make_interval(secs => $1)
          RETURNING job_id, stage, attempt`,
        [stall],
      )
    )[0];
    const clips: Array<{ job_id: string; id: string; attempt: number }> = (
      await this.ds.query(
        `UPDATE clips SET status = 'queued', retry_at = NULL, error = 'worker stopped heartbeating; taken back'
          WHERE status = 'rendering' AND heartbeat_at < now() - make_interval(secs => $1)
          RETURNING job_id, id, attempt`,
        [stall],
      )
    )[0];
    for (const s of stages)
      await this.logger.write(
        s.job_id,
        s.stage,
        s.attempt,
        'retry',
        'worker stopped heartbeating; stage taken back',
      );
    for (const c of clips)
      await this.logger.write(
        c.job_id,
        'rendering',
        c.attempt,
        'retry',
        `worker stopped heartbeating; clip ${c.id} taken back`,
      );
    return stages.length + clips.length;
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
