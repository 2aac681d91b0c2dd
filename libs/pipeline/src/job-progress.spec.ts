import { EtaEstimator } from './eta-estimator';
import { jobProgress, type StageProgressRow } from './job-progress';

const row = (
  stage: StageProgressRow['stage'],
  status: string,
  progress = 0,
  eta: number | null = null,
) => ({ stage, status, progress, etaSeconds: eta }) as StageProgressRow;

describe('job-level progress', () => {
  const rates = {
    transcription: 0.5,
    silence: 0.05,
    layout: 0.2,
    segmenting: 0.05,
    rendering: 0.2,
  };

  it('weights stages by their expected time and follows the slowest branch for the ETA', () => {
    const p = jobProgress(
      'running',
      [
        row('probe', 'completed', 1),
        row('transcription', 'running', 0.5, 30),
        row('silence', 'completed', 1),
        row('layout', 'running', 0.5, 10),
        row('segmenting', 'pending'),
        row('rendering', 'pending'),
      ],
      100,
      rates,
    );
    // Done: 25 + 5 + 10 of 50 + 5 + 20 + 5 + 20 = 100 expected seconds.
    expect(p.progress).toBeCloseTo(0.4, 5);
    // max(30, 0, 10) + segmenting 5 + rendering 20.
    expect(p.etaSeconds).toBe(55);
  });

  it('has no ETA while a stage ahead has neither a running estimate nor history', () => {
    const p = jobProgress(
      'running',
      [
        row('transcription', 'running', 0.1, 90),
        row('segmenting', 'pending'),
        row('rendering', 'pending'),
      ],
      60,
      {},
    );
    expect(p.etaSeconds).toBeNull();
    expect(p.progress).toBeGreaterThan(0);
  });

  it('is whole when the job completed, and has no ETA once it failed', () => {
    expect(jobProgress('completed', [], 60, rates)).toEqual({ progress: 1, etaSeconds: 0 });
    expect(
      jobProgress('failed', [row('rendering', 'failed', 0.5)], 60, rates).etaSeconds,
    ).toBeNull();
  });
});

describe('ETA estimator', () => {
  it('counts down recent jobs’ time before this run has measured anything', () => {
    const e = new EtaEstimator(0, 60);
    expect(e.etaSeconds(0, 0)).toBe(60);
    expect(e.etaSeconds(0, 20_000)).toBe(40);
  });

  it('keeps moving while progress waits for the next report', () => {
    const e = new EtaEstimator(0, null);
    const a = e.etaSeconds(0.5, 30_000);
    const b = e.etaSeconds(0.5, 40_000);
    expect(a).toBe(30);
    expect(b).not.toBe(a);
  });

  it('trusts this run’s throughput once it is a quarter of the way', () => {
    const e = new EtaEstimator(0, 1000);
    expect(e.etaSeconds(0.5, 10_000)).toBe(10);
  });
});
