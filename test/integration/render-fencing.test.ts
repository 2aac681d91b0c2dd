import { DEFAULT_JOB_OPTIONS, type RenderJobPayload } from '@clipline/contracts';
import { ClipEntity, TranscriptEntity } from '@clipline/database';
import { probeMedia } from '@clipline/media';
import { storageFromConfig, type StorageService } from '@clipline/storage';
import { randomUUID } from 'node:crypto';
import { smallMp4 } from '../fixtures/small-media.fixture';
import { startGatedProxy } from '../support/gated-proxy';
import { createTestJob, fanOutOneClip, renderPayload } from '../support/factories';
import { startPipelineHarness, type PipelineHarness } from '../support/pipeline-harness';
import { renderWorker } from '../support/worker-processors';

jest.setTimeout(120_000);

/**
 * Two real render workers on one clip, with real ffmpeg and a real S3 server:
 * worker A claims, its network stalls, the reconciler's rule hands the clip to
 * worker B, which publishes; then A's network comes back and A uploads late.
 */
describe('render fencing: a worker that lost its lease cannot publish or overwrite', () => {
  let h: PipelineHarness;
  let storage: StorageService;

  beforeAll(async () => {
    h = await startPipelineHarness({ queuePrefix: `${process.env.QUEUE_PREFIX}-fence` });
    storage = h.storage;
  });

  afterAll(() => h.close());

  /** A job whose clip (one segment, 9:16) is queued for rendering, with a real source in S3. */
  async function jobWithQueuedClip(): Promise<{ jobId: string; clipId: string }> {
    const jobId = randomUUID();
    const file = await smallMp4();
    await storage.putFile(`jobs/${jobId}/source.mp4`, file, 'video/mp4');
    await createTestJob(h.orchestrator, {
      jobId,
      mediaInfo: await probeMedia(file),
      options: { ...DEFAULT_JOB_OPTIONS, aspects: ['9:16'], captions: true },
    });
    return { jobId, clipId: await fanOutOneClip(h.stages, jobId, { start: 0.5, end: 3 }) };
  }

  function worker(
    store: StorageService,
    overrides: Partial<PipelineHarness['cfg']> = {},
  ): { handle(p: RenderJobPayload): Promise<unknown> } {
    // The captions must show the transcript's words (which winner wrote them), not a caption tier's.
    const { host } = renderWorker(h, { ...h.cfg, CAPTION_ENGINE: 'off', ...overrides }, store);
    return { handle: (data) => host.handle('rendering', { data }) };
  }

  const clipRow = (id: string) => h.ds.getRepository(ClipEntity).findOneByOrFail({ id });
  /** The Bull message the scheduler sends for the clip. */
  const payloadOf = async (clipId: string) => renderPayload({ ...(await clipRow(clipId)), clipId });
  const keysOf = (c: ClipEntity) => [c.videoKey, c.thumbnailKey, c.vttKey, c.srtKey];

  it('keeps the winner published when the loser uploads after it, and deletes the loser’s objects', async () => {
    const { jobId, clipId } = await jobWithQueuedClip();
    const payload = await payloadOf(clipId);
    const proxy = await startGatedProxy(process.env.S3_ENDPOINT!);
    try {
      // Worker A reaches S3 only through the gate; its heartbeat is too slow to notice the take-over.
      const a = worker(storageFromConfig({ ...h.cfg, S3_ENDPOINT: proxy.endpoint }), {
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
      await h.ds.getRepository(TranscriptEntity).insert({
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
      await h.ds.query(
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
    const payload = await payloadOf(clipId);
    expect(await worker(storage).handle(payload)).toBe('completed');
    const first = await clipRow(clipId);
    await h.orchestrator.rerunStage(jobId, 'rendering');
    expect(await worker(storage).handle(payload)).toBe('completed');
    const second = await clipRow(clipId);
    expect(second.attempt).toBe(first.attempt + 1);
    const listed = (await storage.listKeys(`jobs/${jobId}/clips/`)).sort();
    expect(listed).toEqual(keysOf(second).sort());
    // The row's keys name the attempt that wrote them.
    expect(second.videoKey).toMatch(new RegExp(`\\.a${second.attempt}\\.mp4$`));
  });
});
