import { loadConfig } from '@clipline/config';
import {
  DEFAULT_JOB_OPTIONS,
  QUEUE_NAMES,
  WORKER_STAGES,
  type JobStatusEvent,
  type StageJobPayload,
  type StageProgressEvent,
  type WorkerStage,
} from '@clipline/contracts';
import {
  ClipEntity,
  ContentSegmentEntity,
  JobStageEntity,
  StagePartEntity,
} from '@clipline/database';
import { probeMedia } from '@clipline/media';
import {
  ClipRows,
  JobOrchestrator,
  PartCoordinator,
  PartRows,
  ProcessingLogger,
  ProgressEmitter,
  StageRunner,
  StageScheduler,
  StageRows,
  hostFor,
  redisOptionsFromUrl,
} from '@clipline/pipeline';
import Queue from 'bull';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { LayoutHandler } from '../../apps/layout-worker/src/layout.processor';
import { smallMp4 } from '../support/api-fixtures';
import { startApi, type ApiHarness, type TestKey } from '../support/api-app';

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
  let stages: StageRows;
  let clips: ClipRows;
  let orchestrator: JobOrchestrator;
  let emitter: ProgressEmitter;
  let logger: ProcessingLogger;
  let scheduler: StageScheduler;
  const seen: Seen[] = [];
  const queues = {} as Record<WorkerStage, Queue.Queue>;

  beforeAll(async () => {
    api = await startApi();
    key = await api.createKey('creator');
    ds = api.db;
    for (const s of WORKER_STAGES) {
      queues[s] = new Queue(QUEUE_NAMES[s], {
        redis: redisOptionsFromUrl(cfg.REDIS_URL),
        prefix: `${cfg.QUEUE_PREFIX}-progress`,
      });
      // Only this test's direct calls run work; part messages just wait.
      await queues[s].pause(true);
    }
    logger = new ProcessingLogger(ds);
    emitter = new ProgressEmitter(cfg.REDIS_URL, cfg.QUEUE_PREFIX);
    const publish = emitter.emit.bind(emitter);
    // Recorded on the way out; the real emitter still publishes them.
    emitter.emit = ((event, owner, payload) => {
      if (event === 'stage.progress' || event === 'job.status')
        seen.push({ event, at: Date.now(), p: payload } as Seen);
      publish(event, owner, payload);
    }) as ProgressEmitter['emit'];
    stages = new StageRows(ds);
    clips = new ClipRows(ds, stages);
    scheduler = new StageScheduler(queues);
    orchestrator = new JobOrchestrator(ds, stages, scheduler, logger, emitter, api.storage);
  });

  afterAll(async () => {
    for (const q of Object.values(queues)) {
      await q.obliterate({ force: true }).catch(() => undefined);
      await q.close();
    }
    await emitter.close();
    await api?.close();
  });

  async function newJob(seconds: number): Promise<string> {
    const jobId = randomUUID();
    const file = await smallMp4(seconds);
    const sourceKey = `jobs/${jobId}/source.mp4`;
    await api.storage.putFile(sourceKey, file, 'video/mp4');
    await orchestrator.createJob({
      jobId,
      ownerKeyId: key.id,
      sourceKey,
      sourceFilename: 'talk.mp4',
      sourceSizeBytes: 1000,
      mediaInfo: await probeMedia(file),
      options: { ...DEFAULT_JOB_OPTIONS, aspects: ['9:16'] },
    });
    return jobId;
  }

  function layoutWorker() {
    const c = { ...cfg, STAGE_PART_SECONDS: 24, HEARTBEAT_SECONDS: 1 };
    const storage = api.storage;
    const partStore = new PartRows(ds, c.STAGE_MAX_ATTEMPTS);
    const parts = new PartCoordinator(partStore, scheduler, logger, ds, storage, c);
    const handler = new LayoutHandler(c, parts);
    const runner = new StageRunner(ds, scheduler, logger, emitter, c);
    return { handler, host: hostFor(handler, { runner, stages, clips, storage, cfg: c, parts }) };
  }

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
    const noop = async () => undefined;
    for (const s of ['transcription', 'silence', 'layout'] as const)
      await stages.complete(jobId, s, (await stages.claim(jobId, s, 'w', 30))!, noop, {});
    const seg = (await stages.claim(jobId, 'segmenting', 'w', 30))!;
    await stages.complete(
      jobId,
      'segmenting',
      seg,
      async (m) => {
        for (const rank of [1, 2]) {
          const ins = await m.insert(ContentSegmentEntity, {
            jobId,
            rank,
            start: rank,
            end: rank + 1,
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
        }
      },
      {},
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
