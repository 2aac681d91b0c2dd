import {
  QUEUE_NAMES,
  WORKER_STAGES,
  type AnyStagePayload,
  type Aspect,
  type WorkerStage,
} from '@clipline/contracts';
import type { Job, JobOptions, Queue } from 'bull';
import type { Runnable } from './state/runnable.types';

/** Finished Bull jobs kept per queue: bounded, so Redis memory stays flat however many jobs pass through. */
export interface QueueRetention {
  completed: number;
  failed: number;
}

export const DEFAULT_RETENTION: QueueRetention = { completed: 200, failed: 1000 };

export function bullJobOptions(keep: QueueRetention = DEFAULT_RETENTION): JobOptions {
  return {
    // Retries are scheduled from Postgres (see StageRows.fail), not by Bull.
    attempts: 1,
    removeOnComplete: { age: 3600, count: keep.completed },
    removeOnFail: { age: 24 * 3600, count: keep.failed },
  };
}

/** Deterministic ids: the reconciler can ask whether the Bull job for an attempt still exists. */
export function bullJobId(r: Runnable): string {
  if (r.kind === 'stage') return `${r.jobId}.${r.stage}.${r.attempt}`;
  return r.kind === 'part' ? `part.${r.partId}.${r.attempt}` : `clip.${r.clipId}.${r.attempt}`;
}

function queueOf(r: Runnable): WorkerStage {
  return r.kind === 'clip' ? 'rendering' : r.stage;
}

function payloadOf(r: Runnable): AnyStagePayload {
  if (r.kind === 'clip') {
    const { jobId, attempt, clipId, segmentId } = r;
    return { jobId, stage: 'rendering', attempt, clipId, segmentId, aspect: r.aspect as Aspect };
  }
  const base = { jobId: r.jobId, stage: r.stage, attempt: r.attempt };
  return r.kind === 'part' ? { ...base, partId: r.partId } : base;
}

const LIVE_STATES = new Set(['waiting', 'active', 'delayed', 'paused']);

export class StageScheduler {
  private readonly jobOptions: JobOptions;

  constructor(
    private readonly queues: Record<WorkerStage, Queue>,
    retention: QueueRetention = DEFAULT_RETENTION,
  ) {
    this.jobOptions = bullJobOptions(retention);
  }

  queue(stage: WorkerStage): Queue {
    return this.queues[stage];
  }

  async enqueue(r: Runnable): Promise<void> {
    const payload = payloadOf(r);
    const queue = this.queues[queueOf(r)];
    const id = bullJobId(r);
    const existing = await queue.getJob(id);
    if (existing) {
      const state = await existing.getState();
      if (LIVE_STATES.has(state)) return;
      // A finished job with this id is still kept; Bull would ignore a new add under the same id.
      await existing.remove().catch(() => undefined);
    }
    await queue.add(payload, {
      ...this.jobOptions,
      jobId: id,
      delay: r.delayMs && r.delayMs > 0 ? r.delayMs : undefined,
    });
  }

  async enqueueAll(rs: Runnable[]): Promise<void> {
    for (const r of rs) await this.enqueue(r);
  }

  async isLive(r: Runnable): Promise<boolean> {
    const job = await this.queues[queueOf(r)].getJob(bullJobId(r));
    return !!job && LIVE_STATES.has(await job.getState());
  }

  async pause(stage: WorkerStage): Promise<void> {
    await this.queues[stage].pause(false);
  }

  async resume(stage: WorkerStage): Promise<void> {
    await this.queues[stage].resume(false);
  }

  async queueStats(): Promise<
    Array<{
      stage: WorkerStage;
      queue: string;
      paused: boolean;
      waiting: number;
      /** Jobs a globally paused queue holds (Bull moves them out of waiting). */
      pausedJobs: number;
      active: number;
      delayed: number;
      failed: number;
      completed: number;
    }>
  > {
    return Promise.all(
      WORKER_STAGES.map(async (stage) => {
        const q = this.queues[stage];
        const c = await q.getJobCounts();
        return {
          stage,
          queue: QUEUE_NAMES[stage],
          paused: await q.isPaused(),
          waiting: c.waiting,
          pausedJobs: (c as typeof c & { paused?: number }).paused ?? 0,
          active: c.active,
          delayed: c.delayed,
          failed: c.failed,
          completed: c.completed,
        };
      }),
    );
  }

  async failedJobs(
    stage: WorkerStage,
    limit = 50,
  ): Promise<
    Array<{
      id: string;
      data: unknown;
      failedReason: string | undefined;
      finishedOn: number | undefined;
    }>
  > {
    const jobs: Job[] = await this.queues[stage].getFailed(0, limit - 1);
    return jobs.map((j) => ({
      id: String(j.id),
      data: j.data,
      failedReason: j.failedReason,
      finishedOn: j.finishedOn,
    }));
  }

  async close(): Promise<void> {
    await Promise.all(Object.values(this.queues).map((q) => q.close()));
  }
}
