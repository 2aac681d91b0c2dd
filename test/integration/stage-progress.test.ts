import { loadConfig } from '@clipline/config';
import {
  DEFAULT_JOB_OPTIONS,
  type JobStatusEvent,
  type StageJobPayload,
  type StageProgressEvent,
} from '@clipline/contracts';
import { ClipEntity, JobStageEntity, StagePartEntity } from '@clipline/database';
import { probeMedia } from '@clipline/media';
import type { ClipRows, ProgressEmitter, StageRows } from '@clipline/pipeline';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { smallMp4 } from '../fixtures/small-media.fixture';
import { startApi, type ApiHarness, type TestKey } from '../support/api-app';
import { completeParallelStages, createTestJob, fanOutClips } from '../support/factories';
import { startPipelineHarness, type PipelineHarness } from '../support/pipeline-harness';
import { layoutWorker as buildLayoutWorker } from '../support/worker-processors';

jest.setTimeout(240_000);

type Seen =
  | { event: 'stage.progress'; at: number; p: StageProgressEvent }
  | { event: 'job.status'; at: number; p: JobStatusEvent };

/**
 * Progress a user can trust, on a real split run: layout of a 40 s video in
 * 8 s parts with real ffmpeg and the face model, every event recorded as the
 * workers publish it, and the job view read through the API.
 */
describe('progress and ETA', () => {
  const cfg = loadConfig();
  let api: ApiHarness;
  let key: TestKey;
  let ds: DataSource;
  let h: PipelineHarness;
  let stages: StageRows;
  let clips: ClipRows;
  const seen: Seen[] = [];

  beforeAll(async () => {
    api = await startApi();
    key = await api.createKey('creator');
    ds = api.db;
    // Only this test's direct calls run work; part messages just wait.
    h = await startPipelineHarness({
      queuePrefix: `${cfg.QUEUE_PREFIX}-progress`,
      ds,
      storage: api.storage,
    });
    ({ stages, clips } = h);
    const publish = h.emitter.emit.bind(h.emitter);
    // Recorded on the way out; the real emitter still publishes them.
    h.emitter.emit = ((event, owner, payload) => {
      if (event === 'stage.progress' || event === 'job.status')
        seen.push({ event, at: Date.now(), p: payload } as Seen);
      publish(event, owner, payload);
    }) as ProgressEmitter['emit'];
  });

  afterAll(async () => {
    await h?.close();
    await api?.close();
  });

  async function newJob(seconds: number): Promise<string> {
    const jobId = randomUUID();
    const file = await smallMp4(seconds);
    const sourceKey = `jobs/${jobId}/source.mp4`;
    await api.storage.putFile(sourceKey, file, 'video/mp4');
    return createTestJob(h.orchestrator, {
      jobId,
      ownerKeyId: key.id,
      sourceKey,
      mediaInfo: await probeMedia(file),
      options: { ...DEFAULT_JOB_OPTIONS, aspects: ['9:16'] },
    });
  }

  const layoutWorker = () =>
    buildLayoutWorker(h, { ...cfg, STAGE_PART_SECONDS: 24, HEARTBEAT_SECONDS: 1 });

  it('moves within parts, keeps the ETA moving, and carries job-level numbers in the view and job.status', async () => {
    const jobId = await newJob(120);
    const worker = layoutWorker();
    await worker.handler.onModuleInit();
    // Parts completed as seen from outside, sampled while the stage runs.
    const partsDoneAt: number[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const done = await ds
          .getRepository(StagePartEntity)
          .countBy({ jobId, stage: 'layout', status: 'completed' });
        while (partsDoneAt.length < done) partsDoneAt.push(Date.now());
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const outcome = await worker.host.handle('layout', {
      data: { jobId, stage: 'layout', attempt: 0 } satisfies StageJobPayload,
    });
    sampling = false;
    await sampler;
    expect(outcome).toBe('completed');

    const parts = await ds.getRepository(StagePartEntity).findBy({ jobId, stage: 'layout' });
    expect(parts.length).toBeGreaterThanOrEqual(4);
    const progress = seen
      .filter(
        (s): s is Extract<Seen, { event: 'stage.progress' }> =>
          s.event === 'stage.progress' && s.p.jobId === jobId && s.p.stage === 'layout',
      )
      .map((s) => ({ ...s.p, at: s.at }));

    // Monotonic: never goes back.
    for (let i = 1; i < progress.length; i++)
      expect(progress[i].progress).toBeGreaterThanOrEqual(progress[i - 1].progress);
    // Moving before the first part is done, not stuck at 0 % until it ends.
    const firstPartDone = partsDoneAt[0];
    // The sampler sees a completion up to 100 ms late; leave a margin so a boundary event never counts.
    const early = progress.filter((e) => e.at < firstPartDone - 300 && e.progress > 0);
    expect(early.length).toBeGreaterThan(0);
    // Values between part boundaries: progress moves within parts.
    const n = parts.length;
    const within = progress.filter(
      (e) => Math.abs(e.progress * n - Math.round(e.progress * n)) > 0.05,
    );
    expect(within.length).toBeGreaterThan(0);
    // An ETA early on, and it changes as the run goes (never frozen at one value).
    expect(early.some((e) => e.etaSeconds !== null)).toBe(true);
    const etas = progress.map((e) => e.etaSeconds).filter((e): e is number => e !== null);
    expect(new Set(etas).size).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < progress.length; i++) {
      // Consecutive events a few seconds apart never show the same ETA.
      if (progress[i].at - progress[i - 1].at >= 2500 && progress[i].etaSeconds !== null)
        expect(progress[i].etaSeconds).not.toBe(progress[i - 1].etaSeconds);
    }

    // job.status carries job-level progress and ETA while the job runs.
    const status = seen
      .filter(
        (s): s is Extract<Seen, { event: 'job.status' }> =>
          s.event === 'job.status' && s.p.jobId === jobId,
      )
      .map((s) => s.p);
    const running = status.filter((s) => s.status === 'running' || s.status === 'queued');
    expect(running.length).toBeGreaterThan(1);
    for (const s of running) {
      expect(s.progress).toBeGreaterThanOrEqual(0);
      expect(s.progress).toBeLessThan(1);
    }
    expect(Math.max(...running.map((s) => s.progress))).toBeGreaterThan(0);

    // The view gives the same job-level numbers: layout done, the rest to go.
    const view = await api.call('GET', `/v1/jobs/${jobId}`, { key });
    expect(view.status).toBe(200);
    const body = view.body as { progress: number; etaSeconds: number | null };
    const last = status[status.length - 1];
    expect(body.progress).toBeGreaterThan(0);
    expect(body.progress).toBeLessThan(1);
    expect(body.progress).toBeCloseTo(last.progress, 5);
  });

  it('counts rendering as clips done plus the running clip’s fraction', async () => {
    const jobId = await newJob(4);
    await completeParallelStages(stages, jobId);
    await fanOutClips(
      stages,
      jobId,
      [1, 2].map((rank) => ({ rank, start: rank, end: rank + 1 })),
    );
    const [a, b] = await ds.getRepository(ClipEntity).find({ where: { jobId } });
    const ca = (await clips.claim(a.id, 30))!;
    await clips.complete(a.id, ca.attempt, {});
    const cb = (await clips.claim(b.id, 30))!;
    const rendering = () =>
      ds.getRepository(JobStageEntity).findOneByOrFail({ jobId, stage: 'rendering' });
    // The render worker's heartbeat carries the running clip's fraction.
    expect(await clips.heartbeat(b.id, cb.attempt, 0.5)).toBe(true);
    const row = await rendering();
    expect(row.progress).toBeCloseTo(0.75, 3);
    expect(row.etaSeconds).not.toBeNull();
    // What the runner publishes for a clip is that aggregate, not the clip's own 0..1.
    const share = await clips.report(b.id, cb.attempt, 0.6);
    expect(share?.progress).toBeCloseTo(0.8, 3);
    // A lower report (a retried render starting over) never takes the stage back.
    await clips.heartbeat(b.id, cb.attempt, 0.2);
    expect((await rendering()).progress).toBeCloseTo(0.8, 3);
  });
});
