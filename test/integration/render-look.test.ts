import { DEFAULT_JOB_OPTIONS } from '@clipline/contracts';
import { ClipEntity } from '@clipline/database';
import { probeMedia } from '@clipline/media';
import { randomUUID } from 'node:crypto';
import { smallMp4 } from '../fixtures/small-media.fixture';
import {
  createTestJob,
  fanOutOneClip,
  insertLayoutAnalysis,
  renderPayload,
} from '../support/factories';
import { startPipelineHarness, type PipelineHarness } from '../support/pipeline-harness';
import { renderWorker } from '../support/worker-processors';

jest.setTimeout(180_000);

/**
 * The render worker resolves the job's look and the clip's own, renders with
 * it and records, in the fenced completion, the layout it used and why.
 */
describe('render worker: clip looks', () => {
  let h: PipelineHarness;

  beforeAll(async () => {
    h = await startPipelineHarness({ queuePrefix: `${process.env.QUEUE_PREFIX}-look` });
  });
  afterAll(() => h.close());

  async function renderOne(jobLook: unknown, clipLook: unknown, withLayout: boolean) {
    const jobId = randomUUID();
    const file = await smallMp4();
    await h.storage.putFile(`jobs/${jobId}/source.mp4`, file, 'video/mp4');
    await createTestJob(h.orchestrator, {
      jobId,
      mediaInfo: await probeMedia(file),
      options: {
        ...DEFAULT_JOB_OPTIONS,
        aspects: ['9:16'],
        captions: true,
        look: jobLook as never,
      },
    });
    const clipId = await fanOutOneClip(h.stages, jobId, { start: 0.5, end: 3 });
    await h.ds.query(`UPDATE clips SET look = $2 WHERE id = $1`, [
      clipId,
      JSON.stringify(clipLook),
    ]);
    if (withLayout) {
      // The layout stage found no face in any of its 8 frames.
      await insertLayoutAnalysis(h.ds.manager, jobId, { scenes: [{ index: 0, start: 0, end: 4 }] });
    }
    const { host } = renderWorker(h, { ...h.cfg, CAPTION_ENGINE: 'off' });
    const clip = await h.ds.getRepository(ClipEntity).findOneByOrFail({ id: clipId });
    const outcome = await host.handle('rendering', { data: renderPayload({ ...clip, clipId }) });
    expect(outcome).toBe('completed');
    return h.ds.getRepository(ClipEntity).findOneByOrFail({ id: clipId });
  }

  it('auto picks fit-blur when the layout stage saw no face, and says so on the clip', async () => {
    const clip = await renderOne({ captions: { template: 'boxed' } }, null, true);
    expect(clip.status).toBe('completed');
    expect(clip.layoutChoice).toEqual({
      mode: 'fit-blur',
      reason: 'no face found in 100% of sampled frames → fit-blur',
    });
  });

  it("the clip's own layout wins over the job's, and is recorded as chosen", async () => {
    const clip = await renderOne(
      { layout: { mode: 'fit-blur' } },
      { layout: { mode: 'follow-face', smoothing: 0.9 }, captions: { template: 'word-by-word' } },
      false,
    );
    expect(clip.layoutChoice).toEqual({ mode: 'follow-face', reason: 'chosen in the look' });
    expect(clip.durationSec).toBeGreaterThan(2);
  });
});
