import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
// globalSetup runs outside jest's module mapper, so no @clipline/* aliases here.
import { createDataSource } from '../../libs/database/src/data-source';

/**
 * One database, one Bull prefix and one S3 server per test run, so parallel
 * runs on the same machine (or a developer's run beside CI) never collide.
 * Values reach the test files through process.env; the state file lets the
 * teardown (a separate module instance) find what to remove.
 */
const STATE_FILE = join(tmpdir(), `clipline-test-env-${process.ppid}-${process.pid}.json`);

interface EnvState {
  dbName: string;
  adminUrl: string;
  s3Dir: string;
  queuePrefix: string;
  redisUrl: string;
}

let s3server: { close(): Promise<void> } | undefined;

export async function setupTestEnvironment(): Promise<void> {
  const run = randomBytes(4).toString('hex');
  const adminUrl = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const dbName = `clipline_test_${run}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  await admin.end();
  const dbUrl = adminUrl.replace(/\/[^/]*$/, `/${dbName}`);
  const ds = createDataSource(dbUrl);
  await ds.initialize();
  await ds.runMigrations();
  await ds.destroy();

  const s3Dir = mkdtempSync(join(tmpdir(), 'clipline-s3-'));
  const { startS3 } = await import('./s3-server');
  const s3 = await startS3(s3Dir);
  s3server = s3;

  const queuePrefix = `clipline-test-${run}`;
  const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  Object.assign(process.env, {
    NODE_ENV: 'test',
    DATABASE_URL: dbUrl,
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: queuePrefix,
    S3_ENDPOINT: s3.endpoint,
    S3_BUCKET: 'clipline-test',
    S3_ACCESS_KEY_ID: 'S3RVER',
    S3_SECRET_ACCESS_KEY: 'S3RVER',
    S3_FORCE_PATH_STYLE: 'true',
    S3_REGION: 'us-east-1',
    MODEL_DIR: process.env.MODEL_DIR ?? join(__dirname, '..', '..', '..', 'shared', 'models'),
  });
  const state: EnvState = { dbName, adminUrl, s3Dir, queuePrefix, redisUrl };
  writeFileSync(STATE_FILE, JSON.stringify(state));
}

export async function teardownTestEnvironment(): Promise<void> {
  if (!existsSync(STATE_FILE)) return;
  const state = JSON.parse(readFileSync(STATE_FILE, 'utf8')) as EnvState;
  await s3server?.close();
  const admin = new Client({ connectionString: state.adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${state.dbName} WITH (FORCE)`);
  await admin.end();
  const { default: Redis } = await import('ioredis');
  const redis = new Redis(state.redisUrl);
  const keys = await redis.keys(`${state.queuePrefix}:*`);
  for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
  await redis.quit();
  rmSync(state.s3Dir, { recursive: true, force: true });
  rmSync(STATE_FILE, { force: true });
}
