// Finds the Redis at REDIS_URL, or starts a throwaway local one when none answers.
import { execFileSync, spawn } from 'node:child_process';
import { createConnection } from 'node:net';
import { createInterface } from 'node:readline';
import { say, signal, sleep, waitFor } from './util.mjs';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** Resolves true when a Redis server answers PING (even "-NOAUTH" proves one is there). */
function answersPing(host, port, timeoutMs = 1500) {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (d) => done(/^[+-]/.test(d.toString())));
    socket.once('error', () => done(false));
  });
}

function redisServerBinary() {
  try {
    return execFileSync('sh', ['-c', 'command -v redis-server']).toString().trim() || null;
  } catch {
    return null;
  }
}

/**
 * Returns { started: false } when Redis already answers at the URL, or the
 * handle of a redis-server it started (no persistence: it only carries Bull
 * transport and progress; Postgres holds the truth).
 */
export async function ensureRedis(url, { onLine }) {
  const u = new URL(url);
  const host = u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1';
  const port = Number(u.port || 6379);
  if (await answersPing(host, port)) {
    say(`Redis answers at ${url}`);
    return { started: false, stop: async () => {}, kill() {} };
  }
  const binary = redisServerBinary();
  if (!LOOPBACK.has(u.hostname) || !binary) {
    const why = LOOPBACK.has(u.hostname)
      ? 'and no redis-server binary is installed'
      : 'and it is not a local address';
    throw Object.assign(
      new Error(
        `nothing answers at REDIS_URL=${url} ${why}.\n` +
          'Install Redis: apt-get install redis-server (Debian/Ubuntu) or brew install redis, ' +
          'or point REDIS_URL at a running server.',
      ),
      { exitCode: 1 },
    );
  }
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  if (u.password) args.push('--requirepass', decodeURIComponent(u.password));
  const proc = spawn(binary, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  for (const stream of [proc.stdout, proc.stderr])
    createInterface({ input: stream }).on('line', onLine);
  let exited = false;
  proc.on('exit', () => {
    exited = true;
  });
  await waitFor(
    async () => {
      if (exited)
        throw Object.assign(
          new Error('redis-server exited during startup (see its output above)'),
          { fatal: true },
        );
      return answersPing(host, port);
    },
    { timeoutMs: 15_000, what: 'redis-server' },
  );
  say(`started redis-server on port ${port} (pid ${proc.pid}, no persistence)`);
  return {
    started: true,
    pid: proc.pid,
    async stop(timeoutMs = 5000) {
      if (exited) return;
      const gone = new Promise((r) => proc.once('exit', r));
      signal(proc.pid, 'SIGTERM');
      if (await Promise.race([gone.then(() => false), sleep(timeoutMs).then(() => true)]))
        signal(proc.pid, 'SIGKILL');
    },
    kill() {
      if (!exited) signal(proc.pid, 'SIGKILL');
    },
  };
}
