import type { AppConfig } from '@clipline/config';
import { WORKER_STAGES, type WorkerStage } from '@clipline/contracts';
import type { StorageService } from '@clipline/storage';
import type { Queue } from 'bull';
import type { DataSource } from 'typeorm';
import { createPipeline, type PipelineDeps } from './pipeline.factory';
import type { ProgressEmitter } from './progress-emitter';

// Construction touches neither Postgres, Redis nor S3, so stand-ins are enough to check the wiring.
const deps: PipelineDeps = {
  ds: {} as DataSource,
  cfg: {
    STAGE_MAX_ATTEMPTS: 4,
    STALL_SECONDS: 60,
    RECONCILE_INTERVAL_SECONDS: 10,
    QUEUE_KEEP_COMPLETED: 200,
    QUEUE_KEEP_FAILED: 1000,
    INFRA_BREAKER_THRESHOLD: 3,
    INFRA_PROBE_MAX_SECONDS: 30,
  } as AppConfig,
  queues: Object.fromEntries(WORKER_STAGES.map((s) => [s, { name: s }])) as unknown as Record<
    WorkerStage,
    Queue
  >,
  storage: {} as StorageService,
  emitter: {} as ProgressEmitter,
};

describe('createPipeline', () => {
  it('schedules on the queues it is given and publishes through the emitter it is given', () => {
    const p = createPipeline(deps);
    for (const s of WORKER_STAGES) expect(p.scheduler.queue(s)).toBe(deps.queues[s]);
    expect(p.emitter).toBe(deps.emitter);
  });

  it('gives the runner the breaker it builds, as every app has; none when asked not to', () => {
    const p = createPipeline(deps);
    expect(p.breaker).toBeDefined();
    expect(p.runner.breaker).toBe(p.breaker);
    const bare = createPipeline({ ...deps, breaker: false });
    expect(bare.breaker).toBeUndefined();
    expect(bare.runner.breaker).toBeUndefined();
  });
});
