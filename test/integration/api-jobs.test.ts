import { readFileSync } from 'node:fs';
import { smallMp4 } from '../fixtures/small-media.fixture';
import { startApi, streamJob, tenantKeys, type ApiHarness, type TestKey } from '../support/api-app';
import { insertSegment, insertTranscript } from '../support/factories';
import { parsePrometheusText, sampleValue } from '../support/prom-text.parser';

jest.setTimeout(90_000);

let api: ApiHarness;
let alice: TestKey;
let bob: TestKey;
let ops: TestKey;
let media: Buffer;

interface JobView {
  id: string;
  status: string;
  stages: Array<{ stage: string; status: string; attempt: number; durationMs: number | null }>;
}

beforeAll(async () => {
  // No workers run here; /health would rightly turn degraded once jobs waited a minute for them.
  api = await startApi({ WORKER_ABSENT_SECONDS: '3600' });
  [alice, bob, ops] = await tenantKeys(api);
  media = readFileSync(await smallMp4());
});
afterAll(() => api?.close());

const newJob = (key: TestKey, options: unknown = {}) =>
  streamJob<JobView>(api, key, media, { options });

const msg = (body: unknown) => (body as { message: string }).message;

describe('authentication and errors', () => {
  it('needs a valid key and answers JSON errors', async () => {
    const none = await api.call('GET', '/v1/jobs');
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    expect((await api.call('GET', '/v1/jobs', { key: 'clk_not-a-real-key-at-all' })).status).toBe(
      401,
    );
    const viaHeader = await api.call('GET', '/v1/jobs', { headers: { 'x-api-key': alice.key } });
    expect(viaHeader.status).toBe(200);
    const missing = await api.call('GET', '/v1/nothing-here', { key: alice });
    expect(missing.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
  });
});

describe('job options validation', () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['clipCount too low', { clipCount: 0 }, /clipCount must not be less than 1/],
    ['clipCount too high', { clipCount: 51 }, /clipCount must not be greater than 50/],
    ['minClipSeconds too short', { minClipSeconds: 4 }, /minClipSeconds must not be less than 5/],
    [
      'max below min',
      { minClipSeconds: 40, maxClipSeconds: 30 },
      /maxClipSeconds \(30\) must be at least minClipSeconds \(40\)/,
    ],
    [
      'maxClipSeconds too long',
      { maxClipSeconds: 601 },
      /maxClipSeconds must not be greater than 600/,
    ],
    ['empty aspects', { aspects: [] }, /aspects must contain at least 1 elements/],
    ['unknown aspect', { aspects: ['4:3'] }, /each value in aspects must be one of/],
    ['duplicate aspects', { aspects: ['1:1', '1:1'] }, /aspects's elements must be unique/],
    ['captions not boolean', { captions: 'yes' }, /captions must be a boolean/],
    ['bad language', { language: 'x' }, /language must be "auto" or a 2–10 character/],
    ['unknown field', { clips: 3 }, /options\.property clips should not exist/],
  ];
  it.each(cases)('400 for %s', async (_name, options, re) => {
    const res = await api.call('POST', '/v1/uploads', {
      key: alice,
      json: { filename: 'a.mp4', size: 1000, contentType: 'video/mp4', options },
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(msg(res.body)).toMatch(re);
  });

  it('400 for unknown top-level fields and for options in a form', async () => {
    const res = await api.call('POST', '/v1/jobs', {
      key: alice,
      json: { sourceKey: 'x', extra: 1 },
    });
    expect(res.status).toBe(400);
    expect(msg(res.body)).toMatch(/property extra should not exist/);
  });
});

describe('jobs API', () => {
  let a1: JobView;
  let a2: JobView;
  let b1: JobView;

  beforeAll(async () => {
    a1 = await newJob(alice, { clipCount: 2 });
    a2 = await newJob(alice);
    b1 = await newJob(bob);
  });

  it('shows a job with every stage', async () => {
    const res = await api.call('GET', `/v1/jobs/${a1.id}`, { key: alice });
    expect(res.status).toBe(200);
    const job = res.body as JobView & { options: { clipCount: number }; clips: { total: number } };
    expect(job.options.clipCount).toBe(2);
    expect(job.stages).toHaveLength(6);
    for (const s of job.stages) {
      expect(s).toEqual(
        expect.objectContaining({
          status: expect.any(String),
          progress: expect.any(Number),
          attempt: expect.any(Number),
        }),
      );
      expect(s).toHaveProperty('etaSeconds');
      expect(s).toHaveProperty('queuedAt');
      expect(s).toHaveProperty('startedAt');
      expect(s).toHaveProperty('finishedAt');
      expect(s).toHaveProperty('error');
      expect(s).toHaveProperty('summary');
    }
    expect(job.clips.total).toBe(0);
  });

  it('lists only the caller’s jobs, newest first, with a cursor', async () => {
    const first = await api.call('GET', '/v1/jobs?limit=1', { key: alice });
    const p1 = first.body as { items: JobView[]; nextCursor: string | null };
    expect(p1.items.map((j) => j.id)).toEqual([a2.id]);
    expect(p1.nextCursor).toBeTruthy();
    const second = await api.call('GET', `/v1/jobs?limit=1&cursor=${p1.nextCursor}`, {
      key: alice,
    });
    const p2 = second.body as { items: JobView[]; nextCursor: string | null };
    const ids = p2.items.map((j) => j.id);
    expect(ids).toHaveLength(1);
    expect(ids).not.toContain(a2.id);
    expect(ids).not.toContain(b1.id);

    const all = await api.call('GET', '/v1/jobs?limit=100', { key: alice });
    const mine = (all.body as { items: JobView[] }).items.map((j) => j.id);
    expect(mine).toEqual(expect.arrayContaining([a1.id, a2.id]));
    expect(mine).not.toContain(b1.id);

    const opsAll = await api.call('GET', '/v1/jobs?limit=100', { key: ops });
    expect((opsAll.body as { items: JobView[] }).items.map((j) => j.id)).toEqual(
      expect.arrayContaining([a1.id, a2.id, b1.id]),
    );
    const filtered = await api.call('GET', '/v1/jobs?status=completed', { key: alice });
    expect((filtered.body as { items: JobView[] }).items).toEqual([]);
    expect((await api.call('GET', '/v1/jobs?status=weird', { key: alice })).status).toBe(400);
    expect((await api.call('GET', '/v1/jobs?cursor=garbage', { key: alice })).status).toBe(400);
  });

  it('answers 404 for another creator’s job everywhere', async () => {
    const paths = ['', '/transcript', '/silences', '/layout', '/segments', '/clips', '/logs'];
    for (const p of paths) {
      const res = await api.call('GET', `/v1/jobs/${a1.id}${p}`, { key: bob });
      expect([p, res.status]).toEqual([p, 404]);
    }
    expect((await api.call('POST', `/v1/jobs/${a1.id}/cancel`, { key: bob })).status).toBe(404);
    expect((await api.call('DELETE', `/v1/jobs/${a1.id}`, { key: bob })).status).toBe(404);
    expect((await api.call('GET', `/v1/jobs/${a1.id}`, { key: ops })).status).toBe(200);
    expect((await api.call('GET', '/v1/jobs/not-a-uuid', { key: alice })).status).toBe(404);
    // A creator cannot start a job from someone else's source either.
    const steal = await api.call('POST', '/v1/jobs', {
      key: bob,
      json: { sourceKey: `jobs/${a1.id}/source.mp4` },
    });
    expect(steal.status).toBe(404);
  });

  it('creates a job from an object already in the bucket (ops; creators only from their own)', async () => {
    await api.storage.putBuffer('imports/episode.mp4', media, 'video/mp4');
    const creator = await api.call('POST', '/v1/jobs', {
      key: alice,
      json: { sourceKey: 'imports/episode.mp4' },
    });
    expect(creator.status).toBe(404);
    const res = await api.call('POST', '/v1/jobs', {
      key: ops,
      json: { sourceKey: 'imports/episode.mp4', options: { aspects: ['16:9'] } },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      sourceKey: 'imports/episode.mp4',
      options: { aspects: ['16:9'] },
    });
    const missing = await api.call('POST', '/v1/jobs', {
      key: ops,
      json: { sourceKey: 'imports/none.mp4' },
    });
    expect(missing.status).toBe(404);
  });

  it('answers 409 naming the pending stage, then serves results once stored', async () => {
    const early = await api.call('GET', `/v1/jobs/${a1.id}/transcript`, { key: alice });
    expect(early.status).toBe(409);
    expect(msg(early.body)).toMatch(/transcription stage has not finished/);
    expect((await api.call('GET', `/v1/jobs/${a1.id}/clips`, { key: alice })).status).toBe(409);

    // Store what a transcription worker would have written.
    await insertTranscript(
      api.db.manager,
      a1.id,
      [{ text: 'hello', start: 0.5, end: 0.9, confidence: 0.9 }],
      {
        modelVersion: 'pocketsphinx 5prealpha en-us',
        text: 'hello there. general kenobi',
        segments: [
          { text: 'hello there.', start: 0.5, end: 1.25 },
          { text: 'general kenobi', start: 61.004, end: 62.5 },
        ],
      },
    );
    await api.db.query(
      `UPDATE job_stages SET status = 'completed', attempt = 1, started_at = now() - interval '2 seconds', finished_at = now()
        WHERE job_id = $1 AND stage = 'transcription'`,
      [a1.id],
    );
    const json = await api.call('GET', `/v1/jobs/${a1.id}/transcript`, { key: alice });
    expect(json.status).toBe(200);
    expect(json.body).toMatchObject({
      engine: 'pocketsphinx',
      language: 'en',
      words: [{ text: 'hello' }],
    });
    const srt = await api.call('GET', `/v1/jobs/${a1.id}/transcript?format=srt`, { key: alice });
    expect(srt.headers.get('content-type')).toMatch(/subrip/);
    expect(srt.text).toContain('1\n00:00:00,500 --> 00:00:01,250\nhello there.');
    expect(srt.text).toContain('00:01:01,004 --> 00:01:02,500');
    const vtt = await api.call('GET', `/v1/jobs/${a1.id}/transcript?format=vtt`, { key: alice });
    expect(vtt.text.startsWith('WEBVTT')).toBe(true);
    expect(vtt.text).toContain('00:00:00.500 --> 00:00:01.250');
    const txt = await api.call('GET', `/v1/jobs/${a1.id}/transcript?format=txt`, { key: alice });
    expect(txt.text).toContain('general kenobi');
    expect(
      (await api.call('GET', `/v1/jobs/${a1.id}/transcript?format=doc`, { key: alice })).status,
    ).toBe(400);

    const detail = await api.call('GET', `/v1/jobs/${a1.id}`, { key: alice });
    const t = (detail.body as JobView).stages.find((s) => s.stage === 'transcription');
    expect(t?.durationMs).toBeGreaterThanOrEqual(1900);
  });

  it('serves segments and lets the owner promote a runner-up', async () => {
    const sel = '11111111-1111-4111-8111-111111111111';
    const runner = '22222222-2222-4222-8222-222222222222';
    const segment = { reason: 'test', text: 'words' };
    await insertSegment(api.db.manager, a2.id, { ...segment, id: sel, score: 80 });
    await insertSegment(api.db.manager, a2.id, {
      ...segment,
      id: runner,
      rank: 2,
      start: 40,
      end: 70,
      score: 60,
      selected: false,
    });
    const early = await api.call('GET', `/v1/jobs/${a2.id}/segments`, { key: alice });
    expect(early.status).toBe(409);
    expect(msg(early.body)).toMatch(/segmenting stage/);
    await api.db.query(
      `UPDATE job_stages SET status = 'completed' WHERE job_id = $1 AND stage IN ('transcription','silence','layout','segmenting')`,
      [a2.id],
    );
    const segs = await api.call('GET', `/v1/jobs/${a2.id}/segments`, { key: alice });
    expect(segs.body).toMatchObject({
      selected: [{ id: sel, rank: 1 }],
      runnersUp: [{ id: runner, rank: 2 }],
    });
    expect(
      (await api.call('POST', `/v1/jobs/${a2.id}/segments/${runner}/promote`, { key: bob })).status,
    ).toBe(404);
    const promoted = await api.call('POST', `/v1/jobs/${a2.id}/segments/${runner}/promote`, {
      key: alice,
    });
    expect(promoted.status).toBe(200);
    expect(promoted.body).toMatchObject({ segmentId: runner, selected: true, rerendered: true });
    const after = await api.call('GET', `/v1/jobs/${a2.id}/segments`, { key: alice });
    expect((after.body as { selected: unknown[] }).selected).toHaveLength(2);
    const again = await api.call('POST', `/v1/jobs/${a2.id}/segments/${runner}/promote`, {
      key: alice,
    });
    expect(again.status).toBe(409);
    const clips = await api.call('GET', `/v1/jobs/${a2.id}/clips`, { key: alice });
    expect(clips.status).toBe(200);
  });

  it('pages the processing log', async () => {
    const res = await api.call('GET', `/v1/jobs/${a1.id}/logs?limit=1`, { key: alice });
    expect(res.status).toBe(200);
    const page = res.body as {
      items: Array<{ id: number; stage: string }>;
      nextAfter: number | null;
    };
    expect(page.items.length).toBe(1);
    expect(page.items[0].stage).toBe('probe');
  });

  it('cancels and deletes', async () => {
    const job = await newJob(alice);
    const c = await api.call('POST', `/v1/jobs/${job.id}/cancel`, { key: alice });
    expect(c.status).toBe(200);
    expect((c.body as JobView).status).toBe('cancelled');
    const d = await api.call('DELETE', `/v1/jobs/${job.id}`, { key: alice });
    expect(d.status).toBe(204);
    expect((await api.call('GET', `/v1/jobs/${job.id}`, { key: alice })).status).toBe(404);
    expect(await api.storage.head(`jobs/${job.id}/source.mp4`)).toBeNull();
  });
});

describe('operations', () => {
  it('refuses creators with 403 on every ops endpoint', async () => {
    const job = await newJob(alice);
    const calls: Array<[string, string, unknown?]> = [
      ['POST', `/v1/jobs/${job.id}/stages/silence/rerun`],
      ['POST', `/v1/jobs/${job.id}/retry`],
      ['POST', '/v1/ops/queues/silence/pause'],
      ['POST', '/v1/ops/queues/silence/resume'],
      ['GET', '/v1/ops/queues'],
      ['GET', '/v1/ops/queues/silence/failed'],
      ['GET', '/v1/ops/stages/failed'],
      ['PUT', `/v1/jobs/${job.id}/layout/crop-plans`, { cropPlans: [] }],
    ];
    for (const [method, path, json] of calls) {
      const res = await api.call(method, path, { key: alice, json });
      expect([path, res.status]).toEqual([path, 403]);
    }
  });

  it('shows queues, pauses and resumes them, and re-runs stages', async () => {
    const job = await newJob(alice);
    const q = await api.call('GET', '/v1/ops/queues', { key: ops });
    expect(q.status).toBe(200);
    const stats = q.body as Array<{ stage: string; waiting: number; paused: boolean }>;
    expect(stats.map((s) => s.stage)).toEqual([
      'transcription',
      'silence',
      'layout',
      'segmenting',
      'rendering',
    ]);
    expect(stats.find((s) => s.stage === 'silence')?.waiting).toBeGreaterThan(0);

    expect((await api.call('POST', '/v1/ops/queues/silence/pause', { key: ops })).status).toBe(200);
    const paused = await api.call('GET', '/v1/ops/queues', { key: ops });
    expect((paused.body as typeof stats).find((s) => s.stage === 'silence')?.paused).toBe(true);
    expect((await api.call('POST', '/v1/ops/queues/silence/resume', { key: ops })).status).toBe(
      200,
    );
    const resumed = await api.call('GET', '/v1/ops/queues', { key: ops });
    expect((resumed.body as typeof stats).find((s) => s.stage === 'silence')?.paused).toBe(false);
    expect((await api.call('POST', '/v1/ops/queues/probe/pause', { key: ops })).status).toBe(400);

    const bad = await api.call('POST', `/v1/jobs/${job.id}/stages/nonsense/rerun`, { key: ops });
    expect(bad.status).toBe(400);
    expect(msg(bad.body)).toMatch(/Unknown stage "nonsense"/);
    const rerun = await api.call('POST', `/v1/jobs/${job.id}/stages/silence/rerun`, { key: ops });
    expect(rerun.status).toBe(202);
    const nothing = await api.call('POST', `/v1/jobs/${job.id}/retry`, { key: ops });
    expect(nothing.status).toBe(409);
    expect(msg(nothing.body)).toMatch(/nothing to retry/);

    const failed = await api.call('GET', '/v1/ops/queues/silence/failed?limit=5', { key: ops });
    expect(failed.status).toBe(200);
    expect(Array.isArray(failed.body)).toBe(true);
    await api.db.query(
      `UPDATE job_stages SET status = 'failed', error = 'ffmpeg exploded', finished_at = now() WHERE job_id = $1 AND stage = 'layout'`,
      [job.id],
    );
    const stages = await api.call('GET', '/v1/ops/stages/failed', { key: ops });
    expect(stages.body).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ jobId: job.id, stage: 'layout', error: 'ffmpeg exploded' }),
      ]),
    );
    const retry = await api.call('POST', `/v1/jobs/${job.id}/retry`, { key: ops });
    expect(retry.status).toBe(202);
    expect(retry.body).toEqual({ jobId: job.id, stages: ['layout'] });
    const after = await api.call('GET', `/v1/jobs/${job.id}`, { key: ops });
    const layout = (after.body as JobView).stages.find((s) => s.stage === 'layout');
    expect(layout?.status).toBe('queued');
  });

  it('validates and replaces crop plans', async () => {
    const job = await newJob(alice);
    const plan = {
      aspect: '9:16',
      sourceWidth: 320,
      sourceHeight: 240,
      scenes: [
        { sceneIndex: 0, start: 0, end: 4, keyframes: [{ t: 0, x: 100, y: 0, w: 135, h: 240 }] },
      ],
    };
    const bad = await api.call('PUT', `/v1/jobs/${job.id}/layout/crop-plans`, {
      key: ops,
      json: { cropPlans: [{ ...plan, aspect: '4:3' }] },
    });
    expect(bad.status).toBe(400);
    const noLayout = await api.call('PUT', `/v1/jobs/${job.id}/layout/crop-plans`, {
      key: ops,
      json: { cropPlans: [plan] },
    });
    expect(noLayout.status).toBe(409);
    await api.db.query(
      `INSERT INTO layout_analyses (job_id, sample_fps, frame_count, scenes, scene_cuts, face_tracks, crop_plans, note, attempt)
       VALUES ($1, 2, 8, '[]', '[]', '[]', '[]', NULL, 1)`,
      [job.id],
    );
    await api.db.query(
      `UPDATE job_stages SET status = 'completed' WHERE job_id = $1 AND stage = 'layout'`,
      [job.id],
    );
    const ok = await api.call('PUT', `/v1/jobs/${job.id}/layout/crop-plans`, {
      key: ops,
      json: { cropPlans: [plan] },
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ rerendered: false });
    const layout = await api.call('GET', `/v1/jobs/${job.id}/layout`, { key: alice });
    expect(layout.body).toMatchObject({ cropPlans: [plan] });
  });
});

describe('health, metrics and docs', () => {
  it('reports every dependency on /health without a key', async () => {
    const res = await api.call('GET', '/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'ok',
      checks: { postgres: { ok: true }, redis: { ok: true }, s3: { ok: true } },
    });
  });

  it('serves Prometheus text on /metrics', async () => {
    const res = await api.call('GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain;.*version=0\.0\.4/);
    const metrics = parsePrometheusText(res.text);
    expect(metrics.get('clipline_queue_jobs')?.type).toBe('gauge');
    for (const state of ['waiting', 'paused', 'active', 'delayed', 'failed'])
      expect(
        sampleValue(metrics, 'clipline_queue_jobs', {
          stage: 'silence',
          queue: 'clipline-silence',
          state,
        }),
      ).toBeGreaterThanOrEqual(0);
    expect(metrics.get('clipline_jobs')?.type).toBe('gauge');
    // Jobs this API created in this file; a counter, so deleting them never lowers it.
    expect(metrics.get('clipline_jobs_created_total')?.type).toBe('counter');
    expect(sampleValue(metrics, 'clipline_jobs_created_total')).toBeGreaterThanOrEqual(1);
    // Stage durations and failures are counted by the workers; the types are the same everywhere.
    expect(metrics.get('clipline_stage_duration_seconds')?.type).toBe('histogram');
    expect(metrics.get('clipline_stage_failures_total')?.type).toBe('counter');
    expect(metrics.get('clipline_process_resident_memory_bytes')?.type).toBe('gauge');
  });

  it('serves the OpenAPI docs', async () => {
    const html = await api.call('GET', '/docs');
    expect(html.status).toBe(200);
    expect(html.text).toContain('swagger');
    const spec = await api.call('GET', '/docs-json');
    const paths = Object.keys((spec.body as { paths: Record<string, unknown> }).paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/v1/uploads',
        '/v1/jobs',
        '/v1/jobs/{id}/transcript',
        '/v1/ops/queues',
        '/health',
      ]),
    );
  });
});
