import { hostname } from 'node:os';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import { StorageService } from '@clipline/storage';
import { createDataSource } from '../../libs/database/src/data-source';
import { buildSpeech, TALK_SENTENCES } from '../fixtures/speech.fixture';
import { buildCutTalk } from '../fixtures/talking-head.fixture';
import { apiJson } from '../support/api-client';
import { Stack, createTestKey, freePort, type AppName } from '../support/stack';
import { startServices, stopServicesSync, type Services } from './services';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Short leases so a dead worker's work comes back within seconds. */
export const FAULT_ENV = {
  HEARTBEAT_SECONDS: '1',
  STALL_SECONDS: '5',
  RECONCILE_INTERVAL_SECONDS: '1',
  RETRY_BASE_DELAY_MS: '500',
  // A 43 s source splits into parts, so kills land in part work too.
  STAGE_PART_SECONDS: '10',
  STAGE_MAX_ATTEMPTS: '6',
  TRANSCRIPTION_CONCURRENCY: '1',
  RENDER_THREADS: '2',
  // The suite tests recovery, not picks: pocketsphinx on this short synthetic talk scores
  // most windows under the product's floor of 45, which would leave the render phases
  // with no clip to kill. Selection quality has its own tests and benchmark.
  SEGMENT_MIN_SCORE: '0',
};

/** Every process of the stack: two of the kinds that split work or fan out. */
export const PROCESSES: Array<[AppName, string]> = [
  ['api', 'api'],
  ['transcription-worker', 'transcription-worker'],
  ['transcription-worker', 'transcription-worker#2'],
  ['silence-worker', 'silence-worker'],
  ['layout-worker', 'layout-worker'],
  ['layout-worker', 'layout-worker#2'],
  ['segmenting-worker', 'segmenting-worker'],
  ['render-worker', 'render-worker'],
  // Its scratch space is the size-capped disk (the full-disk phase fills it).
  ['render-worker', 'render-worker#2'],
];

export const kindOf = (name: string) => name.split('#')[0];

const JOB_OPTIONS = { clipCount: 2, minClipSeconds: 6, maxClipSeconds: 10, aspects: ['9:16'] };

/**
 * The product on its own services, under a supervisor that restarts any
 * process that exits; exits the suite did not cause are recorded as crashes.
 */
export class Rig {
  stack!: Stack;
  /** A pool: trackers query concurrently, and it replaces connections a Postgres restart cut. */
  db!: Pool;
  storage!: StorageService;
  base = '';
  private key = '';
  private intended = new Set<number>();
  readonly crashes: string[] = [];
  private stopping = false;
  /** Processes the suite holds down on purpose (not restarted by the supervisor). */
  private held = new Set<string>();
  readonly startedAt = new Map<string, number>();
  sourceKey = 'imports/talk.mp4';

  constructor(readonly svc: Services) {}

  static async start(): Promise<Rig> {
    Stack.assertBuilt();
    const rig = new Rig(await startServices());
    try {
      await rig.boot();
    } catch (err) {
      await rig.stop();
      throw err;
    }
    return rig;
  }

  private async boot(): Promise<void> {
    const { svc } = this;
    const admin = new Client({ connectionString: svc.pg.url() });
    await admin.connect();
    await admin.query(`CREATE DATABASE clipline`);
    await admin.end();
    const ds = createDataSource(svc.pg.url('clipline'));
    await ds.initialize();
    await ds.runMigrations();
    await ds.destroy();
    const env = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'log',
      DATABASE_URL: svc.pg.url('clipline'),
      REDIS_URL: svc.redis.url,
      QUEUE_PREFIX: 'clipline-faults',
      S3_ENDPOINT: svc.s3.endpoint,
      S3_BUCKET: 'clipline-faults',
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      S3_FORCE_PATH_STYLE: 'true',
      S3_REGION: 'us-east-1',
      MODEL_DIR: process.env.MODEL_DIR ?? join(__dirname, '..', '..', '..', 'shared', 'models'),
      PORT: String(await freePort()),
      ...FAULT_ENV,
    };
    // The invariant checker's own S3 client reads these.
    Object.assign(process.env, env);
    this.base = `http://127.0.0.1:${env.PORT}`;
    this.db = new Pool({ connectionString: env.DATABASE_URL, max: 4 });
    this.db.on('error', () => undefined);
    const keyDb = new Client({ connectionString: env.DATABASE_URL });
    await keyDb.connect();
    this.key = await createTestKey(keyDb, 'faults');
    await keyDb.end();
    this.storage = new StorageService({
      endpoint: env.S3_ENDPOINT,
      region: env.S3_REGION,
      bucket: env.S3_BUCKET,
      accessKeyId: env.S3_ACCESS_KEY_ID,
      secretAccessKey: env.S3_SECRET_ACCESS_KEY,
      forcePathStyle: true,
      presignTtlSeconds: 3600,
    });
    this.stack = new Stack({ ...process.env, ...env });
    this.launch('api');
    await this.stack.waitForLine('api', /API listening/);
    for (const [, name] of PROCESSES.slice(1)) this.launch(name);
    await Promise.all(
      PROCESSES.slice(1).map(([, n]) => this.stack.waitForLine(n, /ready/, 120_000)),
    );
    await this.storage.putFile(this.sourceKey, await buildSource(), 'video/mp4');
  }

  private launch(name: string): void {
    const spec = PROCESSES.find(([, n]) => n === name)!;
    const env = name === 'render-worker#2' ? { TMPDIR: this.svc.scratch.tmp } : {};
    this.startedAt.set(name, Date.now());
    const child = this.stack.specs.has(name)
      ? this.stack.restart(name)
      : this.stack.start(spec[0], name, env);
    child.once('exit', (code, signal) => {
      if (this.stopping) return;
      if (!this.intended.delete(child.pid!)) {
        this.crashes.push(`${name} exited (${code ?? signal}): ${this.stack.tail(name, 5)}`);
        setTimeout(() => !this.stopping && !this.held.has(name) && this.launch(name), 1000);
      }
    });
  }

  pid(name: string): number {
    return this.stack.procs.get(name)!.pid!;
  }

  /** The `worker_host` a process writes into Postgres. */
  host(name: string): string {
    return `${hostname()}:${this.pid(name)}`;
  }

  /** kill -9 and restart at once, as a supervisor would. */
  async killAndRestart(name: string): Promise<void> {
    this.intended.add(this.pid(name));
    await this.stack.kill(name, 'SIGKILL');
    this.launch(name);
  }

  /** Stops a process and keeps it down until `resume`. */
  async holdDown(name: string): Promise<void> {
    this.held.add(name);
    this.intended.add(this.pid(name));
    await this.stack.kill(name, 'SIGTERM');
  }

  resume(name: string): void {
    this.held.delete(name);
    this.launch(name);
  }

  signal(name: string, sig: 'SIGSTOP' | 'SIGCONT'): void {
    process.kill(this.pid(name), sig);
  }

  async api(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
    return ((await apiJson(this.base, this.key, method, path, body)) ?? {}) as Record<
      string,
      unknown
    >;
  }

  /** Creates a job from the uploaded source; retries while the API is restarting. */
  async createJob(): Promise<string> {
    for (let i = 0; ; i++) {
      try {
        const job = await this.api('POST', '/v1/jobs', {
          sourceKey: this.sourceKey,
          options: JOB_OPTIONS,
        });
        return job.id as string;
      } catch (err) {
        if (i > 60) throw err;
        await sleep(1000);
      }
    }
  }

  async activeJobs(ids: string[]): Promise<string[]> {
    const r = await this.db.query(
      `SELECT id FROM jobs WHERE id = ANY($1) AND status IN ('queued','running')`,
      [ids],
    );
    return r.rows.map((x) => x.id);
  }

  /** Waits until every job is terminal; returns false at the timeout. */
  async waitTerminal(ids: string[], timeoutMs: number): Promise<boolean> {
    const t0 = Date.now();
    while (Date.now() - t0 < timeoutMs) {
      try {
        if (!(await this.activeJobs(ids)).length) return true;
      } catch {
        // Postgres restarting; the pool reconnects on the next poll.
      }
      await sleep(1000);
    }
    return false;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    for (const p of this.stack?.procs.values() ?? []) {
      try {
        if (p.pid) process.kill(p.pid, 'SIGCONT');
      } catch {
        // Already gone.
      }
    }
    await this.stack?.stopAll();
    await this.db?.end().catch(() => undefined);
    stopServicesSync(this.svc);
  }
}

/**
 * About 43 s of speech over a talking head with one cut: splits into parts at
 * STAGE_PART_SECONDS=10, and gives three 6–10 s candidates between real pauses
 * for the two clips a job asks for.
 */
async function buildSource(): Promise<string> {
  const sentences = TALK_SENTENCES.slice(0, 10);
  const speech = await buildSpeech({
    sentences,
    pauses: sentences.map((_, i) => [0.6, 1.2, 2.0, 0.8][i % 4]),
    leadIn: 0.5,
  });
  const total = Math.ceil(speech.truth.durationSec);
  const cut = Math.round(total / 2);
  const talk = await buildCutTalk(speech.wavPath, total, cut);
  return talk.path;
}
