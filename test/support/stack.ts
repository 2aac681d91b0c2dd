import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Client } from 'pg';
import { hashApiKey } from '../../apps/api/src/auth/api-keys.service';

export const APPS = [
  'api',
  'transcription-worker',
  'silence-worker',
  'layout-worker',
  'segmenting-worker',
  'render-worker',
] as const;
export type AppName = (typeof APPS)[number];

const ROOT = join(__dirname, '..', '..');

export function appEntry(app: AppName): string {
  return join(ROOT, 'dist', 'apps', app, 'src', 'main.js');
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/**
 * The real apps as separate processes, from the build, the way `npm start`
 * and production run them. Output is kept per app for failure messages.
 */
export class Stack {
  readonly procs = new Map<string, ChildProcess>();
  readonly output = new Map<string, string[]>();
  /** What each name runs, so a supervisor-style restart starts the same thing. */
  readonly specs = new Map<string, { app: AppName; env: NodeJS.ProcessEnv }>();

  constructor(readonly env: NodeJS.ProcessEnv) {}

  static assertBuilt(): void {
    const missing = APPS.filter((a) => !existsSync(appEntry(a)));
    if (missing.length)
      throw new Error(`build the apps first (npm run build); missing: ${missing.join(', ')}`);
  }

  /** `name` tells apart several processes of one app (e.g. 'layout-worker#2'). */
  start(app: AppName, name: string = app, env: NodeJS.ProcessEnv = {}): ChildProcess {
    this.specs.set(name, { app, env });
    const child = spawn(process.execPath, [appEntry(app)], {
      env: { ...this.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines = this.output.get(name) ?? [];
    this.output.set(name, lines);
    const keep = (chunk: Buffer) => {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      if (lines.length > 400) lines.splice(0, lines.length - 400);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    this.procs.set(name, child);
    return child;
  }

  async waitForLine(app: string, re: RegExp, timeoutMs = 60_000): Promise<void> {
    const t0 = Date.now();
    while (Date.now() - t0 < timeoutMs) {
      if ((this.output.get(app) ?? []).some((l) => re.test(l))) return;
      const p = this.procs.get(app);
      if (p && p.exitCode !== null)
        throw new Error(`${app} exited (${p.exitCode}):\n${this.tail(app)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`${app} did not print ${re} within ${timeoutMs} ms:\n${this.tail(app)}`);
  }

  kill(app: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const p = this.procs.get(app);
    if (!p || p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      p.once('exit', () => resolve());
      p.kill(signal);
    });
  }

  /** Starts `name` again as it was first started (a supervisor's restart). */
  restart(name: string): ChildProcess {
    const spec = this.specs.get(name);
    if (!spec) throw new Error(`${name} was never started`);
    return this.start(spec.app, name, spec.env);
  }

  alive(name: string): boolean {
    const p = this.procs.get(name);
    return !!p && p.exitCode === null && p.signalCode === null;
  }

  tail(app: string, n = 40): string {
    return (this.output.get(app) ?? []).slice(-n).join('\n');
  }

  async stopAll(): Promise<void> {
    await Promise.all(
      [...this.procs.keys()].map(async (app) => {
        const p = this.procs.get(app)!;
        if (p.exitCode !== null || p.signalCode !== null) return;
        const timer = setTimeout(() => p.kill('SIGKILL'), 10_000);
        await this.kill(app, 'SIGTERM');
        clearTimeout(timer);
      }),
    );
  }
}

export const WORKERS = [
  'transcription-worker',
  'silence-worker',
  'layout-worker',
  'segmenting-worker',
  'render-worker',
] as const;

/** An ops key written straight to the database, hashed the way the API checks it. */
export async function createTestKey(db: Client, name: string): Promise<string> {
  const key = `clk_${name.slice(0, 3)}${Date.now()}${randomBytes(12).toString('hex')}`;
  await db.query(`INSERT INTO api_keys (name, prefix, key_hash, role) VALUES ($1, $2, $3, 'ops')`, [
    name,
    key.slice(0, 14),
    hashApiKey(key),
  ]);
  return key;
}

/**
 * The API on a free port, then the five workers (and any extra worker
 * processes, as [app, name]), waiting until every one says it is ready.
 */
export async function bootStack(
  env: NodeJS.ProcessEnv,
  extra: Array<[AppName, string]> = [],
): Promise<{ stack: Stack; base: string }> {
  Stack.assertBuilt();
  const port = await freePort();
  const stack = new Stack({ ...process.env, LOG_LEVEL: 'log', ...env, PORT: String(port) });
  stack.start('api');
  await stack.waitForLine('api', /API listening/);
  for (const w of WORKERS) stack.start(w);
  for (const [app, name] of extra) stack.start(app, name);
  const names = [...WORKERS, ...extra.map(([, name]) => name)];
  await Promise.all(names.map((w) => stack.waitForLine(w, /ready/)));
  return { stack, base: `http://127.0.0.1:${port}` };
}
