import { loadConfig } from '@clipline/config';
import { DEFAULT_JOB_OPTIONS, type WorkerStage } from '@clipline/contracts';
import {
  ClipEntity,
  ContentSegmentEntity,
  JobEntity,
  JobStageEntity,
  StagePartEntity,
} from '@clipline/database';
import {
  StaleAttemptError,
  ClipRows,
  type JobOrchestrator,
  type PartRows,
  type Reconciler,
  type Runnable,
  type Settlement,
  type StageRows,
} from '@clipline/pipeline';
import type { DataSource } from 'typeorm';
import {
  completeParallelStages,
  createTestJob,
  fanOutOneClip,
  segmentRow,
  videoMediaInfo,
} from '../support/factories';
import { startPipelineHarness, type PipelineHarness } from '../support/pipeline-harness';

const MAX = 4;

/** A new job's stages: probe done in the API, the three parallel ones queued. */
const FRESH = [
  ['probe', 'completed'],
  ['transcription', 'queued'],
  ['silence', 'queued'],
  ['layout', 'queued'],
  ['segmenting', 'pending'],
  ['rendering', 'pending'],
];

/** The settled stages as [stage, status, attempt], in the order the transaction settled them. */
const settledOf = (s: Pick<Settlement, 'settled'>) =>
  s.settled.map((x) => [x.stage, x.status, x.attempt]);
const statusesOf = (s: Pick<Settlement, 'job'>) =>
  Object.fromEntries((s.job?.stages ?? []).map((r) => [r.stage, r.status]));

/**
 * The stage state machine against real Postgres and Redis: fencing of late
 * writes, the reconciler after a crash or a lost Redis, retries, re-runs that
 * replace outputs, and the clip fan-out settling the job.
 */
describe('pipeline state in Postgres, transport in Bull', () => {
  let h: PipelineHarness;
  let ds: DataSource;
  let stages: StageRows;
  let clips: ClipRows;
  let orchestrator: JobOrchestrator;
  let parts: PartRows;
  let reconciler: Reconciler;

  beforeAll(async () => {
    // Nobody consumes here: jobs stay waiting, so the test can inspect them.
    h = await startPipelineHarness({
      queuePrefix: `${process.env.QUEUE_PREFIX}-state`,
      cfg: {
        ...loadConfig(),
        RECONCILE_INTERVAL_SECONDS: 60,
        STALL_SECONDS: 30,
        STAGE_MAX_ATTEMPTS: MAX,
      },
    });
    ({ ds, stages, clips, orchestrator, parts } = h);
    // Queued rows are re-enqueued at once, not after the usual 2 s.
    ({ reconciler } = h.with({ reconcileGraceSeconds: 0 }));
  });

  afterAll(() => h.close());

  const stageRow = (jobId: string, stage: string) =>
    ds.getRepository(JobStageEntity).findOneByOrFail({ jobId, stage: stage as never });
  const bullIds = async (stage: WorkerStage) =>
    (await h.queues[stage].getJobs(['waiting', 'paused', 'delayed'])).map((j) => String(j.id));
  const noop = async () => undefined;

  const newJob = () =>
    createTestJob(orchestrator, {
      mediaInfo: videoMediaInfo(),
      options: { ...DEFAULT_JOB_OPTIONS, aspects: ['9:16', '1:1'] },
    });

  it('creates the stages, queues the three parallel ones, and fences late writes', async () => {
    const jobId = await newJob();
    const rows = await stages.stagesOf(jobId);
    expect(rows.map((r) => [r.stage, r.status])).toEqual(FRESH);
    expect(await bullIds('transcription')).toContain(`${jobId}.transcription.0`);

    const a1 = await stages.claim(jobId, 'transcription', 'w1', 30);
    expect(a1).toBe(1);
    // A duplicate message for a stage that is running and alive is a no-op.
    expect(await stages.claim(jobId, 'transcription', 'w2', 30)).toBeNull();

    // The worker dies: its heartbeat goes stale, and the reconciler takes the stage back.
    await ds.query(
      `UPDATE job_stages SET heartbeat_at = now() - interval '5 minutes' WHERE job_id = $1 AND stage = 'transcription'`,
      [jobId],
    );
    const report = await reconciler.runOnce();
    expect(report.takenBack).toBeGreaterThanOrEqual(1);
    expect((await stageRow(jobId, 'transcription')).status).toBe('queued');
    expect(await bullIds('transcription')).toContain(`${jobId}.transcription.1`);

    const a2 = await stages.claim(jobId, 'transcription', 'w2', 30);
    expect(a2).toBe(2);
    // The old worker comes back to life: its heartbeat and its result are refused.
    expect(await stages.heartbeat(jobId, 'transcription', 1)).toBe(false);
    await expect(stages.complete(jobId, 'transcription', 1, noop, {})).rejects.toBeInstanceOf(
      StaleAttemptError,
    );
    expect((await stageRow(jobId, 'transcription')).status).toBe('running');
    expect((await stages.complete(jobId, 'transcription', 2, noop, {})).runnable).toEqual([]);
  });

  it('queues segmenting only when all three inputs are done, and re-enqueues it after Redis lost the message', async () => {
    const jobId = await newJob();
    let next: Runnable[] = [];
    for (const s of ['transcription', 'silence', 'layout'] as const) {
      const attempt = (await stages.claim(jobId, s, 'w', 30))!;
      ({ runnable: next } = await stages.complete(jobId, s, attempt, noop, {
        status: s === 'layout' ? 'skipped' : 'completed',
      }));
    }
    expect(next).toEqual([{ kind: 'stage', jobId, stage: 'segmenting', attempt: 0 }]);
    // The commit happened but the enqueue never did (crash, or Redis flushed).
    expect(await bullIds('segmenting')).not.toContain(`${jobId}.segmenting.0`);
    await reconciler.runOnce();
    expect(await bullIds('segmenting')).toContain(`${jobId}.segmenting.0`);
    // Running it again finds the live Bull job and adds nothing.
    const before = (await bullIds('segmenting')).length;
    await reconciler.runOnce();
    expect((await bullIds('segmenting')).length).toBe(before);
  });

  it('promotes a stage whose inputs are all done but that no completion promoted, leaving a job someone holds for the next pass', async () => {
    const jobId = await newJob();
    await completeParallelStages(stages, jobId);
    // As two sibling completions committing at the same moment leave it: each
    // locked only its own row and read the other as still running.
    await ds.query(
      `UPDATE job_stages SET status = 'pending', queued_at = NULL WHERE job_id = $1 AND stage = 'segmenting'`,
      [jobId],
    );
    // A worker's transaction holds one of the job's rows: the pass must not wait for it.
    const qr = ds.createQueryRunner();
    await qr.connect();
    await qr.startTransaction();
    try {
      await qr.query(
        `SELECT id FROM job_stages WHERE job_id = $1 AND stage = 'layout' FOR UPDATE`,
        [jobId],
      );
      const started = Date.now();
      await reconciler.runOnce();
      expect(Date.now() - started).toBeLessThan(5000);
      expect((await stageRow(jobId, 'segmenting')).status).toBe('pending');
    } finally {
      await qr.rollbackTransaction();
      await qr.release();
    }
    const report = await reconciler.runOnce();
    expect(report.promoted).toBeGreaterThanOrEqual(1);
    expect((await stageRow(jobId, 'segmenting')).status).toBe('queued');
    expect(await bullIds('segmenting')).toContain(`${jobId}.segmenting.0`);
  });

  it('retries transient failures with backoff and fails bad input at once', async () => {
    const jobId = await newJob();
    const a = (await stages.claim(jobId, 'silence', 'w', 30))!;
    const policy = { maxAttempts: 3, baseDelayMs: 1000 };
    const transient = await stages.fail(jobId, 'silence', a, 'S3 503', {
      ...policy,
      permanent: false,
    });
    expect(transient.willRetry).toBe(true);
    const row = await stageRow(jobId, 'silence');
    expect(row.status).toBe('queued');
    expect(row.retryAt!.getTime()).toBeGreaterThan(Date.now());
    await h.scheduler.enqueue(transient.retry!);
    const delayed = await h.queues.silence.getJob(`${jobId}.silence.${a}`);
    expect(await delayed!.getState()).toBe('delayed');

    const b = (await stages.claim(jobId, 'silence', 'w', 30))!;
    const permanent = await stages.fail(jobId, 'silence', b, 'not a media file', {
      ...policy,
      permanent: true,
    });
    expect(permanent.willRetry).toBe(false);
    expect((await stageRow(jobId, 'silence')).status).toBe('failed');
    const job = await ds.getRepository(JobEntity).findOneByOrFail({ id: jobId });
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(/silence: not a media file/);

    // retry re-runs the failed stage and what the failure cancelled.
    expect(await orchestrator.retryJob(jobId)).toEqual(['transcription', 'silence', 'layout']);
    expect((await stageRow(jobId, 'silence')).status).toBe('queued');
    expect((await ds.getRepository(JobEntity).findOneByOrFail({ id: jobId })).status).toBe(
      'running',
    );
  });

  it('fans rendering out per clip, settles the job, and a segmenting re-run replaces clips instead of adding', async () => {
    const jobId = await newJob();
    await completeParallelStages(stages, jobId);
    const writeSegments = async (m: import('typeorm').EntityManager) => {
      await m.delete(ContentSegmentEntity, { jobId });
      const ins = await m.insert(
        ContentSegmentEntity,
        [1, 2].map((rank) => segmentRow(jobId, { rank, start: rank * 10, end: rank * 10 + 8 })),
      );
      const ids = ins.identifiers.map((i) => i.id as string);
      await ClipRows.insertQueued(m, jobId, ids, ['9:16', '1:1']);
    };
    const seg1 = (await stages.claim(jobId, 'segmenting', 'w', 30))!;
    const { runnable: fanout } = await stages.complete(
      jobId,
      'segmenting',
      seg1,
      writeSegments,
      {},
    );
    expect(fanout.filter((r) => r.kind === 'clip')).toHaveLength(4);

    // Two clips complete, one fails for good, the reconciler does not touch the rest.
    const ids = fanout.map((r) => (r as { clipId: string }).clipId);
    for (const id of ids.slice(0, 3)) {
      const c = (await clips.claim(id, 30))!;
      expect(await clips.claim(id, 30)).toBeNull();
      if (id === ids[2])
        await clips.fail(id, c.attempt, 'decode error', {
          permanent: true,
          maxAttempts: 3,
          baseDelayMs: 100,
        });
      else await clips.complete(id, c.attempt, { videoKey: `k/${id}.mp4` });
    }
    expect((await stageRow(jobId, 'rendering')).status).toBe('running');
    const last = (await clips.claim(ids[3], 30))!;
    await clips.complete(ids[3], last.attempt, { videoKey: `k/${ids[3]}.mp4` });
    const rendering = await stageRow(jobId, 'rendering');
    expect(rendering.status).toBe('completed');
    expect(rendering.error).toBe('1 of 4 clips failed');
    expect((await ds.getRepository(JobEntity).findOneByOrFail({ id: jobId })).status).toBe(
      'completed',
    );

    // Re-run segmenting: downstream resets, the new result replaces segments and clips.
    await orchestrator.rerunStage(jobId, 'segmenting');
    expect((await stageRow(jobId, 'rendering')).status).toBe('pending');
    const seg2 = (await stages.claim(jobId, 'segmenting', 'w', 30))!;
    expect(seg2).toBe(seg1 + 1);
    await stages.complete(jobId, 'segmenting', seg2, writeSegments, {});
    expect(await ds.getRepository(ContentSegmentEntity).count({ where: { jobId } })).toBe(2);
    const after = await ds.getRepository(ClipEntity).find({ where: { jobId } });
    expect(after).toHaveLength(4);
    expect(after.every((c) => c.status === 'queued' && !ids.includes(c.id))).toBe(true);
  });

  const stall = (table: 'job_stages' | 'clips' | 'stage_parts', where: string, args: unknown[]) =>
    ds.query(
      `UPDATE ${table} SET heartbeat_at = now() - interval '5 minutes' WHERE ${where}`,
      args,
    );

  it('counts every take-back as an attempt: a stage whose worker dies each time fails after the maximum, and the job settles', async () => {
    const jobId = await newJob();
    const attempts: number[] = [];
    for (let i = 0; i < MAX; i++) {
      const a = await stages.claim(jobId, 'layout', 'w', 30, MAX);
      expect(a).not.toBeNull();
      attempts.push(a!);
      // The worker is OOM-killed: no heartbeat, no failStage, nothing.
      await stall('job_stages', `job_id = $1 AND stage = 'layout'`, [jobId]);
      await reconciler.runOnce();
    }
    expect(attempts).toEqual([1, 2, 3, 4]);
    const layout = await stageRow(jobId, 'layout');
    expect(layout.status).toBe('failed');
    expect(layout.attempt).toBe(MAX);
    expect(layout.error).toBe('the worker stopped responding on each of 4 attempts (stalled)');
    expect(await stages.claim(jobId, 'layout', 'w', 30, MAX)).toBeNull();
    const job = await ds.getRepository(JobEntity).findOneByOrFail({ id: jobId });
    expect(job.status).toBe('failed');
    expect(job.error).toBe('layout: the worker stopped responding on each of 4 attempts (stalled)');
  });

  it('counts a take-back by a claim too: a clip stalled at its last attempt fails instead of running a fifth time', async () => {
    const jobId = await newJob();
    const clipId = await fanOutOneClip(stages, jobId, { start: 0, end: 8 });
    for (let i = 1; i <= MAX; i++) {
      const c = await clips.claim(clipId, 30, MAX);
      expect(c?.attempt).toBe(i);
      await stall('clips', 'id = $1', [clipId]);
    }
    // Another worker receives the message: the take-back is the fifth try, which is one too many.
    expect(await clips.claim(clipId, 30, MAX)).toBeNull();
    const clip = await ds.getRepository(ClipEntity).findOneByOrFail({ id: clipId });
    expect(clip.status).toBe('failed');
    expect(clip.attempt).toBe(MAX);
    expect(clip.error).toMatch(/the worker stopped responding on .*4.* \(stalled\)/);
    const rendering = await stageRow(jobId, 'rendering');
    expect(rendering.status).toBe('failed');
    expect((await ds.getRepository(JobEntity).findOneByOrFail({ id: jobId })).status).toBe(
      'failed',
    );
  });

  it('counts take-backs of parts: a part whose worker dies each time fails at the maximum', async () => {
    const jobId = await newJob();
    const a = (await stages.claim(jobId, 'transcription', 'w', 30))!;
    const [part] = await parts.plan(jobId, 'transcription', a, [
      { start: 0, end: 60 },
      { start: 60, end: 120 },
    ]);
    for (let i = 1; i <= MAX; i++) {
      expect((await parts.claim(part.id, 30))?.attempt).toBe(i);
      await stall('stage_parts', 'id = $1', [part.id]);
    }
    expect(await parts.claim(part.id, 30)).toBeNull();
    const row = await ds.getRepository(StagePartEntity).findOneByOrFail({ id: part.id });
    expect(row.status).toBe('failed');
    expect(row.error).toMatch(/stopped responding.*\(stalled\)/);
  });

  it('takes back a part whose worker died and queues it again, so an idle worker takes it without waiting for the coordinator', async () => {
    const jobId = await newJob();
    const a = (await stages.claim(jobId, 'layout', 'w', 30))!;
    const [p0, p1] = await parts.plan(jobId, 'layout', a, [
      { start: 0, end: 60 },
      { start: 60, end: 120 },
    ]);
    const claimed = (await parts.claim(p1.id, 30))!;
    // The stage's coordinator is alive; only the part's worker died.
    await stall('stage_parts', 'id = $1', [p1.id]);
    await reconciler.runOnce();
    const row = await ds.getRepository(StagePartEntity).findOneByOrFail({ id: p1.id });
    expect(row.status).toBe('queued');
    expect(await bullIds('layout')).toContain(`part.${p1.id}.${claimed.attempt}`);
    // A part nobody claimed is not the reconciler's to touch.
    const untouched = await ds.getRepository(StagePartEntity).findOneByOrFail({ id: p0.id });
    expect(untouched.status).toBe('queued');
  });

  it('keeps job and stages in agreement: a stage failing for good cancels the siblings still waiting to retry, and retry brings them back', async () => {
    const jobId = await newJob();
    const policy = { maxAttempts: 3, baseDelayMs: 60_000 };
    const t = (await stages.claim(jobId, 'transcription', 'w', 30))!;
    await stages.fail(jobId, 'transcription', t, 'S3 503', { ...policy, permanent: false });
    expect((await stageRow(jobId, 'transcription')).retryAt).not.toBeNull();
    const l = (await stages.claim(jobId, 'layout', 'w', 30))!;
    const s = (await stages.claim(jobId, 'silence', 'w', 30))!;
    await stages.fail(jobId, 'silence', s, 'not a media file', { ...policy, permanent: true });

    const job = await ds.getRepository(JobEntity).findOneByOrFail({ id: jobId });
    expect(job.status).toBe('failed');
    const rows = await stages.stagesOf(jobId);
    const open = rows.filter((r) => ['pending', 'queued', 'running'].includes(r.status));
    expect(open).toEqual([]);
    for (const stage of ['transcription', 'layout', 'segmenting', 'rendering']) {
      const r = rows.find((x) => x.stage === stage)!;
      expect([stage, r.status, r.error, r.retryAt]).toEqual([
        stage,
        'cancelled',
        'job failed: silence',
        null,
      ]);
    }
    // The layout worker still running loses its lease and cannot write.
    expect(await stages.heartbeat(jobId, 'layout', l)).toBe(false);
    await expect(stages.complete(jobId, 'layout', l, noop, {})).rejects.toBeInstanceOf(
      StaleAttemptError,
    );

    await orchestrator.retryJob(jobId);
    const again = await stages.stagesOf(jobId);
    expect(again.map((r) => [r.stage, r.status])).toEqual(FRESH);
    await completeParallelStages(stages, jobId);
    expect((await stageRow(jobId, 'segmenting')).status).toBe('queued');
    expect((await ds.getRepository(JobEntity).findOneByOrFail({ id: jobId })).status).toBe(
      'running',
    );
  });

  // A completion or failure says, from its own transaction, what became runnable, which
  // stages settled and what the job became: the runner announces from that.
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
    expect(statusesOf(t)).toMatchObject({ transcription: 'completed', segmenting: 'pending' });

    await stages.complete(jobId, 'silence', await claim(jobId, 'silence'), noop, {});
    const layout = await stages.complete(jobId, 'layout', await claim(jobId, 'layout'), noop, {
      status: 'skipped',
    });
    expect(layout.runnable).toEqual([{ kind: 'stage', jobId, stage: 'segmenting', attempt: 0 }]);
    expect(settledOf(layout)).toEqual([['layout', 'skipped', 1]]);
    expect(layout.settled[0].durationMs).toBeGreaterThanOrEqual(0);
    expect(statusesOf(layout)).toMatchObject({ layout: 'skipped', segmenting: 'queued' });

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
    expect(statusesOf(seg)).toMatchObject({ segmenting: 'completed', rendering: 'skipped' });
  });

  it('settles a stage failed for good with the stages it cancelled and the failed job; a retry settles nothing', async () => {
    const jobId = await newJob();
    const policy = { maxAttempts: 3, baseDelayMs: 60_000 };
    const t = await claim(jobId, 'transcription');
    const retry = await stages.fail(jobId, 'transcription', t, 'S3 503', {
      ...policy,
      permanent: false,
    });
    expect(retry).toMatchObject({ willRetry: true, settled: [], runnable: [] });
    expect(retry.retry).toMatchObject({ kind: 'stage', stage: 'transcription', attempt: t });
    expect(retry.job?.status).toBe('running');
    expect(statusesOf(retry)).toMatchObject({ transcription: 'queued' });

    const s = await claim(jobId, 'silence');
    const failed = await stages.fail(jobId, 'silence', s, 'not a media file', {
      ...policy,
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
    const stale = await stages.fail(jobId, 'silence', s, 'late', { ...policy, permanent: true });
    expect(stale).toMatchObject({ willRetry: false, settled: [], runnable: [] });
    expect(stale.job?.status).toBe('failed');
  });

  it('settles rendering and the job with the last clip', async () => {
    const jobId = await newJob();
    const clipId = await fanOutOneClip(stages, jobId, { start: 5, end: 20 });
    const c = (await clips.claim(clipId, 30))!;
    const done = await clips.complete(clipId, c.attempt, {
      videoKey: `jobs/${jobId}/clips/x.mp4`,
    });
    expect(done.runnable).toEqual([]);
    expect(settledOf(done)).toEqual([['rendering', 'completed', 0]]);
    expect(done.settled[0].durationMs).toBeGreaterThanOrEqual(0);
    expect(done.job).toMatchObject({ status: 'completed', error: null });
    expect(done.replacedKeys).toEqual([]);
  });
});
