import { loadConfig } from '@clipline/config';
import {
  DEFAULT_JOB_OPTIONS,
  QUEUE_NAMES,
  WORKER_STAGES,
  type RenderJobPayload,
  type WorkerStage,
} from '@clipline/contracts';
import {
  ClipEntity,
  ContentSegmentEntity,
  TranscriptEntity,
  createDataSource,
} from '@clipline/database';
import { probeMedia } from '@clipline/media';
import {
  ClipStore,
  JobOrchestrator,
  ProcessingLogger,
  ProgressEmitter,
  StageRunner,
  StageScheduler,
  StageStore,
  redisOptionsFromUrl,
} from '@clipline/pipeline';
import { storageFromConfig, type StorageService } from '@clipline/storage';
import Queue, { type Job } from 'bull';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { RenderProcessor } from '../../apps/render-worker/src/render.processor';
import { smallMp4 } from '../support/api-fixtures';
import { startGatedProxy } from '../support/gated-proxy';

jest.setTimeout(120_000);

/**
 * Two real render workers on one clip, with real ffmpeg and a real S3 server:
 * worker A claims, its network stalls, the reconciler's rule hands the clip to
 * worker B, which publishes; then A's network comes back and A uploads late.
 */
describe('render fencing: a worker that lost its lease cannot publish or overwrite', () => {
  const cfg = loadConfig();
  let ds: DataSource;
  let storage: StorageService;
  let clips: ClipStore;
  let stages: StageStore;
  let orchestrator: JobOrchestrator;
  let emitter: ProgressEmitter;
  let logger: ProcessingLogger;
  let scheduler: StageScheduler;
  const queues = {} as Record<WorkerStage, Queue.Queue>;

  beforeAll(async () => {
    ds = createDataSource(cfg.DATABASE_URL);
    await ds.initialize();
    for (const s of WORKER_STAGES) {
      queues[s] = new Queue(QUEUE_NAMES[s], {
        redis: redisOptionsFromUrl(cfg.REDIS_URL),
        prefix: `${cfg.QUEUE_PREFIX}-fence`,
      });
      await queues[s].pause(true);
    }
    logger = new ProcessingLogger(ds);
    emitter = new ProgressEmitter(cfg.REDIS_URL, cfg.QUEUE_PREFIX);
    stages = new StageStore(ds);
    clips = new ClipStore(ds, stages);
    scheduler = new StageScheduler(queues);
    storage = storageFromConfig(cfg);
    await storage.ensureBucket();
    orchestrator = new JobOrchestrator(ds, stages, scheduler, logger, emitter, storage);
  });

  afterAll(async () => {
    for (const q of Object.values(queues)) {
      await q.obliterate({ force: true }).catch(() => undefined);
      await q.close();
    }
    await emitter.close();
    await ds.destroy();
  });

  /** A job whose clip (one segment, 9:16) is queued for rendering, with a real source in S3. */
  async function jobWithQueuedClip(): Promise<{ jobId: string; clipId: string }> {
    const jobId = randomUUID();
    const file = await smallMp4();
    const sourceKey = `jobs/${jobId}/source.mp4`;
    await storage.putFile(sourceKey, file, 'video/mp4');
    await orchestrator.createJob({
      jobId,
      ownerKeyId: null,
      sourceKey,
      sourceFilename: 'talk.mp4',
      sourceSizeBytes: 1000,
      mediaInfo: await probeMedia(file),
      options: { ...DEFAULT_JOB_OPTIONS, aspects: ['9:16'], captions: true },
    });
    const noop = async () => undefined;
    for (const s of ['transcription', 'silence', 'layout'] as const)
      await stages.completeStage(jobId, s, (await stages.claimStage(jobId, s, 'w', 30))!, noop, {});
    const seg = (await stages.claimStage(jobId, 'segmenting', 'w', 30))!;
    const fanout = await stages.completeStage(
      jobId,
      'segmenting',
      seg,
      async (m) => {
        const ins = await m.insert(ContentSegmentEntity, {
          jobId,
          rank: 1,
          start: 0.5,
          end: 3,
          score: 50,
          features: {} as never,
          reason: 'r',
          text: 't',
          selected: true,
          attempt: 1,
        });
        await m.insert(ClipEntity, {
          jobId,
          segmentId: ins.identifiers[0].id as string,
          aspect: '9:16',
          status: 'queued',
        });
      },
      {},
    );
    return { jobId, clipId: (fanout[0] as { clipId: string }).clipId };
  }

  function worker(
    store: StorageService,
    overrides: Partial<typeof cfg> = {},
  ): { handle(p: RenderJobPayload): Promise<unknown> } {
    // The captions must show the transcript's words (which winner wrote them), not a caption tier's.
    const c = { ...cfg, CAPTION_ENGINE: 'off' as const, ...overrides };
    const runner = new StageRunner(ds, scheduler, logger, emitter, c);
    const p = new RenderProcessor(ds, runner, clips, store, emitter, c);
    return { handle: (data) => p.handle({ data } as Job<RenderJobPayload>) };
  }

  const clipRow = (id: string) => ds.getRepository(ClipEntity).findOneByOrFail({ id });
  const keysOf = (c: ClipEntity) => [c.videoKey, c.thumbnailKey, c.vttKey, c.srtKey];

  it('keeps the winner published when the loser uploads after it, and deletes the loser’s objects', async () => {
    const { jobId, clipId } = await jobWithQueuedClip();
    const clip0 = await clipRow(clipId);
    const payload: RenderJobPayload = {
      jobId,
      stage: 'rendering',
      attempt: 0,
      clipId,
      segmentId: clip0.segmentId,
      aspect: '9:16',
    };
    const proxy = await startGatedProxy(process.env.S3_ENDPOINT!);
    try {
      // Worker A reaches S3 only through the gate; its heartbeat is too slow to notice the take-over.
      const a = worker(storageFromConfig({ ...cfg, S3_ENDPOINT: proxy.endpoint }), {
        HEARTBEAT_SECONDS: 3600,
      });
      const aDone = a.handle(payload);
      // A has claimed, loaded its inputs (no transcript yet) and is waiting on the source.
      const t0 = Date.now();
      while (proxy.connections() === 0 && Date.now() - t0 < 30_000)
        await new Promise((r) => setTimeout(r, 50));
      expect(proxy.connections()).toBeGreaterThan(0);
      expect((await clipRow(clipId)).attempt).toBe(1);

      // The transcript arrives (a re-run), so B's captions differ from A's.
      await ds.getRepository(TranscriptEntity).insert({
        jobId,
        engine: 'test',
        model: 'm',
        modelVersion: 'v',
        language: 'en',
        text: 'winner words here',
        words: [
          { text: 'winner', start: 0.6, end: 1.0, confidence: 0.9 },
          { text: 'words', start: 1.1, end: 1.5, confidence: 0.9 },
          { text: 'here', start: 1.6, end: 2.0, confidence: 0.9 },
        ],
        segments: [{ text: 'winner words here', start: 0.6, end: 2.0 }],
        note: null,
        attempt: 1,
      });
      // A's heartbeat is stale: worker B takes the clip over and publishes.
      await ds.query(
        `UPDATE clips SET heartbeat_at = now() - interval '10 minutes' WHERE id = $1`,
        [clipId],
      );
      expect(await worker(storage).handle(payload)).toBe('completed');
      const won = await clipRow(clipId);
      expect([won.status, won.attempt]).toEqual(['completed', 2]);
      const published = await storage.getText(won.vttKey!);
      expect(published).toContain('winner');

      // A's network comes back: it renders, uploads late and tries to complete.
      proxy.open();
      expect(await aDone).toBe('lost-lease');

      const after = await clipRow(clipId);
      expect([after.status, after.attempt]).toEqual(['completed', 2]);
      expect(keysOf(after)).toEqual(keysOf(won));
      // Neither overwritten nor replaced: the published captions are still the winner's.
      expect(await storage.getText(after.vttKey!)).toBe(published);
      expect(await storage.getText(after.srtKey!)).toContain('winner');
      // Nothing of A's attempt is left in the bucket.
      const listed = await storage.listKeys(`jobs/${jobId}/clips/`);
      expect(listed.sort()).toEqual(keysOf(after).sort());
    } finally {
      await proxy.close();
    }
  });

  it('deletes the previous attempt’s objects once a newer one is published', async () => {
    const { jobId, clipId } = await jobWithQueuedClip();
    const c = await clipRow(clipId);
    const payload: RenderJobPayload = {
      jobId,
      stage: 'rendering',
      attempt: 0,
      clipId,
      segmentId: c.segmentId,
      aspect: '9:16',
    };
    expect(await worker(storage).handle(payload)).toBe('completed');
    const first = await clipRow(clipId);
    await orchestrator.rerunStage(jobId, 'rendering');
    expect(await worker(storage).handle(payload)).toBe('completed');
    const second = await clipRow(clipId);
    expect(second.attempt).toBe(first.attempt + 1);
    const listed = (await storage.listKeys(`jobs/${jobId}/clips/`)).sort();
    expect(listed).toEqual(keysOf(second).sort());
    // The row's keys name the attempt that wrote them.
    expect(second.videoKey).toMatch(new RegExp(`\\.a${second.attempt}\\.mp4$`));
  });
});
