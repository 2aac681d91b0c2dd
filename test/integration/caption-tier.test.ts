import type { AppConfig } from '@clipline/config';
import {
  DEFAULT_JOB_OPTIONS,
  type RenderJobPayload,
  type TranscriptWord,
} from '@clipline/contracts';
import { ClipEntity, ContentSegmentEntity, ProcessingLogEntity } from '@clipline/database';
import { probeMedia } from '@clipline/media';
import {
  POCKETSPHINX_FAST_ARGS,
  transcribeRange,
  type ChunkTranscript,
} from '@clipline/transcription';
import { randomUUID } from 'node:crypto';
import type { StorageService } from '@clipline/storage';
import { Like, type DataSource } from 'typeorm';
import type { RenderHandler } from '../../apps/render-worker/src/render.processor';
import {
  normWords,
  realSpeechMp4,
  wordErrorRate,
  type RealSpeechFixture,
} from '../fixtures/real-speech.fixture';
import {
  completeParallelStages,
  createTestJob,
  fanOutClips,
  insertTranscript,
  renderPayload,
} from '../support/factories';
import { startPipelineHarness, type PipelineHarness } from '../support/pipeline-harness';
import { renderWorker } from '../support/worker-processors';

jest.setTimeout(600_000);

/** The words of a WebVTT file's cues, in order. */
const vttWords = (vtt: string) =>
  vtt
    .split('\n')
    .filter((l) => l && l !== 'WEBVTT' && !l.includes('-->') && !/^\d+$/.test(l))
    .flatMap((l) => normWords(l.replace(/<[^>]+>/g, ' ')));

/**
 * A real render worker on real speech (LJ Speech, real ffmpeg, real S3 and
 * pocketsphinx): the transcript is the fast pass; a selected segment is
 * rendered in two aspects at once; the sidecars must carry the caption tier's
 * words, recognised once for the segment, with the engine recorded.
 */
describe('caption tier in the render worker', () => {
  let h: PipelineHarness;
  let ds: DataSource;
  let storage: StorageService;
  let speech: RealSpeechFixture & { mp4Path: string };
  let fast: ChunkTranscript;

  beforeAll(async () => {
    h = await startPipelineHarness({ queuePrefix: `${process.env.QUEUE_PREFIX}-caption` });
    ({ ds, storage } = h);
    speech = await realSpeechMp4();
    // The fast tier, as the transcription worker makes it, over the first four utterances.
    fast = await transcribeRange(speech.wavPath, 0, speech.utterances[4].start, {
      engine: 'pocketsphinx',
      language: 'en',
      concurrency: 2,
      pocketsphinxArgs: POCKETSPHINX_FAST_ARGS,
    });
  });

  afterAll(() => h.close());

  /**
   * Utterances 2–4 (about 24 s) selected, clips queued in 9:16 and 1:1; with
   * `second`, utterances 5–6 selected too (rank 2), one 9:16 clip.
   */
  async function jobWithQueuedClips(second = false) {
    const jobId = randomUUID();
    const sourceKey = `jobs/${jobId}/source.mp4`;
    await storage.putFile(sourceKey, speech.mp4Path, 'video/mp4');
    await createTestJob(h.orchestrator, {
      jobId,
      sourceKey,
      filename: 'lj.mp4',
      mediaInfo: await probeMedia(speech.mp4Path),
      options: { ...DEFAULT_JOB_OPTIONS, aspects: ['9:16', '1:1'], captions: true },
    });
    const us = speech.utterances.slice(1, 4);
    const seg = { start: us[0].start - 0.3, end: us[2].end + 0.3 };
    const us2 = speech.utterances.slice(4, 6);
    const seg2 = { start: us2[0].start - 0.3, end: us2[1].end + 0.3 };
    await completeParallelStages(h.stages, jobId, {
      transcription: (m) =>
        insertTranscript(m, jobId, fast.words, {
          model: 'cmusphinx en-us',
          modelVersion: 'pocketsphinx en-us (fast)',
        }),
    });
    const fanout = await fanOutClips(h.stages, jobId, [
      { ...seg, score: 60, aspects: ['9:16', '1:1'] },
      ...(second ? [{ ...seg2, score: 55 }] : []),
    ]);
    const payloads = fanout.map(renderPayload);
    expect(payloads).toHaveLength(second ? 3 : 2);
    const ref = us.flatMap((u) => normWords(u.text));
    const fastWords = fast.words.filter((w) => w.start < seg.end && w.end > seg.start);
    return { jobId, payloads, seg, seg2, ref, fastWords };
  }

  const processors: RenderHandler[] = [];
  afterEach(async () => {
    // Recognition ahead runs past a clip's render: stop it before the next test.
    await Promise.all(processors.splice(0).map((p) => p.onModuleDestroy()));
  });

  function worker(overrides: Partial<AppConfig> = {}) {
    const { handler, host } = renderWorker(h, { ...h.cfg, ...overrides });
    processors.push(handler);
    return (data: RenderJobPayload) => host.handle('rendering', { data });
  }

  const texts = (ws: TranscriptWord[]) => ws.map((w) => w.text.toLowerCase());

  it('captions both aspects with the caption tier’s words, recognised once per segment', async () => {
    const { jobId, payloads, seg, ref, fastWords } = await jobWithQueuedClips();
    // Two workers, one per aspect, at the same time: one recognises, the other waits and reuses.
    const t0 = Date.now();
    const outcomes = await Promise.all(payloads.map((p) => worker()(p)));
    const wallSec = (Date.now() - t0) / 1000;
    expect(outcomes).toEqual(['completed', 'completed']);

    const segment = await ds.getRepository(ContentSegmentEntity).findOneByOrFail({ jobId });
    expect(segment.captionEngine).toMatchObject({
      tier: 'caption',
      engine: 'pocketsphinx',
      preset: 'accurate',
    });
    expect(segment.captionEngine!.modelVersion).toMatch(/pocketsphinx .*en-us/);
    const captionWords = segment.captionWords!;
    expect(captionWords.length).toBeGreaterThan(30);
    for (const w of captionWords) {
      expect((w.start + w.end) / 2).toBeGreaterThanOrEqual(seg.start);
      expect((w.start + w.end) / 2).toBeLessThan(seg.end);
    }
    const notes = await ds.getRepository(ProcessingLogEntity).findBy({
      jobId,
      message: Like('caption tier:%'),
    });
    expect(notes).toHaveLength(1);

    const rows = await ds.getRepository(ClipEntity).findBy({ jobId });
    for (const clip of rows) {
      expect(clip.captionEngine).toEqual(segment.captionEngine);
      const vtt = vttWords(await storage.getText(clip.vttKey!));
      const srt = vttWords(await storage.getText(clip.srtKey!));
      // The sidecars say exactly the caption tier's words, not the transcript's.
      expect(vtt).toEqual(texts(captionWords));
      expect(srt).toEqual(vtt);
      expect(vtt).not.toEqual(texts(fastWords));
    }
    const werFast = wordErrorRate(ref, texts(fastWords));
    const werCaption = wordErrorRate(ref, texts(captionWords));
    console.log(
      JSON.stringify({
        clipSec: +(seg.end - seg.start).toFixed(2),
        captionPassSec: +(segment.captionEngine!.elapsedMs! / 1000).toFixed(2),
        twoClipsWallSec: +wallSec.toFixed(1),
        werFast: +werFast.toFixed(3),
        werCaption: +werCaption.toFixed(3),
      }),
    );
    expect(werCaption).toBeLessThan(werFast);
  });

  it('recognises the next segment while the first clip is captioned and rendered, so its clip reuses the words', async () => {
    const { jobId, payloads, seg2 } = await jobWithQueuedClips(true);
    const render = worker();
    const [first, , next] = payloads;
    expect(await render(first)).toBe('completed');
    const segs = async () =>
      ds.getRepository(ContentSegmentEntity).find({ where: { jobId }, order: { rank: 'ASC' } });
    // The second segment's words come from the loop ahead, not from a clip of its own.
    const t0 = Date.now();
    while (!(await segs())[1].captionWords && Date.now() - t0 < 300_000)
      await new Promise((r) => setTimeout(r, 200));
    const ahead = (await segs())[1];
    expect(ahead.captionEngine).toMatchObject({ tier: 'caption', preset: 'accurate' });
    expect(ahead.captionWords!.length).toBeGreaterThan(10);
    for (const w of ahead.captionWords!) {
      expect((w.start + w.end) / 2).toBeGreaterThanOrEqual(seg2.start);
      expect((w.start + w.end) / 2).toBeLessThan(seg2.end);
    }
    expect(await render(next)).toBe('completed');
    const clip = await ds.getRepository(ClipEntity).findOneByOrFail({ id: next.clipId });
    expect(clip.captionEngine).toEqual(ahead.captionEngine);
    expect(vttWords(await storage.getText(clip.vttKey!))).toEqual(texts(ahead.captionWords!));
    // Only the first clip recognised for itself.
    const notes = await ds.getRepository(ProcessingLogEntity).countBy({
      jobId,
      message: Like('caption tier:%'),
    });
    expect(notes).toBe(1);
  });

  it('stores no caption words from a worker whose clip attempt was taken over mid-recognition', async () => {
    const { jobId, payloads } = await jobWithQueuedClips();
    // A slow heartbeat, so the worker only learns of the take-over when it writes.
    const done = worker({ HEARTBEAT_SECONDS: 3600 })(payloads[0]);
    const t0 = Date.now();
    const recognising = async () =>
      (await ds.getRepository(ProcessingLogEntity).countBy({
        jobId,
        command: Like('%pocketsphinx_continuous%'),
      })) > 0;
    while (!(await recognising()) && Date.now() - t0 < 300_000)
      await new Promise((r) => setTimeout(r, 100));
    // Another worker's claim (as after a stall) makes this attempt stale.
    await ds.query(`UPDATE clips SET attempt = attempt + 1 WHERE id = $1`, [payloads[0].clipId]);
    expect(await done).toBe('lost-lease');
    const segment = await ds.getRepository(ContentSegmentEntity).findOneByOrFail({ jobId });
    expect(segment.captionWords).toBeNull();
    expect(segment.captionEngine).toBeNull();
  });

  it('uses the transcript’s words, and says so, when the caption tier is off', async () => {
    const { jobId, payloads, fastWords } = await jobWithQueuedClips();
    const render = worker({ CAPTION_ENGINE: 'off' });
    for (const p of payloads) expect(await render(p)).toBe('completed');
    const segment = await ds.getRepository(ContentSegmentEntity).findOneByOrFail({ jobId });
    expect(segment.captionWords).toBeNull();
    for (const clip of await ds.getRepository(ClipEntity).findBy({ jobId })) {
      expect(clip.captionEngine).toMatchObject({
        tier: 'fast',
        engine: 'pocketsphinx',
        modelVersion: 'pocketsphinx en-us (fast)',
      });
      expect(vttWords(await storage.getText(clip.vttKey!))).toEqual(texts(fastWords));
    }
  });
});
