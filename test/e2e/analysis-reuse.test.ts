import { readFileSync } from 'node:fs';
import { Client } from 'pg';
import { buildSpeech, TALK_SENTENCES } from '../fixtures/speech.fixture';
import { buildCutTalk } from '../fixtures/talking-head.fixture';
import { Stack, WORKERS, createTestKey, freePort } from '../support/stack';

jest.setTimeout(20 * 60_000);

interface JobView {
  id: string;
  status: string;
  reusedFromJobId: string | null;
  stages: Array<{ stage: string; status: string; attempt: number }>;
  clips: { total: number; completed: number };
}

/**
 * The real apps as processes: the same owner submits the same generated talk
 * twice. The second job must reach its first clip without any analysis worker
 * touching it, and it is timed against the first.
 */
describe('end to end: a second submission of the same content', () => {
  let stack: Stack;
  let base: string;
  let key: string;
  let db: Client;

  beforeAll(async () => {
    db = new Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
    key = await createTestKey(db, 'reuse');
    // As bootStack, with more patience: on a shared 2-core machine a worker can take over a minute to start.
    Stack.assertBuilt();
    const port = await freePort();
    stack = new Stack({
      ...process.env,
      LOG_LEVEL: 'log',
      HEARTBEAT_SECONDS: '1',
      RECONCILE_INTERVAL_SECONDS: '1',
      PORT: String(port),
    });
    base = `http://127.0.0.1:${port}`;
    stack.start('api');
    await stack.waitForLine('api', /API listening/, 300_000);
    for (const w of WORKERS) stack.start(w);
    await Promise.all(WORKERS.map((w) => stack.waitForLine(w, /ready/, 300_000)));
  });

  afterAll(async () => {
    await stack?.stopAll();
    await db?.end();
  });

  const get = async (id: string): Promise<JobView> => {
    const res = await fetch(`${base}/v1/jobs/${id}`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(res.status).toBe(200);
    return (await res.json()) as JobView;
  };

  /** Submits, then polls until a clip is completed; returns the job and the seconds it took. */
  async function timeToFirstClip(file: Buffer): Promise<{ job: JobView; seconds: number }> {
    const t0 = Date.now();
    const form = new FormData();
    form.append(
      'options',
      JSON.stringify({ clipCount: 1, minClipSeconds: 12, maxClipSeconds: 30, aspects: ['9:16'] }),
    );
    form.append('file', new Blob([file], { type: 'video/mp4' }), 'talk.mp4');
    const res = await fetch(`${base}/v1/jobs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}` },
      body: form,
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as JobView;
    for (;;) {
      const job = await get(id);
      if (job.clips.completed > 0) return { job, seconds: (Date.now() - t0) / 1000 };
      if (job.status === 'failed' || Date.now() - t0 > 12 * 60_000) {
        throw new Error(
          `no clip: ${JSON.stringify(job.stages)}\n${stack.tail('render-worker', 20)}`,
        );
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  it('reuses the analysis and reaches its first clip in the time of rendering alone', async () => {
    const sentences = TALK_SENTENCES.slice(0, 10);
    const pauses = sentences.map((_, i) => [0.6, 1.2, 2.0, 0.8, 2.5][i % 5]);
    const speech = await buildSpeech({ sentences, pauses, leadIn: 0.5 });
    const total = Math.ceil(speech.truth.durationSec);
    const talk = await buildCutTalk(speech.wavPath, total, Math.round(total / 2));
    const file = readFileSync(talk.path);

    const first = await timeToFirstClip(file);
    expect(first.job.reusedFromJobId).toBeNull();
    const second = await timeToFirstClip(file);
    expect(second.job.reusedFromJobId).toBe(first.job.id);

    const starts = await db.query(
      `SELECT stage FROM processing_logs WHERE job_id = $1 AND event = 'start'`,
      [second.job.id],
    );
    // Only the renderer worked on the second job.
    expect(new Set(starts.rows.map((r: { stage: string }) => r.stage))).toEqual(
      new Set(['rendering']),
    );
    const work = await db.query(
      `SELECT stage, EXTRACT(EPOCH FROM finished_at - started_at) AS s FROM job_stages WHERE job_id = $1`,
      [first.job.id],
    );
    const took = Object.fromEntries(
      work.rows.map((r: { stage: string; s: string }) => [r.stage, Number(r.s)]),
    );
    console.log(
      `source ${talk.durationSec.toFixed(0)} s; time to first clip: first ${first.seconds.toFixed(1)} s, ` +
        `second (reused) ${second.seconds.toFixed(1)} s; first job's stages: ${JSON.stringify(took)}`,
    );
    expect(second.seconds).toBeLessThan(first.seconds);
  });
});
