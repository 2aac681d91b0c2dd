import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { readFileSync } from 'node:fs';
import { Client } from 'pg';
import { smallMp4 } from '../fixtures/small-media.fixture';
import { bootStack, createTestKey, WORKERS, type Stack } from '../support/stack';
import { cancelLeftoverJobs } from '../support/leftover-jobs';
import type { WorkerView } from '@clipline/contracts';

jest.setTimeout(180_000);

const STAGE_OF: Record<string, string> = {
  'transcription-worker': 'transcription',
  'silence-worker': 'silence',
  'layout-worker': 'layout',
  'segmenting-worker': 'segmenting',
  'render-worker': 'rendering',
};

/**
 * The real apps as processes: each worker registers and heartbeats in
 * Postgres; the API lists them and degrades /health when a stage with
 * waiting work has had no live worker for WORKER_ABSENT_SECONDS.
 */
describe('worker registry', () => {
  let stack: Stack;
  let base: string;
  let db: Client;
  let key: string;

  const get = async (path: string, auth = true) => {
    const res = await fetch(`${base}${path}`, {
      headers: auth ? { Authorization: `Bearer ${key}` } : {},
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const mine = async (): Promise<WorkerView[]> => {
    const pids = new Set([...stack.procs.values()].map((p) => p.pid));
    const { body } = await get('/v1/ops/workers');
    return (body.workers as WorkerView[]).filter((w) => pids.has(w.pid));
  };
  const until = async <T>(fn: () => Promise<T | undefined>, ms: number, what: string) => {
    const t0 = Date.now();
    for (;;) {
      const v = await fn();
      if (v !== undefined) return v;
      if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };

  beforeAll(async () => {
    db = new Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
    await cancelLeftoverJobs(db);
    key = await createTestKey(db, 'registry');
    ({ stack, base } = await bootStack({
      HEARTBEAT_SECONDS: '1',
      WORKER_ABSENT_SECONDS: '4',
      RECONCILE_INTERVAL_SECONDS: '1',
    }));
  });
  afterAll(async () => {
    await stack?.stopAll();
    // Gone workers count as "last seen"; other suites in this database start without them.
    await db?.query(`DELETE FROM workers`);
    await db?.end();
  });

  it('lists every worker process with host, pid, stage, version and start time', async () => {
    const started = Date.now();
    const workers = await until(
      async () => {
        const w = await mine();
        return w.length === WORKERS.length ? w : undefined;
      },
      15_000,
      'five registered workers',
    );
    for (const app of WORKERS) {
      const w = workers.find((x) => x.app === app)!;
      expect(w).toMatchObject({
        host: hostname(),
        pid: stack.procs.get(app)!.pid,
        stage: STAGE_OF[app],
        version: '0.1.0',
        live: true,
        currentWork: [],
        stoppedAt: null,
      });
      expect(Date.parse(w.startedAt)).toBeLessThanOrEqual(started);
    }
    // It heartbeats: the row gets fresher.
    const before = Date.parse(workers[0].heartbeatAt);
    await until(
      async () => {
        const w = (await mine()).find((x) => x.pid === workers[0].pid);
        return w && Date.parse(w.heartbeatAt) > before ? w : undefined;
      },
      5_000,
      'a newer heartbeat',
    );
    expect((await get('/v1/ops/workers', false)).status).toBe(401);

    const health = await get('/health', false);
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('ok');
    expect(health.body.workers).toMatchObject({
      transcription: { live: 1 },
      silence: { live: 1 },
      layout: { live: 1 },
      segmenting: { live: 1 },
      rendering: { live: 1 },
    });
  });

  it('shows the work a worker is doing while it does it', async () => {
    const form = new FormData();
    form.append('options', '{}');
    form.append('file', new Blob([readFileSync(await smallMp4())], { type: 'video/mp4' }), 'a.mp4');
    const res = await fetch(`${base}/v1/jobs`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${key}` },
      body: form,
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    try {
      const busy = await until(
        async () => (await mine()).find((w) => w.currentWork.some((c) => c.includes(id))),
        60_000,
        'a worker reporting work on the job',
      );
      expect(busy.currentWork).toEqual([
        expect.stringMatching(new RegExp(`^(${busy.stage}|clip \\S+) of job ${id}, attempt \\d+$`)),
      ]);
    } finally {
      await fetch(`${base}/v1/jobs/${id}/cancel`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${key}` },
      });
    }
    // Finished or dropped work leaves the list.
    await until(
      async () =>
        (await mine()).every((w) => !w.currentWork.some((c) => c.includes(id))) ? true : undefined,
      60_000,
      'current work to clear',
    );
  });

  it('degrades /health once a stage with waiting work has had no live worker for the window', async () => {
    const jobId = randomUUID();
    await db.query(
      `INSERT INTO jobs (id, status, source_key, media_info, options) VALUES ($1, 'running', $2, '{}', '{}')`,
      [jobId, `jobs/${jobId}/source.mp4`],
    );
    await db.query(
      `INSERT INTO job_stages (job_id, stage, status, queued_at) VALUES ($1, 'silence', 'queued', now())`,
      [jobId],
    );
    // Work waits, but a silence worker is alive: nothing to report.
    expect((await get('/health', false)).body).toMatchObject({ status: 'ok' });

    const killedAt = Date.now();
    await stack.kill('silence-worker', 'SIGKILL');
    const health = await until(
      async () => {
        const h = await get('/health', false);
        return h.body.status === 'degraded' ? h : undefined;
      },
      20_000,
      '/health degraded',
    );
    // Not before the window: the last heartbeat was at most a second before the kill.
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual(3_000);
    expect(health.status).toBe(200);
    expect(health.body.reasons).toEqual([
      expect.stringMatching(/^silence: no live worker for \d+ s while 1 job waits for it$/),
    ]);
    expect(health.body.workers).toMatchObject({ silence: { live: 0, waiting: 1 } });

    const killed = (await mine()).find((w) => w.app === 'silence-worker')!;
    expect(killed.live).toBe(false);
    expect(killed.stoppedAt).toBeNull();

    // A clean stop is recorded as such.
    await stack.kill('segmenting-worker', 'SIGTERM');
    const stopped = (await mine()).find((w) => w.app === 'segmenting-worker')!;
    expect(stopped).toMatchObject({ live: false });
    expect(stopped.stoppedAt).not.toBeNull();

    // Nothing waits any more: no reason to worry, even with silence still gone.
    await db.query(`DELETE FROM jobs WHERE id = $1`, [jobId]);
    expect((await get('/health', false)).body).toMatchObject({ status: 'ok' });
  });
});
