import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { smallMp4 } from '../fixtures/small-media.fixture';
import { parsePrometheusText } from '../support/prom-text.parser';

/**
 * `npm start` for real, from the existing build: embedded Postgres and s3rver
 * in a temporary folder, the test run's Redis and queue prefix, all six apps.
 * Building is too slow for a test, so without dist/ the test is skipped.
 */
const root = resolve(__dirname, '..', '..');
const APPS = [
  'api',
  'transcription-worker',
  'silence-worker',
  'layout-worker',
  'segmenting-worker',
  'render-worker',
];
const missing = APPS.filter((a) => !existsSync(join(root, 'dist', 'apps', a, 'src', 'main.js')));
if (missing.length) {
  console.log(`launcher test skipped: not built (${missing.join(', ')}); run npm run build first`);
}
const describeBuilt = missing.length ? describe.skip : describe;

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => res(port));
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

class Output {
  lines: string[] = [];
  private waiters: Array<{
    re: RegExp;
    resolve: (m: RegExpMatchArray) => void;
    reject: (e: Error) => void;
  }> = [];
  private exitCode: number | null | undefined;

  constructor(proc: ChildProcess) {
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString();
      const parts = buf.split('\n');
      buf = parts.pop() ?? '';
      for (const line of parts) this.push(line);
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    // A launcher that gives up must fail the test now, not at the timeout.
    proc.once('exit', (code) => {
      this.exitCode = code;
      for (const w of this.waiters) w.reject(this.exitError());
      this.waiters = [];
    });
  }

  private exitError(): Error {
    return new Error(`launcher exited with ${this.exitCode}:\n${this.lines.slice(-40).join('\n')}`);
  }

  private push(line: string) {
    this.lines.push(line);
    this.waiters = this.waiters.filter((w) => {
      const m = line.match(w.re);
      if (m) w.resolve(m);
      return !m;
    });
  }

  /** Resolves with the first line from index `from` on that matches. */
  waitFor(re: RegExp, timeoutMs: number, from = 0): Promise<RegExpMatchArray> {
    const seen = this.lines
      .slice(from)
      .map((l) => l.match(re))
      .find(Boolean);
    if (seen) return Promise.resolve(seen);
    if (this.exitCode !== undefined) return Promise.reject(this.exitError());
    return new Promise((res, rej) => {
      const timer = setTimeout(
        () =>
          rej(
            new Error(
              `no line matching ${re} within ${timeoutMs} ms:\n${this.lines.slice(-40).join('\n')}`,
            ),
          ),
        timeoutMs,
      );
      this.waiters.push({
        re,
        resolve: (m) => (clearTimeout(timer), res(m)),
        reject: (e) => (clearTimeout(timer), rej(e)),
      });
    });
  }

  pids(): Map<string, number[]> {
    const out = new Map<string, number[]>();
    for (const l of this.lines) {
      // `[start] started api (pid 1), … (pid 6)` at first, `[start] api started (pid 7)` on a restart.
      const all = l.startsWith('[start] started ') ? l.matchAll(/(\S+) \(pid (\d+)\)/g) : [];
      const one = l.match(/^\[start\] (\S+) started \(pid (\d+)\)/);
      for (const m of [...all, ...(one ? [one] : [])])
        out.set(m[1], [...(out.get(m[1]) ?? []), Number(m[2])]);
    }
    return out;
  }
}

describeBuilt('npm start launcher', () => {
  let proc: ChildProcess | undefined;
  let dataDir: string;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'clipline-launcher-'));
    // When the test runs as root, Postgres runs as "postgres" and must enter it.
    chmodSync(dataDir, 0o755);
  });

  afterAll(() => {
    if (proc?.pid && proc.exitCode === null) proc.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts everything, restarts a SIGKILLed worker and stops it all on SIGINT', async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      CLIPLINE_SKIP_BUILD: '1',
      CLIPLINE_DATA_DIR: dataDir,
      CLIPLINE_STOP_TIMEOUT_MS: '10000',
      PORT: String(await freePort()),
    };
    // Unset, so the launcher brings up its own embedded Postgres and s3rver.
    delete env.DATABASE_URL;
    delete env.S3_ENDPOINT;
    proc = spawn(process.execPath, [join(root, 'scripts', 'start.mjs')], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = new Output(proc);
    const exited = new Promise<number | null>((r) => proc!.once('exit', (code) => r(code)));

    const [, base] = await out.waitFor(/^\s+API:\s+(http\S+)/, 100_000);
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
    await out.waitFor(/^\s+Stop:/, 5_000);

    // Start-up is readable: the banner comes within 25 lines and names what a user needs.
    const bannerAt = out.lines.findIndex((l) => /Clipline (is running|started)/.test(l));
    expect(bannerAt).toBeGreaterThan(0);
    expect(bannerAt + 1).toBeLessThanOrEqual(25);
    expect(out.lines.slice(0, bannerAt).join('\n')).not.toMatch(
      /NodeVersionSupportWarning|npm warn/,
    );
    const banner = out.lines.slice(bannerAt, bannerAt + 12).join('\n');
    expect(banner).toMatch(new RegExp(`API:\\s+${base}`));
    expect(banner).toMatch(new RegExp(`Web app:\\s+${base}/`));
    expect(banner).toMatch(new RegExp(`Docs:\\s+${base}/docs`));
    expect(banner).toMatch(/API key:\s+clk_/);
    // Apps' JSON lines are shown pretty-printed with the app's prefix.
    expect(out.lines).toContainEqual(expect.stringMatching(/^silence-worker +\| .*INFO.*ready/));
    expect(out.lines.filter((l) => /\| \{"level"/.test(l))).toEqual([]);

    // Every worker serves its own Prometheus metrics on the port the banner lists.
    const [, ports] = await out.waitFor(/Metrics:.*workers on ports ([\d, ]+)/, 1000);
    const workerPorts = ports.split(',').map((p) => Number(p.trim()));
    expect(workerPorts).toHaveLength(APPS.length - 1);
    const silenceReady = out.lines.find((l) => /^silence-worker .*metrics on :(\d+)/.test(l))!;
    const silencePort = Number(/metrics on :(\d+)/.exec(silenceReady)![1]);
    expect(workerPorts).toContain(silencePort);
    const scrape = await fetch(`http://127.0.0.1:${silencePort}/metrics`);
    expect(scrape.status).toBe(200);
    const families = parsePrometheusText(await scrape.text());
    expect(families.get('clipline_stage_attempts_total')?.type).toBe('counter');
    expect(families.get('clipline_stage_duration_seconds')?.type).toBe('histogram');
    expect(families.get('clipline_process_resident_memory_bytes')?.type).toBe('gauge');
    expect(families.get('clipline_nodejs_eventloop_lag_seconds')?.type).toBe('gauge');
    expect(
      families.get('clipline_queue_jobs')?.samples.some((s) => s.labels.state === 'paused'),
    ).toBe(true);

    const key = readFileSync(join(dataDir, 'api-key.txt'), 'utf8').trim();
    expect(key).toMatch(/^clk_/);
    expect(out.lines.join('\n')).toContain(key);
    // An ops-only endpoint: the launcher's key has the ops role.
    const queues = await fetch(`${base}/v1/ops/queues`, {
      headers: { Authorization: `Bearer ${key}` },
    });
    expect(queues.status).toBe(200);
    expect(await fetch(`${base}/v1/ops/queues`)).toHaveProperty('status', 401);

    const first = out.pids();
    expect([...first.keys()].sort()).toEqual([...APPS].sort());
    const pgPid = Number(
      readFileSync(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0],
    );
    expect(alive(pgPid)).toBe(true);

    const victim = first.get('silence-worker')![0];
    const mark = out.lines.length;
    process.kill(victim, 'SIGKILL');
    await out.waitFor(/silence-worker was killed by SIGKILL; restarting in 1 s/, 10_000, mark);
    await out.waitFor(/^\[start\] silence-worker started \(pid \d+\)/, 10_000, mark);
    const restarted = out.pids().get('silence-worker')!;
    expect(restarted).toHaveLength(2);
    expect(restarted[1]).not.toBe(victim);
    expect(alive(restarted[1])).toBe(true);

    proc.kill('SIGINT');
    expect(await exited).toBe(0);
    const everyPid = [...out.pids().values()].flat();
    expect(everyPid.filter(alive)).toEqual([]);
    expect(alive(pgPid)).toBe(false);
    expect(out.lines).toContain('[start] stopped');
  }, 150_000);

  it('without models: one clear line, layout frames by centre, /health degraded; apikey:create reaches its database', async () => {
    const fresh = mkdtempSync(join(tmpdir(), 'clipline-launcher-fresh-'));
    chmodSync(fresh, 0o755);
    const emptyModels = mkdtempSync(join(tmpdir(), 'clipline-no-models-'));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      CLIPLINE_SKIP_BUILD: '1',
      CLIPLINE_DATA_DIR: fresh,
      CLIPLINE_STOP_TIMEOUT_MS: '10000',
      // Deterministic with or without internet: nothing may be fetched into the empty folder.
      CLIPLINE_MODEL_FETCH: '0',
      MODEL_DIR: emptyModels,
      PORT: String(await freePort()),
      // Not the default ports: a stray stack left by an earlier run may still point at those.
      CLIPLINE_PG_PORT: String(await freePort()),
      CLIPLINE_S3_PORT: String(await freePort()),
    };
    delete env.DATABASE_URL;
    delete env.S3_ENDPOINT;
    const launcher = spawn(process.execPath, [join(root, 'scripts', 'start.mjs')], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proc = launcher;
    const out = new Output(launcher);
    const exited = new Promise<number | null>((r) => launcher.once('exit', (code) => r(code)));
    try {
      const [, base] = await out.waitFor(/^\s+API:\s+(http\S+)/, 100_000);
      const modelLines = out.lines.filter((l) => l.startsWith('[start]') && /model/i.test(l));
      expect(modelLines).toEqual([
        expect.stringMatching(
          /^\[start\] models: missing ultraface\/version-RFB-320\.onnx in MODEL_DIR=\S+ \(downloads are off \(CLIPLINE_MODEL_FETCH=0\)\); until then layout frames by centre\. Fix: `npm run models:pull`/,
        ),
      ]);
      expect(modelLines[0]).toContain(emptyModels);

      // The layout worker serves the stage instead of crash-looping, and says why on /health.
      // The banner waits for the API only; the layout worker registers once it is ready.
      let report = { status: '', reasons: [] as string[] };
      for (let t0 = Date.now(); Date.now() - t0 < 30_000;) {
        const health = await fetch(`${base}/health`);
        expect(health.status).toBe(200);
        report = (await health.json()) as typeof report;
        if (report.status !== 'ok') break;
        await new Promise((r) => setTimeout(r, 500));
      }
      expect(report.status).toBe('degraded');
      expect(report.reasons).toEqual([
        expect.stringMatching(/^layout: no face model: framing by centre \(.*\) \(1 worker\)$/),
      ]);
      expect(out.pids().get('layout-worker')).toHaveLength(1);

      const key = readFileSync(join(fresh, 'api-key.txt'), 'utf8').trim();
      const form = new FormData();
      form.append(
        'file',
        new Blob([readFileSync(await smallMp4())], { type: 'video/mp4' }),
        'a.mp4',
      );
      const created = await fetch(`${base}/v1/jobs`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${key}` },
        body: form,
      });
      expect(created.status).toBe(201);
      const { id } = (await created.json()) as { id: string };
      let layout: { status: string; summary?: { note?: string } } | undefined;
      for (let t0 = Date.now(); Date.now() - t0 < 60_000;) {
        const job = (await (
          await fetch(`${base}/v1/jobs/${id}`, { headers: { Authorization: `Bearer ${key}` } })
        ).json()) as {
          stages: Array<{ stage: string; status: string; summary?: { note?: string } }>;
        };
        layout = job.stages.find((st) => st.stage === 'layout');
        if (layout && ['completed', 'failed'].includes(layout.status)) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      expect(layout).toMatchObject({ status: 'completed' });
      expect(layout?.summary?.note).toContain('no face model: framing by centre');
      expect(out.pids().get('layout-worker')).toHaveLength(1);

      // The README's command, as written, against the launcher's own database.
      const connection = join(fresh, 'connection.json');
      expect(statSync(connection).mode & 0o777).toBe(0o600);
      const { stdout } = await promisify(execFile)(
        'npm',
        ['run', 'apikey:create', '--', '--name', 'launcher-test', '--role', 'creator'],
        { cwd: root, env, timeout: 180_000 },
      );
      const created2 = stdout.match(/^(clk_\S+)$/m);
      expect(created2).not.toBeNull();
      const jobs = await fetch(`${base}/v1/jobs`, {
        headers: { Authorization: `Bearer ${created2![1]}` },
      });
      expect(jobs.status).toBe(200);
    } finally {
      launcher.kill('SIGINT');
      await exited;
      rmSync(fresh, { recursive: true, force: true });
      rmSync(emptyModels, { recursive: true, force: true });
    }
  }, 300_000);
});
