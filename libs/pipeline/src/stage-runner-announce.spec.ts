import type { AppConfig } from '@clipline/config';
import type { JobEntity } from '@clipline/database';
import type { DataSource } from 'typeorm';
import type { ProcessingLogger } from './processing-logger';
import type { ProgressEmitter } from './progress-emitter';
import { StageRunner, type Lease } from './stage-runner';
import type { StageScheduler } from './stage-scheduler';
import type { FailOutcome, JobState, Settlement } from './state/settlement';

const JOB = {
  id: 'job-1',
  ownerKeyId: 'owner-1',
  status: 'running',
  error: null,
  mediaInfo: { durationSec: 60 },
} as unknown as JobEntity;

const DONE_STAGES: JobState['stages'] = (
  ['transcription', 'silence', 'layout', 'segmenting', 'rendering'] as const
).map((stage) => ({ stage, status: 'completed', progress: 1, etaSeconds: 0 }));

/**
 * The runner announces what the settling transaction decided: stage.completed
 * for each stage it completed or skipped, and job.status as it left the job,
 * without reading the job again after the commit.
 */
describe('StageRunner announcing a settlement', () => {
  let events: Array<{ event: string; payload: Record<string, unknown> }>;
  let enqueued: unknown[];
  let jobReads: number;
  let runner: StageRunner;

  beforeEach(() => {
    events = [];
    enqueued = [];
    jobReads = 0;
    const ds = {
      getRepository: () => ({
        findOneBy: () => {
          jobReads++;
          return Promise.resolve(JOB);
        },
        findBy: () => {
          jobReads++;
          return Promise.resolve([]);
        },
      }),
      // No stage history: the ETA falls back to defaults.
      query: () => Promise.reject(new Error('no history here')),
    } as unknown as DataSource;
    const scheduler = {
      enqueueAll: (rs: unknown[]) => Promise.resolve(void enqueued.push(...rs)),
      enqueue: (r: unknown) => Promise.resolve(void enqueued.push(r)),
    } as unknown as StageScheduler;
    const logger = {
      write: () => Promise.resolve(),
      command: () => Promise.resolve(),
    } as unknown as ProcessingLogger;
    const emitter = {
      emit: (event: string, _owner: string | null, payload: Record<string, unknown>) =>
        void events.push({ event, payload }),
    } as unknown as ProgressEmitter;
    const cfg = {
      HEARTBEAT_SECONDS: 3600,
      INFRA_RETRY_BUDGET_SECONDS: 0,
      INFRA_PROBE_MAX_SECONDS: 1,
    } as AppConfig;
    runner = new StageRunner(ds, scheduler, logger, emitter, cfg);
  });

  const lease = (
    stage: Lease<unknown>['stage'],
    on: { complete?: Settlement; fail?: FailOutcome },
  ): Lease<unknown> => ({
    stage,
    jobId: JOB.id,
    claim: () => Promise.resolve(1),
    heartbeat: () => Promise.resolve(true),
    complete: () => Promise.resolve(on.complete!),
    fail: () => Promise.resolve(on.fail!),
  });
  const named = (event: string) => events.filter((e) => e.event === event).map((e) => e.payload);

  it('announces every stage the completion settled and the job it left, with one read of the job at the claim', async () => {
    const outcome = await runner.run(
      lease('segmenting', {
        complete: {
          runnable: [],
          settled: [
            { stage: 'segmenting', status: 'completed', attempt: 1, durationMs: 1234 },
            { stage: 'rendering', status: 'skipped', attempt: 0, durationMs: 0 },
          ],
          job: { status: 'completed', error: null, stages: DONE_STAGES },
        },
      }),
      () => Promise.resolve('result'),
    );
    expect(outcome).toBe('completed');
    expect(named('stage.completed')).toEqual([
      expect.objectContaining({
        stage: 'segmenting',
        status: 'completed',
        attempt: 1,
        durationMs: 1234,
      }),
      expect.objectContaining({ stage: 'rendering', status: 'skipped', attempt: 0, durationMs: 0 }),
    ]);
    expect(named('job.status')).toEqual([
      expect.objectContaining({
        jobId: JOB.id,
        status: 'completed',
        error: null,
        progress: 1,
        etaSeconds: 0,
      }),
    ]);
    expect(jobReads).toBe(1);
  });

  it('enqueues what became runnable', async () => {
    const next = {
      kind: 'stage' as const,
      jobId: JOB.id,
      stage: 'segmenting' as const,
      attempt: 0,
    };
    await runner.run(
      lease('layout', {
        complete: {
          runnable: [next],
          settled: [{ stage: 'layout', status: 'skipped', attempt: 1, durationMs: 5 }],
          job: { status: 'running', error: null, stages: DONE_STAGES },
        },
      }),
      () => Promise.resolve('result'),
    );
    expect(enqueued).toEqual([next]);
    expect(named('stage.completed').map((e) => e.stage)).toEqual(['layout']);
    expect(named('job.status')[0]).toMatchObject({ status: 'running' });
  });

  it('announces a rendering completed by a clip that failed for good, and nothing completed for failed or cancelled stages', async () => {
    const outcome = await runner.run(
      lease('rendering', {
        fail: {
          willRetry: false,
          runnable: [],
          settled: [
            { stage: 'rendering', status: 'completed', attempt: 0, durationMs: 900 },
            { stage: 'layout', status: 'cancelled', attempt: 1, durationMs: 3 },
            { stage: 'silence', status: 'failed', attempt: 2, durationMs: 7 },
          ],
          job: { status: 'failed', error: 'silence: not a media file', stages: DONE_STAGES },
        },
      }),
      () => Promise.reject(new Error('decoder crashed')),
    );
    expect(outcome).toBe('failed');
    expect(named('stage.failed')).toEqual([
      expect.objectContaining({ stage: 'rendering', error: 'decoder crashed', willRetry: false }),
    ]);
    expect(named('stage.completed').map((e) => [e.stage, e.status])).toEqual([
      ['rendering', 'completed'],
    ]);
    expect(named('job.status')).toEqual([
      expect.objectContaining({
        status: 'failed',
        error: 'silence: not a media file',
        etaSeconds: null,
      }),
    ]);
    expect(jobReads).toBe(1);
  });

  it('says nothing of a job that no longer exists', async () => {
    await runner.run(
      lease('silence', {
        fail: { willRetry: false, runnable: [], settled: [], job: null },
      }),
      () => Promise.reject(new Error('gone')),
    );
    expect(named('job.status')).toEqual([]);
    expect(named('stage.failed')).toHaveLength(1);
  });
});
