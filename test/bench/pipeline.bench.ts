import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { open, readdir, readFile } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { basename } from 'node:path';
import { promisify } from 'node:util';
import Redis from 'ioredis';
import { Pool, type Client } from 'pg';
import { STAGE_DEPENDENCIES, type StageName } from '@clipline/contracts';
import { FFMPEG_PATH } from '@clipline/media';
import { hashApiKey } from '../../apps/api/src/auth/api-keys.service';
import { apiJson } from '../support/api-client';
import { APPS, appEntry, freePort, Stack, type AppName } from '../support/stack';
import type { BenchFixture } from './bench-fixtures';

const exec = promisify(execFile);
const WORKERS = APPS.filter((a) => a !== 'api');
const STAGE_APP: Record<string, AppName> = {
  transcription: 'transcription-worker',
  silence: 'silence-worker',
  layout: 'layout-worker',
  segmenting: 'segmenting-worker',
  rendering: 'render-worker',
};
const MB = 1024 * 1024;

// ---------------------------------------------------------------- memory

async function childrenOf(pid: number): Promise<number[]> {
  try {
    const tasks = await readdir(`/proc/${pid}/task`);
    const out: number[] = [];
    for (const t of tasks) {
      const txt = await readFile(`/proc/${pid}/task/${t}/children`, 'utf8').catch(() => '');
      for (const c of txt.trim().split(/\s+/)) if (c) out.push(Number(c));
    }
    return out;
  } catch {
    return [];
  }
}

async function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number> {
  const txt = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(txt)?.[1] ?? 0);
}

/** RSS of a process and all its descendants (ffmpeg, pocketsphinx), kB. */
async function treeRssKb(pid: number): Promise<number> {
  let sum = await statusKb(pid, 'VmRSS');
  for (const c of await childrenOf(pid)) sum += await treeRssKb(c);
  return sum;
}

export interface MemoryPeaks {
  /** Peak RSS of each app instance's process tree, MB (label e.g. `render-worker#2`). */
  perInstance: Record<string, number>;
  /** VmHWM of each app's own node process at the end, MB. */
  nodeHwm: Record<string, number>;
  /** Peak of the sum over all app trees at one instant, MB. */
  appsTotal: number;
  /** Same, plus this process (which hosts s3rver) and Redis's RSS. */
  stackTotal: number;
}

/** Samples every app tree twice a second; the child processes come and go, so peaks need polling. */
class MemorySampler {
  private readonly peak = new Map<string, number>();
  private appsTotal = 0;
  private stackTotal = 0;
  private timer?: NodeJS.Timeout;
  private busy = false;

  constructor(
    private readonly pids: () => Array<{ label: string; pid: number }>,
    private readonly redisRssKb: () => number,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.sample(), 500);
  }

  private async sample(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      let total = 0;
      for (const { label, pid } of this.pids()) {
        const kb = await treeRssKb(pid);
        total += kb;
        this.peak.set(label, Math.max(this.peak.get(label) ?? 0, kb));
      }
      this.appsTotal = Math.max(this.appsTotal, total);
      const self = await statusKb(process.pid, 'VmRSS');
      this.stackTotal = Math.max(this.stackTotal, total + self + this.redisRssKb());
    } finally {
      this.busy = false;
    }
  }

  async stop(): Promise<MemoryPeaks> {
    clearInterval(this.timer);
    await this.sample();
    const nodeHwm: Record<string, number> = {};
    for (const { label, pid } of this.pids())
      nodeHwm[label] = round((await statusKb(pid, 'VmHWM')) / 1024);
    const perInstance: Record<string, number> = {};
    for (const [k, v] of this.peak) perInstance[k] = round(v / 1024);
    return {
      perInstance,
      nodeHwm,
      appsTotal: round(this.appsTotal / 1024),
      stackTotal: round(this.stackTotal / 1024),
    };
  }
}

// ---------------------------------------------------------------- processes

interface Instance {
  app: AppName;
  label: string;
  child: ChildProcess;
  lines: string[];
}

/** Like test/support/stack.ts, but several processes per app (the scaling run). */
class BenchStack {
  readonly instances: Instance[] = [];

  constructor(readonly env: NodeJS.ProcessEnv) {}

  start(app: AppName, n: number): Instance {
    const child = spawn(process.execPath, [appEntry(app)], {
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const inst: Instance = { app, label: `${app}#${n}`, child, lines: [] };
    const keep = (chunk: Buffer) => {
      inst.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      if (inst.lines.length > 300) inst.lines.splice(0, inst.lines.length - 300);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    this.instances.push(inst);
    return inst;
  }

  // Workers check their recogniser at startup, below normal priority: on a
  // machine shared with other loads that took over 90 s (render worker, load 40 on 2 cores).
  async waitFor(inst: Instance, re: RegExp, timeoutMs = 240_000): Promise<void> {
    const t0 = Date.now();
    while (Date.now() - t0 < timeoutMs) {
      if (inst.lines.some((l) => re.test(l))) return;
      if (inst.child.exitCode !== null)
        throw new Error(`${inst.label} exited (${inst.child.exitCode}):\n${this.tail(inst)}`);
      await sleep(200);
    }
    throw new Error(`${inst.label} did not print ${re}:\n${this.tail(inst)}`);
  }

  tail(inst: Instance, n = 30): string {
    return inst.lines.slice(-n).join('\n');
  }

  tails(n = 12): string {
    return this.instances.map((i) => `--- ${i.label}\n${this.tail(i, n)}`).join('\n');
  }

  pids(): Array<{ label: string; pid: number }> {
    return this.instances
      .filter((i) => i.child.pid && i.child.exitCode === null)
      .map((i) => ({ label: i.label, pid: i.child.pid! }));
  }

  async stopAll(): Promise<void> {
    await Promise.all(
      this.instances.map(async ({ child }) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        });
        clearTimeout(timer);
      }),
    );
  }
}

// ---------------------------------------------------------------- helpers

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export function round(x: number, d = 1): number {
  const k = 10 ** d;
  return Math.round(x * k) / k;
}

export function percentile(xs: number[], p: number): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

export async function redisMemory(redis: Redis, prefix: string) {
  const info = await redis.info('memory');
  const field = (k: string) => Number(new RegExp(`^${k}:(\\d+)`, 'm').exec(info)?.[1] ?? 0);
  // The Redis is shared with other runs; the keys under our prefix are what this run owns.
  let prefixBytes = 0;
  let keys = 0;
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
    cursor = next;
    for (const k of batch) {
      prefixBytes += Number((await redis.memory('USAGE', k)) ?? 0);
      keys++;
    }
  } while (cursor !== '0');
  return {
    usedMemory: field('used_memory'),
    usedMemoryRss: field('used_memory_rss'),
    prefixBytes,
    prefixKeys: keys,
  };
}

export type RedisMemory = Awaited<ReturnType<typeof redisMemory>>;

const active = new Set<BenchSession>();

/** Stops every running stack (on Ctrl-C, so no app outlives the bench). */
export async function stopActiveSessions(): Promise<void> {
  await Promise.all([...active].map((s) => s.stop().catch(() => undefined)));
}

/** A running stack with an API key and helpers; one per pipeline run. */
export class BenchSession {
  stack!: BenchStack;
  base!: string;
  key!: string;
  db!: Pool;
  redis!: Redis;
  sampler!: MemorySampler;
  private redisRss = 0;
  private redisTimer?: NodeJS.Timeout;

  constructor(private readonly workersPerStage: number) {}

  async start(extraEnv: NodeJS.ProcessEnv = {}): Promise<void> {
    Stack.assertBuilt();
    active.add(this);
    // A pool: the soak polls several jobs at once.
    this.db = new Pool({ connectionString: process.env.DATABASE_URL, max: 4 });
    // Teardown drops the database with FORCE; a late notice must not crash the bench.
    this.db.on('error', () => undefined);
    this.redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    // Keys are looked up by their first 14 characters, so those must differ between runs.
    this.key = `clk_bench${randomBytes(16).toString('hex')}`;
    await this.db.query(
      `INSERT INTO api_keys (name, prefix, key_hash, role) VALUES ('bench', $1, $2, 'ops')`,
      [this.key.slice(0, 14), hashApiKey(this.key)],
    );
    const port = await freePort();
    this.base = `http://127.0.0.1:${port}`;
    this.stack = new BenchStack({
      ...process.env,
      PORT: String(port),
      LOG_LEVEL: 'log',
      ...extraEnv,
    });
    const api = this.stack.start('api', 1);
    await this.stack.waitFor(api, /API listening/);
    const starting: Instance[] = [];
    for (const w of WORKERS)
      for (let n = 1; n <= this.workersPerStage; n++) starting.push(this.stack.start(w, n));
    await Promise.all(starting.map((i) => this.stack.waitFor(i, /ready/)));
    this.redisTimer = setInterval(() => {
      void this.redis
        .info('memory')
        .then((i) => (this.redisRss = Number(/^used_memory_rss:(\d+)/m.exec(i)?.[1] ?? 0) / 1024))
        .catch(() => undefined);
    }, 2000);
    this.sampler = new MemorySampler(
      () => this.stack.pids(),
      () => this.redisRss,
    );
    this.sampler.start();
  }

  async api<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T> {
    return ((await apiJson(this.base, this.key, method, path, body)) ?? null) as T;
  }

  /** The resumable multipart upload, reading the file one part at a time, two parts in flight. */
  async upload(path: string, options: Record<string, unknown>): Promise<string> {
    const size = statSync(path).size;
    const created = await this.api<{
      uploadId: string;
      jobId: string;
      partSize: number;
      partCount: number;
      parts: Array<{ partNumber: number; url: string }>;
    }>('POST', '/v1/uploads', {
      filename: basename(path),
      size,
      contentType: path.endsWith('.m4a') ? 'audio/mp4' : 'video/mp4',
      options,
    });
    const urls = new Map(created.parts.map((p) => [p.partNumber, p.url]));
    const fh = await open(path, 'r');
    try {
      let next = 1;
      const worker = async () => {
        while (next <= created.partCount) {
          const n = next++;
          if (!urls.has(n)) {
            const more = await this.api<{ parts: Array<{ partNumber: number; url: string }> }>(
              'POST',
              `/v1/uploads/${created.uploadId}/parts`,
              {
                partNumbers: Array.from(
                  { length: Math.min(100, created.partCount - n + 1) },
                  (_, i) => n + i,
                ),
              },
            );
            for (const p of more.parts) urls.set(p.partNumber, p.url);
          }
          const start = (n - 1) * created.partSize;
          const len = Math.min(created.partSize, size - start);
          const buf = Buffer.allocUnsafe(len);
          await fh.read(buf, 0, len, start);
          const put = await fetch(urls.get(n)!, { method: 'PUT', body: buf });
          if (put.status !== 200) throw new Error(`part ${n}: ${put.status}`);
          await this.api('PUT', `/v1/uploads/${created.uploadId}/parts/${n}`, {
            etag: put.headers.get('etag'),
            size: len,
          });
        }
      };
      await Promise.all([worker(), worker()]);
    } finally {
      await fh.close();
    }
    return created.uploadId;
  }

  async waitJob(jobId: string, timeoutMs: number): Promise<string> {
    const t0 = Date.now();
    while (Date.now() - t0 < timeoutMs) {
      const r = await this.db.query(`SELECT status FROM jobs WHERE id = $1`, [jobId]);
      const status = r.rows[0]?.status as string | undefined;
      if (status === 'completed' || status === 'failed' || status === 'cancelled') return status;
      await sleep(500);
    }
    throw new Error(`job ${jobId} not finished after ${timeoutMs / 1000} s\n${this.stack.tails()}`);
  }

  async stop(): Promise<MemoryPeaks> {
    active.delete(this);
    clearInterval(this.redisTimer);
    const mem = this.sampler
      ? await this.sampler.stop()
      : { perInstance: {}, nodeHwm: {}, appsTotal: 0, stackTotal: 0 };
    await this.stack?.stopAll();
    await this.db?.end().catch(() => undefined);
    this.redis?.disconnect();
    return mem;
  }
}

// ---------------------------------------------------------------- figures

export interface StageFigure {
  stage: string;
  status: string;
  attempt: number;
  wallSec: number | null;
  /** Source seconds per processing second. */
  realTimeFactor: number | null;
  /** Peak RSS of the stage's worker app (process tree, max over its instances), MB. */
  peakRssMb: number | null;
}

export interface JobTimeline {
  stages: StageFigure[];
  /** Hand-off latencies in ms: stage start minus the last finish of its inputs. */
  handoffsMs: Array<{ stage: string; ms: number }>;
  clips: Array<{
    status: string;
    durationSec: number | null;
    renderMs: number | null;
    readyAt: Date;
  }>;
  jobFinishedAt: Date | null;
  /** Split stages: completed parts per worker process (`host:pid`). */
  parts: Record<string, Record<string, number>>;
}

export async function jobTimeline(db: Pool | Client, jobId: string): Promise<JobTimeline> {
  const st = await db.query(
    `SELECT stage, status, attempt, started_at, finished_at FROM job_stages WHERE job_id = $1`,
    [jobId],
  );
  const byStage = new Map<string, { status: string; attempt: number; s?: Date; f?: Date }>();
  for (const r of st.rows)
    byStage.set(r.stage, {
      status: r.status,
      attempt: r.attempt,
      s: r.started_at ?? undefined,
      f: r.finished_at ?? undefined,
    });
  const handoffsMs: JobTimeline['handoffsMs'] = [];
  for (const [stage, deps] of Object.entries(STAGE_DEPENDENCIES) as Array<
    [StageName, StageName[]]
  >) {
    const me = byStage.get(stage);
    if (!me?.s || !deps.length) continue;
    const ends = deps.map((d) => byStage.get(d)?.f?.getTime());
    if (ends.some((e) => e === undefined)) continue;
    handoffsMs.push({ stage, ms: me.s.getTime() - Math.max(...(ends as number[])) });
  }
  const stages: StageFigure[] = [...byStage.entries()].map(([stage, r]) => ({
    stage,
    status: r.status,
    attempt: r.attempt,
    wallSec: r.s && r.f ? round((r.f.getTime() - r.s.getTime()) / 1000, 2) : null,
    realTimeFactor: null,
    peakRssMb: null,
  }));
  const cl = await db.query(
    `SELECT status, duration_sec, render_ms, updated_at FROM clips WHERE job_id = $1`,
    [jobId],
  );
  const jr = await db.query(`SELECT finished_at FROM jobs WHERE id = $1`, [jobId]);
  const pr = await db.query(
    `SELECT stage, worker_host, count(*)::int AS n FROM stage_parts
      WHERE job_id = $1 AND status = 'completed' GROUP BY stage, worker_host`,
    [jobId],
  );
  const parts: JobTimeline['parts'] = {};
  for (const r of pr.rows) (parts[r.stage] ??= {})[r.worker_host ?? '?'] = r.n;
  return {
    parts,
    stages,
    handoffsMs,
    clips: cl.rows.map((r) => ({
      status: r.status,
      durationSec: r.duration_sec,
      renderMs: r.render_ms,
      readyAt: r.updated_at,
    })),
    jobFinishedAt: jr.rows[0]?.finished_at ?? null,
  };
}

export interface PipelineResult {
  fixture: string;
  sourceSec: number;
  sourceBytes: number;
  video: boolean;
  workersPerStage: number;
  jobId: string;
  status: string;
  options: Record<string, unknown>;
  /** Settings the stack ran with beyond the defaults. */
  stackEnv?: Record<string, string | undefined>;
  uploadSec: number;
  /** POST /complete (probe and job creation in the API), seconds. */
  completeSec: number;
  /** From the upload's last byte stored to the last clip ready. */
  endToEndSec: number | null;
  endToEndRealTimeFactor: number | null;
  clipsProduced: number;
  clipsFailed: number;
  clipSecondsTotal: number;
  stages: StageFigure[];
  /** Split stages: completed parts per worker process. */
  parts?: Record<string, Record<string, number>>;
  handoffMs: {
    samples: Array<{ stage: string; ms: number }>;
    p50: number | null;
    p99: number | null;
  };
  memory: MemoryPeaks;
  redis: { before: RedisMemory; after: RedisMemory };
  baselines?: Baselines;
  loadAvg: { before: number[]; after: number[] };
  measuredAt: string;
  /** Commit (plus `+dirty`) the run was measured on; set by the caller. */
  build?: string;
  error?: string;
}

export interface Baselines {
  silencedetectSec: number;
  sceneDetectSec?: number;
  plainEncodeSec?: number;
  plainEncodeClipSec?: number;
  /** Stage wall time over baseline wall time (lower is better for the stage). */
  ratios: Record<string, number | null>;
}

async function timedExec(args: string[]): Promise<number> {
  const t0 = performance.now();
  await exec(FFMPEG_PATH, ['-hide_banner', '-nostats', '-v', 'error', ...args], {
    maxBuffer: 64 * MB,
  });
  return round((performance.now() - t0) / 1000, 2);
}

/**
 * The same source through plain ffmpeg, right after the pipeline run:
 * silencedetect over the whole file, scene detection (10-minute sources only:
 * a full 1080p decode of an hour costs more than the stage it is compared with)
 * and a plain 1080x1920 encode of one clip's length.
 */
async function runBaselines(
  fx: BenchFixture,
  r: PipelineResult,
  scene: boolean,
): Promise<Baselines> {
  const silencedetectSec = await timedExec([
    ...['-i', fx.path, '-vn', '-af', 'silencedetect=n=-35dB:d=0.4', '-f', 'null', '-'],
  ]);
  const out: Baselines = { silencedetectSec, ratios: {} };
  if (fx.video && scene)
    out.sceneDetectSec = await timedExec([
      ...['-i', fx.path, '-an', '-vf', "select='gt(scene,0.3)',showinfo", '-f', 'null', '-'],
    ]);
  const clipSec = r.clipsProduced ? r.clipSecondsTotal / r.clipsProduced : 45;
  out.plainEncodeClipSec = round(clipSec, 1);
  const vf = fx.video
    ? 'scale=1080:1920:force_original_aspect_ratio=increase,crop=1080:1920'
    : 'scale=1080:1920';
  // From the middle of the source: a seek at or past the end would encode nothing.
  const ss = String(Math.round(Math.max(0, fx.durationSec - clipSec) / 2));
  const input = fx.video
    ? ['-ss', ss, '-t', String(clipSec), '-i', fx.path]
    : [
        ...['-f', 'lavfi', '-t', String(clipSec), '-i', 'color=c=0x14161c:s=1080x1920:r=30'],
        ...['-ss', ss, '-t', String(clipSec), '-i', fx.path],
      ];
  out.plainEncodeSec = await timedExec([
    ...input,
    ...(fx.video ? ['-vf', vf] : ['-map', '0:v', '-map', '1:a']),
    ...['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '21', '-c:a', 'aac', '-f', 'null', '-'],
  ]);
  const wall = (s: string) => r.stages.find((x) => x.stage === s)?.wallSec ?? null;
  const ratio = (a: number | null, b: number | undefined) =>
    a !== null && b ? round(a / b, 2) : null;
  const renders = r.clipsProduced && wall('rendering') !== null;
  out.ratios = {
    silenceStageOverSilencedetect: ratio(wall('silence'), out.silencedetectSec),
    layoutStageOverSceneDetect: ratio(wall('layout'), out.sceneDetectSec),
    // Rendering runs clips one after another per worker, so per clip is the fair comparison.
    renderPerClipOverPlainEncode: renders
      ? ratio(wall('rendering')! / r.clipsProduced, out.plainEncodeSec)
      : null,
  };
  return out;
}

export interface PipelineRunOptions {
  workersPerStage: number;
  jobOptions?: Record<string, unknown>;
  timeoutMs?: number;
  baselines?: boolean;
  sceneBaseline?: boolean;
  label?: string;
  /** Extra environment for every app of the stack. */
  env?: NodeJS.ProcessEnv;
}

/** One fixture, uploaded through the API of a freshly started stack, to its last clip. */
export async function runPipelineBench(
  fx: BenchFixture,
  o: PipelineRunOptions,
): Promise<PipelineResult> {
  const session = new BenchSession(o.workersPerStage);
  const prefix = process.env.QUEUE_PREFIX ?? 'clipline';
  const label = o.label ?? `${fx.name} ×${o.workersPerStage}`;
  const loadBefore = loadavgNow();
  await session.start(o.env);
  const options = { clipCount: 10, aspects: ['9:16'], ...(o.jobOptions ?? {}) };
  let mem: MemoryPeaks | undefined;
  try {
    const before = await redisMemory(session.redis, prefix);
    console.log(`[pipeline ${label}] stack up; uploading ${fx.path}`);
    const t0 = performance.now();
    const uploadId = await session.upload(fx.path, options);
    const uploadedAt = Date.now();
    const t1 = performance.now();
    const job = await session.api<{ id: string }>('POST', `/v1/uploads/${uploadId}/complete`);
    const t2 = performance.now();
    console.log(
      `[pipeline ${label}] uploaded in ${round((t1 - t0) / 1000)} s, job ${job.id} created in ${round((t2 - t1) / 1000, 2)} s`,
    );
    const progress = setInterval(() => {
      void session.db
        .query(
          `SELECT stage, status, round(progress::numeric, 2) AS p FROM job_stages WHERE job_id = $1 ORDER BY stage`,
          [job.id],
        )
        .then((r) =>
          console.log(
            `[pipeline ${label}] ${Math.round((Date.now() - uploadedAt) / 1000)} s:`,
            r.rows
              .map((x) => `${x.stage}=${x.status}${x.status === 'running' ? ` ${x.p}` : ''}`)
              .join(' '),
          ),
        )
        .catch(() => undefined);
    }, 30_000);
    let status: string;
    try {
      status = await session.waitJob(job.id, o.timeoutMs ?? 90 * 60_000);
    } finally {
      clearInterval(progress);
    }
    const tl = await jobTimeline(session.db, job.id);
    const after = await redisMemory(session.redis, prefix);
    mem = await session.stop();
    const done = tl.clips.filter((c) => c.status === 'completed');
    const lastClip = done.length
      ? Math.max(...done.map((c) => new Date(c.readyAt).getTime()))
      : null;
    const end = lastClip ?? (tl.jobFinishedAt ? new Date(tl.jobFinishedAt).getTime() : null);
    const e2e = end ? round((end - uploadedAt) / 1000, 1) : null;
    const clipSeconds = done.reduce((s, c) => s + (c.durationSec ?? 0), 0);
    for (const s of tl.stages) {
      const src = s.stage === 'rendering' ? clipSeconds : fx.durationSec;
      s.realTimeFactor = s.wallSec ? round(src / s.wallSec, 2) : null;
      const app = STAGE_APP[s.stage] ?? (s.stage === 'probe' ? 'api' : undefined);
      const peaks = Object.entries(mem.perInstance)
        .filter(([k]) => app && k.startsWith(`${app}#`))
        .map(([, v]) => v);
      s.peakRssMb = peaks.length ? Math.max(...peaks) : null;
    }
    const order = ['probe', 'transcription', 'silence', 'layout', 'segmenting', 'rendering'];
    tl.stages.sort((a, b) => order.indexOf(a.stage) - order.indexOf(b.stage));
    const hs = tl.handoffsMs.map((h) => h.ms);
    const result: PipelineResult = {
      fixture: fx.name,
      sourceSec: fx.durationSec,
      sourceBytes: statSync(fx.path).size,
      video: fx.video,
      workersPerStage: o.workersPerStage,
      jobId: job.id,
      status,
      options,
      ...(o.env ? { stackEnv: o.env } : {}),
      uploadSec: round((t1 - t0) / 1000, 1),
      completeSec: round((t2 - t1) / 1000, 2),
      endToEndSec: e2e,
      endToEndRealTimeFactor: e2e ? round(fx.durationSec / e2e, 2) : null,
      clipsProduced: done.length,
      clipsFailed: tl.clips.filter((c) => c.status === 'failed').length,
      clipSecondsTotal: round(clipSeconds, 1),
      stages: tl.stages,
      parts: tl.parts,
      handoffMs: { samples: tl.handoffsMs, p50: percentile(hs, 50), p99: percentile(hs, 99) },
      memory: mem,
      redis: { before, after },
      loadAvg: { before: loadBefore, after: loadavgNow() },
      measuredAt: new Date().toISOString(),
    };
    if (status !== 'completed') result.error = `job ${status}`;
    if (o.baselines !== false) {
      console.log(`[pipeline ${label}] baselines on the same source…`);
      result.baselines = await runBaselines(fx, result, o.sceneBaseline ?? fx.durationSec <= 900);
    }
    console.log(`[pipeline ${label}]`, JSON.stringify(summary(result), null, 1));
    return result;
  } finally {
    if (!mem) await session.stop().catch(() => undefined);
  }
}

function loadavgNow(): number[] {
  return loadavg().map((x) => round(x, 2));
}

function summary(r: PipelineResult) {
  return {
    status: r.status,
    endToEndSec: r.endToEndSec,
    clips: r.clipsProduced,
    stages: Object.fromEntries(
      r.stages.map((s) => [s.stage, `${s.wallSec} s, ×${s.realTimeFactor}, ${s.peakRssMb} MB`]),
    ),
    handoffP99Ms: r.handoffMs.p99,
    parts: r.parts,
    stackPeakMb: r.memory.stackTotal,
    baselines: r.baselines,
  };
}

// ---------------------------------------------------------------- redis soak

export interface SoakResult {
  jobs: number;
  completed: number;
  failed: number;
  inFlight: number;
  /** QUEUE_KEEP_COMPLETED of the run's stack. */
  keepCompleted: number;
  wallSec: number;
  /** Prefix footprint and used_memory every 10 jobs and after a settle pause. */
  samples: Array<{
    afterJobs: number;
    prefixBytes: number;
    prefixKeys: number;
    usedMemory: number;
  }>;
  bytesPerJob: number | null;
  handoffMs: { p50: number | null; p99: number | null; n: number };
  memory: MemoryPeaks;
  loadAvg: { before: number[]; after: number[] };
  measuredAt: string;
  note: string;
}

/**
 * 100 small jobs through one stack: does Redis hold on to finished work?
 * The stack keeps `keep` finished Bull jobs per queue (QUEUE_KEEP_COMPLETED,
 * 200 in production) so that the cap is reached, and flatness shown, within
 * the run rather than after 200+ jobs.
 */
export async function runRedisSoak(
  fx: BenchFixture,
  jobs = 100,
  inFlight = 3,
  keep = 25,
): Promise<SoakResult> {
  const session = new BenchSession(1);
  const prefix = process.env.QUEUE_PREFIX ?? 'clipline';
  const loadBefore = loadavgNow();
  await session.start({ QUEUE_KEEP_COMPLETED: String(keep) });
  let mem: MemoryPeaks | undefined;
  try {
    // Each job does as little as a real job can: one short square clip, no captions.
    const options = {
      clipCount: 1,
      minClipSeconds: 5,
      maxClipSeconds: 8,
      aspects: ['1:1'],
      captions: false,
    };
    const snap = async (afterJobs: number) => {
      const m = await redisMemory(session.redis, prefix);
      return {
        afterJobs,
        prefixBytes: m.prefixBytes,
        prefixKeys: m.prefixKeys,
        usedMemory: m.usedMemory,
      };
    };
    const samples = [await snap(0)];
    const t0 = performance.now();
    const ids: string[] = [];
    let submitted = 0;
    let finished = 0;
    const runOne = async () => {
      while (submitted < jobs) {
        submitted++;
        const uploadId = await session.upload(fx.path, options);
        const job = await session.api<{ id: string }>('POST', `/v1/uploads/${uploadId}/complete`);
        ids.push(job.id);
        await session.waitJob(job.id, 10 * 60_000);
        finished++;
        if (finished % 10 === 0) {
          samples.push(await snap(finished));
          console.log(`[redis soak] ${finished}/${jobs} jobs, ${JSON.stringify(samples.at(-1))}`);
        }
      }
    };
    await Promise.all(Array.from({ length: inFlight }, runOne));
    const wallSec = round((performance.now() - t0) / 1000, 1);
    await sleep(5000);
    samples.push({ ...(await snap(jobs)), afterJobs: jobs });
    const hs: number[] = [];
    let completed = 0;
    let failed = 0;
    for (const id of ids) {
      const tl = await jobTimeline(session.db, id);
      hs.push(...tl.handoffsMs.map((h) => h.ms));
      const st = (await session.db.query(`SELECT status FROM jobs WHERE id = $1`, [id])).rows[0]
        ?.status;
      if (st === 'completed') completed++;
      else failed++;
    }
    mem = await session.stop();
    const first = samples[0];
    const last = samples[samples.length - 1];
    return {
      jobs,
      completed,
      failed,
      inFlight,
      keepCompleted: keep,
      wallSec,
      samples,
      bytesPerJob: round((last.prefixBytes - first.prefixBytes) / jobs, 0),
      handoffMs: { p50: percentile(hs, 50), p99: percentile(hs, 99), n: hs.length },
      memory: mem,
      loadAvg: { before: loadBefore, after: loadavgNow() },
      measuredAt: new Date().toISOString(),
      note:
        `Bull keeps finished jobs by removeOnComplete { age: 3600, count: QUEUE_KEEP_COMPLETED } per queue ` +
        `(${keep} in this run, 200 by default), so the footprint grows until each queue holds that many ` +
        `finished jobs and is then pruned on every completion; hand-offs here include queue wait ` +
        `(${inFlight} jobs in flight).`,
    };
  } finally {
    if (!mem) await session.stop().catch(() => undefined);
  }
}
