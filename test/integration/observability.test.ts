import { loadConfig } from '@clipline/config';
import { storageFromConfig } from '@clipline/storage';
import { readFileSync } from 'node:fs';
import { Client } from 'pg';
import { smallMp4 } from '../fixtures/small-media.fixture';
import {
  monotonicSamples,
  parsePrometheusText,
  sampleValue,
  type Family,
} from '../support/prom-text.parser';
import { createTestKey, freePort, Stack } from '../support/stack';

jest.setTimeout(180_000);

/**
 * The API and a silence worker as built processes, the way they run in
 * production: their /metrics parsed strictly and compared across scrapes,
 * their JSON log lines, and the processing log of a failed stage.
 */
describe('metrics and logs', () => {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // Own queues: no other test's worker takes these jobs.
    QUEUE_PREFIX: `${process.env.QUEUE_PREFIX}-obs`,
    STAGE_MAX_ATTEMPTS: '1',
    LOG_FORMAT: 'json',
    LOG_LEVEL: 'log',
  };
  let stack: Stack;
  let base: string;
  let workerMetrics: string;
  let db: Client;
  let key: string;
  const jobs: Record<string, string> = {};
  let first: { api: Map<string, Family>; worker: Map<string, Family> };

  const call = async (method: string, path: string, body?: FormData) => {
    const res = await fetch(base + path, {
      method,
      headers: { authorization: `Bearer ${key}` },
      body,
    });
    const text = await res.text();
    return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };

  const upload = async (): Promise<{ id: string; sourceKey: string }> => {
    const form = new FormData();
    // The same bytes every time: without reuse:false later jobs would copy the first one's analysis.
    form.append('options', JSON.stringify({ aspects: ['9:16'], reuse: false }));
    form.append('file', new Blob([readFileSync(await smallMp4())]), 'talk.mp4');
    const res = await call('POST', '/v1/jobs', form);
    expect(res.status).toBe(201);
    return res.json as { id: string; sourceKey: string };
  };

  const silenceStatus = async (jobId: string, want: string[]): Promise<string> => {
    const t0 = Date.now();
    for (;;) {
      const view = (await call('GET', `/v1/jobs/${jobId}`)).json as {
        stages: Array<{ stage: string; status: string }>;
      };
      const s = view.stages.find((x) => x.stage === 'silence')!.status;
      if (want.includes(s)) return s;
      if (Date.now() - t0 > 90_000)
        throw new Error(`silence is ${s}:\n${stack.tail('silence-worker')}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };

  const scrape = async (url: string) => {
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain;.*version=0\.0\.4/);
    return parsePrometheusText(await res.text());
  };
  const scrapeBoth = async () => ({
    api: await scrape(`${base}/metrics`),
    worker: await scrape(workerMetrics),
  });

  const logLines = () =>
    (stack.output.get('silence-worker') ?? [])
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);

  beforeAll(async () => {
    Stack.assertBuilt();
    db = new Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
    key = await createTestKey(db, 'observability');
    const port = await freePort();
    const metricsPort = await freePort();
    stack = new Stack({ ...env, PORT: String(port) });
    stack.start('api');
    stack.start('silence-worker', 'silence-worker', { METRICS_PORT: String(metricsPort) });
    await stack.waitForLine('api', /API listening/);
    await stack.waitForLine('silence-worker', /ready/);
    base = `http://127.0.0.1:${port}`;
    workerMetrics = `http://127.0.0.1:${metricsPort}/metrics`;

    // One stage that completes and one that fails (its source is gone), before the first
    // scrape; the queue is held until the source is deleted, so the worker cannot be first.
    expect((await call('POST', '/v1/ops/queues/silence/pause')).status).toBeLessThan(300);
    const good = await upload();
    const bad = await upload();
    await storageFromConfig(loadConfig(env)).deleteKeys([bad.sourceKey]);
    expect((await call('POST', '/v1/ops/queues/silence/resume')).status).toBeLessThan(300);
    jobs.good = good.id;
    jobs.bad = bad.id;
    expect(await silenceStatus(good.id, ['completed', 'failed'])).toBe('completed');
    expect(await silenceStatus(bad.id, ['completed', 'failed'])).toBe('failed');
    first = await scrapeBoth();
  });

  afterAll(async () => {
    await stack?.stopAll();
    await db?.end();
  });

  it('stores the stack tail of a failed stage in processing_logs, redacted', async () => {
    const rows = (
      await db.query(
        `SELECT event, message, details FROM processing_logs
          WHERE job_id = $1 AND stage = 'silence' AND event IN ('fail', 'retry')`,
        [jobs.bad],
      )
    ).rows as Array<{ event: string; message: string; details: string | null }>;
    expect(rows).toHaveLength(1);
    expect(rows[0].message).toMatch(/^silence failed: /);
    expect(rows[0].details).toMatch(/\n\s+at \S+/);
    expect(rows[0].details).not.toMatch(/https?:\/\/|X-Amz-|\/work\/|\/tmp\//);
  });

  it('logs JSON lines with job, stage, attempt and worker fields, and failures with their stack', () => {
    const lines = logLines();
    const worker = expect.stringMatching(/^[^:]+:\d+$/);
    expect(lines).toContainEqual(
      expect.objectContaining({
        app: 'silence-worker',
        jobId: jobs.good,
        stage: 'silence',
        attempt: 1,
        worker,
        msg: 'silence started',
      }),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({ jobId: jobs.good, stage: 'silence', msg: 'silence finished' }),
    );
    const failure = lines.find((l) => l.jobId === jobs.bad && l.level === 50);
    expect(failure).toMatchObject({ stage: 'silence', attempt: 1, worker, willRetry: false });
    expect((failure!.err as { stack?: string }).stack).toMatch(/\n\s+at /);
    // Nest's per-module start-up lines are debug output now.
    expect(lines.filter((l) => l.context === 'InstanceLoader')).toEqual([]);
  });

  it('counts attempts, failures by class and durations in the worker that ran them', () => {
    const w = first.worker;
    expect(sampleValue(w, 'clipline_stage_attempts_total', { stage: 'silence' })).toBe(2);
    const failures = w.get('clipline_stage_failures_total')!;
    expect(failures.type).toBe('counter');
    expect(
      failures.samples.filter((s) => s.labels.stage === 'silence').map((s) => s.labels.final),
    ).toEqual(['true']);
    expect(w.get('clipline_stage_duration_seconds')!.type).toBe('histogram');
    expect(
      sampleValue(w, 'clipline_stage_duration_seconds_count', {
        stage: 'silence',
        outcome: 'completed',
      }),
    ).toBe(1);
    for (const name of [
      'clipline_process_cpu_seconds_total',
      'clipline_process_resident_memory_bytes',
      'clipline_nodejs_heap_size_used_bytes',
      'clipline_nodejs_eventloop_lag_seconds',
    ]) {
      expect([name, w.has(name)]).toEqual([name, true]);
      expect([name, first.api.has(name)]).toEqual([name, true]);
    }
  });

  it('never lets a counter go down across scrapes, with a stage completing and jobs deleted between them', async () => {
    const next = await upload();
    expect(await silenceStatus(next.id, ['completed', 'failed'])).toBe('completed');
    expect((await call('DELETE', `/v1/jobs/${jobs.bad}`)).status).toBeLessThan(300);
    expect((await call('DELETE', `/v1/jobs/${jobs.good}`)).status).toBeLessThan(300);
    const second = await scrapeBoth();
    for (const which of ['api', 'worker'] as const) {
      const before = monotonicSamples(first[which]);
      const after = monotonicSamples(second[which]);
      expect(before.size).toBeGreaterThan(0);
      const dropped = [...before]
        .filter(([k, v]) => !(after.has(k) && after.get(k)! >= v))
        .map(([k, v]) => `${which} ${k}: ${v} -> ${after.get(k)}`);
      expect(dropped).toEqual([]);
    }
    expect(sampleValue(second.worker, 'clipline_stage_attempts_total', { stage: 'silence' })).toBe(
      3,
    );
    const created = (m: Map<string, Family>) => sampleValue(m, 'clipline_jobs_created_total');
    const deleted = (m: Map<string, Family>) => sampleValue(m, 'clipline_jobs_deleted_total');
    expect(created(second.api)! - created(first.api)!).toBe(1);
    expect(deleted(second.api)! - deleted(first.api)!).toBe(2);
  });

  it('counts the jobs a paused queue holds, in the ops API and in both metrics', async () => {
    expect((await call('POST', '/v1/ops/queues/silence/pause')).status).toBeLessThan(300);
    try {
      const held = await upload();
      expect(await silenceStatus(held.id, ['queued'])).toBe('queued');
      const t0 = Date.now();
      let silence: Record<string, unknown> | undefined;
      while (Date.now() - t0 < 10_000) {
        const queues = (await call('GET', '/v1/ops/queues')).json as unknown as Array<
          Record<string, unknown>
        >;
        silence = queues.find((q) => q.stage === 'silence');
        if (Number(silence?.pausedJobs) >= 1) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(silence).toMatchObject({ paused: true, pausedJobs: 1 });
      const { api, worker } = await scrapeBoth();
      for (const m of [api, worker]) {
        expect(sampleValue(m, 'clipline_queue_jobs', { stage: 'silence', state: 'paused' })).toBe(
          1,
        );
        expect(sampleValue(m, 'clipline_queue_paused', { stage: 'silence' })).toBe(1);
      }
    } finally {
      await call('POST', '/v1/ops/queues/silence/resume');
    }
  });
});
