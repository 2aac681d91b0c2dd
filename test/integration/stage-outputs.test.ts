import { loadConfig } from '@clipline/config';
import {
  DEFAULT_JOB_OPTIONS,
  type MediaInfo,
  type SegmentCandidate,
  type SilenceRegion,
  type SilenceStageSummary,
} from '@clipline/contracts';
import { ClipEntity, JobEntity, JobStageEntity, createDataSource } from '@clipline/database';
import {
  clipOutputs,
  layoutOutputs,
  segmentsOutputs,
  silenceOutputs,
  transcriptOutputs,
} from '@clipline/pipeline';
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';

const MEDIA: MediaInfo = {
  durationSec: 600,
  sizeBytes: 1000,
  formatName: 'wav',
  hasVideo: false,
  hasAudio: true,
  video: null,
  audio: { codec: 'pcm_s16le', sampleRate: 16000, channels: 1 },
};

const region = (kind: SilenceRegion['kind'], start: number, end: number, meanDb = -60) => ({
  kind,
  start,
  end,
  meanDb,
});

/**
 * The stage outputs modules against real Postgres: what a worker saves is
 * what the API and the next stage read back, a re-run replaces rather than
 * adds, and a render reads only the silence regions over its clip.
 */
describe('stage outputs in Postgres', () => {
  let ds: DataSource;
  let m: EntityManager;

  beforeAll(async () => {
    ds = createDataSource(loadConfig().DATABASE_URL);
    await ds.initialize();
    m = ds.manager;
  });
  afterAll(() => ds?.destroy());

  async function newJob(): Promise<string> {
    const id = randomUUID();
    await m.insert(JobEntity, {
      id,
      status: 'running',
      sourceKey: 'jobs/x/source.wav',
      mediaInfo: MEDIA,
      options: { ...DEFAULT_JOB_OPTIONS, aspects: ['9:16', '1:1'] },
    });
    return id;
  }

  it('reads only the silence regions overlapping a window, by start', async () => {
    const jobId = await newJob();
    await silenceOutputs.save(m, jobId, 1, [
      region('silence', 50, 52),
      region('non_speech', 8, 12),
      region('silence', 0, 9.999),
      region('silence', 30, 40.5),
      region('non_speech', 9, 41),
      region('silence', 40, 40.2),
      region('silence', 41, 45),
    ]);
    const window = await silenceOutputs.readWindow(m, jobId, { start: 10, end: 41 });
    // Cut by an edge or spanning the window: kept; ending at its start or starting at its end: not.
    expect(window).toEqual([
      region('non_speech', 8, 12),
      region('non_speech', 9, 41),
      region('silence', 30, 40.5),
      region('silence', 40, 40.2),
    ]);
    expect(await silenceOutputs.readWindow(m, jobId, { start: 45, end: 50 })).toEqual([]);
    expect((await silenceOutputs.read(m, jobId)).map((r) => r.start)).toEqual([
      0, 8, 9, 30, 40, 41, 50,
    ]);
  });

  it('replaces a job’s regions on a re-run, stores a soundless region at the floor, and batches long results', async () => {
    const jobId = await newJob();
    const other = await newJob();
    await silenceOutputs.save(m, other, 1, [region('silence', 1, 2)]);
    await silenceOutputs.save(m, jobId, 1, [region('silence', 0, 1)]);
    const many = Array.from({ length: 2500 }, (_, i) => region('silence', i * 0.2, i * 0.2 + 0.1));
    many[7] = region('silence', 1.4, 1.5, -Infinity);
    await silenceOutputs.save(m, jobId, 2, many);
    const back = await silenceOutputs.read(m, jobId);
    expect(back).toHaveLength(2500);
    expect(back[7]).toEqual(region('silence', 1.4, 1.5, -120));
    expect(await silenceOutputs.readWindow(m, jobId, { start: 100.05, end: 101.05 })).toHaveLength(
      6,
    );
    // Another job's rows are its own.
    expect(await silenceOutputs.read(m, other)).toEqual([region('silence', 1, 2)]);
  });

  it('gives segmenting the regions with the stage summary, typed, once the stage stored one', async () => {
    const jobId = await newJob();
    await m.insert(JobStageEntity, { jobId, stage: 'silence', status: 'running', attempt: 1 });
    await silenceOutputs.save(m, jobId, 1, [region('silence', 3, 4)]);
    expect(await silenceOutputs.readResult(m, jobId)).toBeNull();
    const summary: SilenceStageSummary = {
      durationSec: 600,
      speechRatio: 0.9,
      totalSilenceSec: 1,
      totalNonSpeechSec: 0,
      thresholdDb: -40,
      note: null,
      regions: 1,
    };
    await m.query(`UPDATE job_stages SET summary = $2 WHERE job_id = $1 AND stage = 'silence'`, [
      jobId,
      JSON.stringify(summary),
    ]);
    expect(await silenceOutputs.readResult(m, jobId)).toEqual({
      regions: [region('silence', 3, 4)],
      summary,
    });
  });

  it('round-trips the transcript and the layout, and copies both to another job', async () => {
    const jobId = await newJob();
    const t = {
      engine: 'pocketsphinx',
      model: 'en-us',
      modelVersion: 'pocketsphinx en-us (fast)',
      language: 'en',
      text: 'hello',
      words: [{ text: 'hello', start: 1, end: 1.4, confidence: 0.9 }],
      segments: [{ text: 'hello', start: 1, end: 1.4 }],
      note: null,
    };
    await transcriptOutputs.save(m, jobId, 1, { ...t, text: 'older' });
    await transcriptOutputs.save(m, jobId, 2, t);
    expect(await transcriptOutputs.read(m, jobId)).toMatchObject(t);
    const layout = {
      sampleFps: 2,
      frameCount: 4,
      scenes: [{ index: 0, start: 0, end: 2 }],
      sceneCuts: [],
      faceTracks: [],
      cropPlans: [],
      note: null,
    };
    await layoutOutputs.save(m, jobId, 1, layout);
    expect(await layoutOutputs.read(m, jobId)).toEqual(layout);
    const plans = [{ aspect: '9:16' as const, sourceWidth: 640, sourceHeight: 360, scenes: [] }];
    expect(await layoutOutputs.replaceCropPlans(m, jobId, plans)).toBe(true);
    expect((await layoutOutputs.read(m, jobId))?.cropPlans).toEqual(plans);

    const copy = await newJob();
    await transcriptOutputs.copy(m, jobId, copy);
    await layoutOutputs.copy(m, jobId, copy);
    expect(await transcriptOutputs.read(m, copy)).toMatchObject(t);
    expect((await layoutOutputs.read(m, copy))?.cropPlans).toEqual(plans);

    await layoutOutputs.clear(m, jobId);
    expect(await layoutOutputs.read(m, jobId)).toBeNull();
    expect(await layoutOutputs.replaceCropPlans(m, jobId, plans)).toBe(false);
  });

  it('saves segments with a queued clip per selected segment and aspect, replacing the last run and its clips', async () => {
    const jobId = await newJob();
    const job = { id: jobId, options: { aspects: ['9:16', '1:1'] as const } };
    const seg = (rank: number, start: number, selected: boolean): SegmentCandidate => ({
      rank,
      start,
      end: start + 30,
      score: 60,
      features: {} as SegmentCandidate['features'],
      reason: 'r',
      text: `segment ${rank}`,
      selected,
    });
    const first = await segmentsOutputs.save(m, { ...job, options: { aspects: ['9:16'] } }, 1, {
      segments: [seg(1, 0, true)],
      note: null,
    });
    expect(first.replacedKeys).toEqual([]);
    await m.update(ClipEntity, { jobId }, { videoKey: 'old.mp4', srtKey: 'old.srt' });

    const second = await segmentsOutputs.save(m, job, 2, {
      segments: [seg(1, 100, true), seg(2, 200, true), seg(3, 300, false)],
      note: null,
      shortfall: { requested: 3, selected: 2, reason: 'the rest is music' },
    });
    expect(second.replacedKeys.sort()).toEqual(['old.mp4', 'old.srt']);
    const segments = await segmentsOutputs.read(m, jobId);
    expect(segments.map((s) => [s.rank, s.start, s.selected])).toEqual([
      [1, 100, true],
      [2, 200, true],
      [3, 300, false],
    ]);
    const clips = await clipOutputs.readForJob(m, jobId);
    expect(clips).toHaveLength(4);
    expect(clips.every((c) => c.status === 'queued' && c.videoKey === null)).toBe(true);
    const selectedIds = segments.filter((s) => s.selected).map((s) => s.id);
    expect(new Set(clips.map((c) => `${c.segmentId}|${c.aspect}`))).toEqual(
      new Set(selectedIds.flatMap((id) => [`${id}|9:16`, `${id}|1:1`])),
    );
    const row = await m.findOneByOrFail(JobEntity, { id: jobId });
    expect(row.note).toBe('2 of 3 clips: the rest is music');

    await segmentsOutputs.save(m, job, 3, { segments: [], note: 'no speech' });
    expect(await segmentsOutputs.read(m, jobId)).toEqual([]);
    expect(await clipOutputs.readForJob(m, jobId)).toEqual([]);
    expect((await m.findOneByOrFail(JobEntity, { id: jobId })).note).toBe('no speech');
  });
});
