import type { JobDetail, StageView } from './api.types';
import { withJobStatus, withStageProgress } from './live-patch';

const stage = (over: Partial<StageView>): StageView => ({
  stage: 'rendering',
  status: 'running',
  progress: 0.5,
  etaSeconds: 30,
  attempt: 1,
  queuedAt: null,
  startedAt: null,
  finishedAt: null,
  durationMs: null,
  retryAt: null,
  error: null,
  summary: null,
  ...over,
});
const job = (s: StageView): JobDetail =>
  ({ id: 'j', status: 'running', progress: 0.4, etaSeconds: 90, stages: [s] }) as JobDetail;
const event = (progress: number, attempt = 1) => ({
  jobId: 'j',
  stage: 'rendering' as const,
  attempt,
  progress,
  etaSeconds: 12,
  at: '',
});

describe('live updates keep the page on what the API says', () => {
  it('a late progress event leaves a completed stage completed', () => {
    const done = job(stage({ status: 'completed', progress: 1, etaSeconds: null }));
    expect(withStageProgress(done, event(0.9)).stages[0]).toMatchObject({
      status: 'completed',
      progress: 1,
    });
  });

  it('ignores an older attempt, and never moves back within one', () => {
    const j = job(stage({ attempt: 2, progress: 0.5 }));
    expect(withStageProgress(j, event(0.9, 1)).stages[0].progress).toBe(0.5);
    expect(withStageProgress(j, event(0.3, 2)).stages[0].progress).toBe(0.5);
    expect(withStageProgress(j, event(0.7, 2)).stages[0]).toMatchObject({
      progress: 0.7,
      etaSeconds: 12,
    });
    // A new attempt starts from its own numbers.
    expect(withStageProgress(j, event(0.1, 3)).stages[0]).toMatchObject({
      progress: 0.1,
      attempt: 3,
    });
  });

  it('takes the job-level numbers from job.status as they are', () => {
    const j = withJobStatus(job(stage({})), {
      jobId: 'j',
      status: 'running',
      error: null,
      progress: 0.61,
      etaSeconds: 44,
      at: '',
    });
    expect([j.progress, j.etaSeconds]).toEqual([0.61, 44]);
  });
});
