import { DEFAULT_JOB_OPTIONS, type MediaInfo } from '@clipline/contracts';
import type { Settlement, StageRows } from '@clipline/pipeline';
import {
  createTestJob,
  fanOutOneClip,
  startPipelineHarness,
  type PipelineHarness,
} from '../support/pipeline-harness';

const MEDIA: MediaInfo = {
  durationSec: 60,
  sizeBytes: 1000,
  formatName: 'mp4',
  hasVideo: false,
  hasAudio: true,
  video: null,
  audio: { codec: 'aac', sampleRate: 48000, channels: 2 },
};

const POLICY = { maxAttempts: 3, baseDelayMs: 60_000 };

/** The settled stages as [stage, status, attempt], in the order the transaction settled them. */
const settledOf = (s: Pick<Settlement, 'settled'>) =>
  s.settled.map((x) => [x.stage, x.status, x.attempt]);
const stagesOf = (s: Pick<Settlement, 'job'>) =>
  Object.fromEntries((s.job?.stages ?? []).map((r) => [r.stage, r.status]));

/**
 * A completion or failure says, from its own transaction, what became
 * runnable, which stages settled and what the job became: the runner
 * announces from that, so these numbers are what clients see.
 */
describe('settlements of completions and failures', () => {
  let h: PipelineHarness;
  let stages: StageRows;

  beforeAll(async () => {
    h = await startPipelineHarness({ queuePrefix: `${process.env.QUEUE_PREFIX}-settle` });
    ({ stages } = h);
  });

  afterAll(() => h.close());

  const noop = async () => undefined;
  const newJob = () =>
    createTestJob(h.orchestrator, {
      mediaInfo: MEDIA,
      options: { ...DEFAULT_JOB_OPTIONS, aspects: ['9:16'] },
    });
  const claim = async (
    jobId: string,
    stage: 'transcription' | 'silence' | 'layout' | 'segmenting',
  ) => (await stages.claim(jobId, stage, 'w', 30))!;

  it('says what became runnable, what settled and the job, down to a rendering skipped for want of clips', async () => {
    const jobId = await newJob();
    const t = await stages.complete(
      jobId,
      'transcription',
      await claim(jobId, 'transcription'),
      noop,
      {},
    );
    expect(t.runnable).toEqual([]);
    expect(settledOf(t)).toEqual([['transcription', 'completed', 1]]);
    expect(t.job).toMatchObject({ status: 'running', error: null });
    expect(stagesOf(t)).toMatchObject({ transcription: 'completed', segmenting: 'pending' });

    await stages.complete(jobId, 'silence', await claim(jobId, 'silence'), noop, {});
    const layout = await stages.complete(jobId, 'layout', await claim(jobId, 'layout'), noop, {
      status: 'skipped',
    });
    expect(layout.runnable).toEqual([{ kind: 'stage', jobId, stage: 'segmenting', attempt: 0 }]);
    expect(settledOf(layout)).toEqual([['layout', 'skipped', 1]]);
    expect(layout.settled[0].durationMs).toBeGreaterThanOrEqual(0);
    expect(stagesOf(layout)).toMatchObject({ layout: 'skipped', segmenting: 'queued' });

    // Segmenting selects nothing: rendering settles in the same transaction, and the job with it.
    const seg = await stages.complete(
      jobId,
      'segmenting',
      await claim(jobId, 'segmenting'),
      noop,
      {},
    );
    expect(seg.runnable).toEqual([]);
    expect(settledOf(seg)).toEqual([
      ['segmenting', 'completed', 1],
      ['rendering', 'skipped', 0],
    ]);
    expect(seg.settled[1].durationMs).toBe(0);
    expect(seg.job).toMatchObject({ status: 'completed', error: null });
    expect(stagesOf(seg)).toMatchObject({ segmenting: 'completed', rendering: 'skipped' });
  });

  it('settles a stage failed for good with the stages it cancelled and the failed job; a retry settles nothing', async () => {
    const jobId = await newJob();
    const t = await claim(jobId, 'transcription');
    const retry = await stages.fail(jobId, 'transcription', t, 'S3 503', {
      ...POLICY,
      permanent: false,
    });
    expect(retry).toMatchObject({ willRetry: true, settled: [], runnable: [] });
    expect(retry.retry).toMatchObject({ kind: 'stage', stage: 'transcription', attempt: t });
    expect(retry.job?.status).toBe('running');
    expect(stagesOf(retry)).toMatchObject({ transcription: 'queued' });

    const s = await claim(jobId, 'silence');
    const failed = await stages.fail(jobId, 'silence', s, 'not a media file', {
      ...POLICY,
      permanent: true,
    });
    expect(failed.willRetry).toBe(false);
    expect(settledOf(failed)[0]).toEqual(['silence', 'failed', 1]);
    // The cancelled ones come in no particular order.
    expect(settledOf(failed).slice(1).sort()).toEqual(
      [
        ['layout', 'cancelled', 0],
        ['rendering', 'cancelled', 0],
        ['segmenting', 'cancelled', 0],
        ['transcription', 'cancelled', 1],
      ].sort(),
    );
    expect(failed.job).toMatchObject({ status: 'failed', error: 'silence: not a media file' });

    // A refused (stale) failure changes nothing and settles nothing, but still says where the job is.
    const stale = await stages.fail(jobId, 'silence', s, 'late', { ...POLICY, permanent: true });
    expect(stale).toMatchObject({ willRetry: false, settled: [], runnable: [] });
    expect(stale.job?.status).toBe('failed');
  });

  it('settles rendering and the job with the last clip', async () => {
    const jobId = await newJob();
    const clipId = await fanOutOneClip(stages, jobId, { start: 5, end: 20 });
    const c = (await h.clips.claim(clipId, 30))!;
    const done = await h.clips.complete(clipId, c.attempt, {
      videoKey: `jobs/${jobId}/clips/x.mp4`,
    });
    expect(done.runnable).toEqual([]);
    expect(settledOf(done)).toEqual([['rendering', 'completed', 0]]);
    expect(done.settled[0].durationMs).toBeGreaterThanOrEqual(0);
    expect(done.job).toMatchObject({ status: 'completed', error: null });
    expect(done.replacedKeys).toEqual([]);
  });
});
