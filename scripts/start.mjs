// `npm start`: the whole system on one machine. Builds what changed, brings up
// Postgres, S3 and Redis when none is configured, migrates, and runs the API
// and the five workers as separate processes until Ctrl-C.
import dotenv from 'dotenv';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepare } from './start/bootstrap.mjs';
import { recordConnection } from './start/connection.mjs';
import { ensureModels } from './start/models.cjs';
import { buildIfNeeded, buildWebIfStale, entryFile } from './start/build.mjs';
import { startEmbeddedPostgres } from './start/postgres.mjs';
import { ensureRedis } from './start/redis.mjs';
import { startEmbeddedS3 } from './start/s3.mjs';
import { Supervisor } from './start/supervisor.mjs';
import { freePort, paint, say, sleep, warn } from './start/util.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = resolve(root, process.env.CLIPLINE_DATA_DIR || '.data');
const stopTimeoutMs = Number(process.env.CLIPLINE_STOP_TIMEOUT_MS ?? 15_000);

// The AWS SDK's documented switch for its Node-version notice, which otherwise
// prints a 9-line block from the launcher and from every app.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// A local .env fills in what the shell did not set.
if (existsSync(join(root, '.env'))) dotenv.config({ path: join(root, '.env'), quiet: true });

const nest = JSON.parse(readFileSync(join(root, 'nest-cli.json'), 'utf8'));
const appNames = Object.entries(nest.projects)
  .filter(([, p]) => p.type === 'application')
  .map(([name]) => name)
  .sort((a, b) => (a === 'api' ? -1 : b === 'api' ? 1 : 0));

const services = { postgres: null, s3: null, redis: null, supervisor: null };
let shuttingDown = false;

async function shutdown(reason, exitCode = 0) {
  if (shuttingDown) return;
  shuttingDown = true;
  say(`${reason}: stopping everything`);
  try {
    if (services.supervisor) {
      await services.supervisor.stopAll(stopTimeoutMs);
      say('apps stopped');
    }
    if (services.s3) await services.s3.close();
    if (services.postgres) await services.postgres.stop();
    if (services.redis?.started) await services.redis.stop();
  } catch (err) {
    warn(`while stopping: ${err.message}`);
    exitCode = exitCode || 1;
  }
  say('stopped');
  process.exit(exitCode);
}

function onSignal(sig) {
  if (shuttingDown) {
    warn(`${sig} again: killing everything now`);
    hardStop();
    process.exit(130);
  }
  void shutdown(`received ${sig}`, 0);
}

/** Last resort when the launcher itself dies: nothing it started may outlive it. */
function hardStop() {
  services.supervisor?.killAll();
  services.postgres?.kill();
  services.redis?.kill();
}

process.on('SIGINT', () => onSignal('SIGINT'));
process.on('SIGTERM', () => onSignal('SIGTERM'));
process.on('SIGHUP', () => onSignal('SIGHUP'));
process.on('exit', hardStop);

function defaultModelDir() {
  const shared = resolve(root, '..', 'shared', 'models');
  return existsSync(shared) ? shared : join(root, 'models');
}

async function waitForHealth(url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline && !shuttingDown) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
      if (res.ok) return true;
      last = `HTTP ${res.status}: ${(await res.text()).slice(0, 300)}`;
    } catch (err) {
      last = err.cause?.code ?? err.message;
    }
    await sleep(500);
  }
  if (!shuttingDown)
    warn(`the API did not report healthy within ${timeoutMs / 1000} s (last: ${last})`);
  return false;
}

async function main() {
  buildIfNeeded(root, appNames);
  buildWebIfStale(root);
  mkdirSync(dataDir, { recursive: true });
  const env = { ...process.env };
  // The API serves the web app from here, so npm start gives a working site.
  env.WEB_DIST_DIR ||= join(root, 'apps', 'web', 'dist');

  // Redis first: it is the one dependency npm start may not be able to provide.
  env.REDIS_URL ||= 'redis://127.0.0.1:6379';
  services.redis = await ensureRedis(env.REDIS_URL, {
    onLine: (l) => console.log(`${paint('redis', 90)} | ${l}`),
  });

  if (!env.DATABASE_URL) {
    services.postgres = await startEmbeddedPostgres({
      dataDir: join(dataDir, 'postgres'),
      preferredPort: Number(env.CLIPLINE_PG_PORT) || 5433,
    });
    env.DATABASE_URL = services.postgres.url;
  }
  if (!env.S3_ENDPOINT) {
    services.s3 = await startEmbeddedS3({
      dir: join(dataDir, 's3'),
      preferredPort: Number(env.CLIPLINE_S3_PORT) || 4569,
    });
    env.S3_ENDPOINT = services.s3.endpoint;
    env.S3_ACCESS_KEY_ID = services.s3.accessKeyId;
    env.S3_SECRET_ACCESS_KEY = services.s3.secretAccessKey;
    env.S3_FORCE_PATH_STYLE = 'true';
  }
  env.MODEL_DIR ||= defaultModelDir();
  env.PORT ||= String(await freePort(3000));
  // Colours only help on a terminal; in a log file they are noise.
  if (!process.stdout.isTTY) env.NO_COLOR ??= '1';
  // JSON lines from the apps; the supervisor prints them readably with the app's prefix.
  env.LOG_FORMAT ||= 'json';
  // Each worker serves its own /metrics; the API's is on its HTTP port.
  const metricsPorts = {};
  for (const [i, name] of appNames.entries())
    if (name !== 'api') metricsPorts[name] = await freePort(9100 + i);

  const keyFile = join(dataDir, 'api-key.txt');
  const { cfg, apiKey } = await prepare(root, env, keyFile);
  if (shuttingDown) return;
  // So `npm run apikey:create` and other CLIs find this run's database and S3.
  recordConnection(dataDir, env);
  const modelProblems = await ensureModels(root, cfg, {
    fetch: env.CLIPLINE_MODEL_FETCH !== '0',
    log: say,
  });
  for (const line of modelProblems) warn(line);
  if (shuttingDown) return;

  services.supervisor = new Supervisor(
    appNames.map((name) => ({
      name,
      entry: entryFile(root, name),
      env: metricsPorts[name] ? { METRICS_PORT: String(metricsPorts[name]) } : {},
    })),
    {
      env,
      cwd: root,
      stallSeconds: cfg.STALL_SECONDS,
      onFatal: (msg) => void shutdown(msg, 1),
      quietStart: true,
    },
  );
  services.supervisor.startAll();

  const base = `http://localhost:${cfg.PORT}`;
  const healthy = await waitForHealth(`${base}/health`, 120_000);
  if (shuttingDown) return;
  const line = (k, v) => console.log(`  ${paint(k.padEnd(9), 1)}${v}`);
  console.log('');
  console.log(
    paint(
      healthy ? '  Clipline is running' : '  Clipline started, but /health is not OK yet',
      healthy ? '1;32' : '1;33',
    ),
  );
  line('API:', base);
  line('Web app:', existsSync(join(env.WEB_DIST_DIR, 'index.html')) ? `${base}/` : 'not built');
  line('Docs:', `${base}/docs`);
  line(
    'API key:',
    `${apiKey}  (role ops; saved in ${keyFile.startsWith(root) ? relative(root, keyFile) : keyFile})`,
  );
  line(
    'Metrics:',
    `${base}/metrics; workers on ports ${Object.values(metricsPorts).join(', ')} (/metrics)`,
  );
  line('Models:', cfg.MODEL_DIR);
  line('Try:', `curl -H "Authorization: Bearer ${apiKey}" ${base}/v1/jobs`);
  line('Stop:', 'Ctrl-C');
  console.log('');
  services.supervisor.showAll();
}

main().catch(async (err) => {
  console.error(`${paint('[start]', '1;31')} ${err.message}`);
  // ConfigError names the bad variable; 78 is EX_CONFIG, as in the apps.
  await shutdown('startup failed', err.name === 'ConfigError' ? 78 : (err.exitCode ?? 1));
});
