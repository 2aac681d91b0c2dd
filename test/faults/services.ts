import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { freePort } from '../support/stack';

/**
 * The fault suite's own Redis, PostgreSQL and s3rver, started as real
 * processes on free ports: restarting them is the fault, and the shared
 * services other test runs use on this machine are never touched.
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// A restarted service may take a while to listen on a loaded machine (s3rver took over 30 s once).
async function waitForPort(port: number, timeoutMs = 90_000): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() - t0 > timeoutMs) throw new Error(`nothing listens on ${port}`);
    await sleep(100);
  }
}

function stopChild(p: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!p || p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    p.once('exit', () => resolve());
    p.kill(signal);
  });
}

export class RedisService {
  private proc?: ChildProcess;
  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.proc = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    await waitForPort(this.port);
  }

  /** SIGKILL: no persistence is configured, so a restart comes back empty, as after a crash. */
  stop(): Promise<void> {
    return stopChild(this.proc, 'SIGKILL');
  }

  async flushAll(): Promise<void> {
    const r = new Redis(this.url);
    await r.flushall();
    await r.quit();
  }

  killSync(): void {
    if (this.proc?.exitCode === null) this.proc.kill('SIGKILL');
  }
}

/** A throwaway cluster run by the `postgres` user (initdb refuses root). */
export class PostgresService {
  readonly dir = mkdtempSync(join(tmpdir(), 'clipline-faults-pg-'));
  constructor(readonly port: number) {}

  url(db = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${db}`;
  }

  private asPostgres(cmd: string, args: string[]): void {
    execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { stdio: 'pipe' });
  }

  private bin(name: string): string {
    const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
    return `/usr/lib/postgresql/${versions[0]}/bin/${name}`;
  }

  init(): void {
    execFileSync('chown', ['postgres:postgres', this.dir]);
    this.asPostgres(this.bin('initdb'), [
      '-D',
      join(this.dir, 'data'),
      '-A',
      'trust',
      '-U',
      'postgres',
    ]);
  }

  private ctl(...args: string[]): void {
    this.asPostgres(this.bin('pg_ctl'), [
      '-D',
      join(this.dir, 'data'),
      '-l',
      join(this.dir, 'log'),
      '-w',
      '-o',
      `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`,
      ...args,
    ]);
  }

  start(): void {
    this.ctl('start');
  }

  /** A fast restart: every open connection is cut, as in a failover or an upgrade. */
  restart(): void {
    this.ctl('-m', 'fast', 'restart');
  }

  stop(): void {
    try {
      this.ctl('-m', 'immediate', 'stop');
    } catch {
      // Already stopped.
    }
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** s3rver in its own process, so stopping it is an outage and it can come back on the same port. */
const S3RVER_MAIN = `
const S3rver = require('s3rver');
const [directory, port] = process.argv.slice(1);
new S3rver({ port: Number(port), address: '127.0.0.1', directory, silent: true, configureBuckets: [] })
  .run()
  .catch((err) => { console.error(err); process.exit(1); });
`;

export class S3Service {
  readonly dir = mkdtempSync(join(tmpdir(), 'clipline-faults-s3-'));
  private proc?: ChildProcess;
  constructor(readonly port: number) {}

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.proc = spawn(process.execPath, ['-e', S3RVER_MAIN, this.dir, String(this.port)], {
      cwd: join(__dirname, '..', '..'),
      stdio: 'ignore',
    });
    await waitForPort(this.port);
  }

  /** SIGKILL, so connections are refused at once, as when the endpoint goes away. */
  stop(): Promise<void> {
    return stopChild(this.proc, 'SIGKILL');
  }

  killSync(): void {
    if (this.proc?.exitCode === null) this.proc.kill('SIGKILL');
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A size-capped tmpfs to use as one worker's TMPDIR; a filler file makes it full. */
export class ScratchDisk {
  readonly dir = mkdtempSync(join(tmpdir(), 'clipline-faults-scratch-'));
  private mounted = false;

  mount(sizeMb: number): void {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m`, 'tmpfs', this.dir]);
    this.mounted = true;
    mkdirSync(join(this.dir, 'tmp'));
  }

  get tmp(): string {
    return join(this.dir, 'tmp');
  }

  /** Fills the disk; the write stops with ENOSPC, which is the point. */
  fill(): void {
    const chunk = Buffer.alloc(1 << 20);
    const path = join(this.dir, 'filler');
    try {
      for (let i = 0; ; i++) writeFileSync(path, chunk, { flag: i ? 'a' : 'w' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
    }
  }

  free(): void {
    rmSync(join(this.dir, 'filler'), { force: true });
  }

  /** Scratch folders a worker left behind (the defect "scratch folders left by killed workers"). */
  leftovers(): string[] {
    return readdirSync(this.tmp);
  }

  unmount(): void {
    if (this.mounted) {
      execFileSync('umount', ['-l', this.dir]);
      this.mounted = false;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface Services {
  redis: RedisService;
  pg: PostgresService;
  s3: S3Service;
  scratch: ScratchDisk;
}

export async function startServices(): Promise<Services> {
  const [redisPort, pgPort, s3Port] = [await freePort(), await freePort(), await freePort()];
  const svc: Services = {
    redis: new RedisService(redisPort),
    pg: new PostgresService(pgPort),
    s3: new S3Service(s3Port),
    scratch: new ScratchDisk(),
  };
  // Torn down even when jest is killed mid-run or a hook throws.
  process.once('exit', () => stopServicesSync(svc));
  await svc.redis.start();
  svc.pg.init();
  svc.pg.start();
  await svc.s3.start();
  svc.scratch.mount(20);
  return svc;
}

export function stopServicesSync(svc: Services): void {
  svc.redis.killSync();
  svc.s3.killSync();
  svc.pg.stop();
  try {
    svc.scratch.unmount();
  } catch {
    // Already unmounted.
  }
  svc.pg.remove();
  svc.s3.remove();
}
