// The connection settings of the services `npm start` runs, recorded in the
// data folder so command-line tools (`npm run apikey:create`) reach the same
// database instead of the system default. Read by apps/api/src/cli/launcher-connection.ts.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const CONNECTION_FILE = 'connection.json';

const KEYS = [
  'DATABASE_URL',
  'REDIS_URL',
  'QUEUE_PREFIX',
  'S3_ENDPOINT',
  'S3_BUCKET',
  'S3_REGION',
  'S3_ACCESS_KEY_ID',
  'S3_SECRET_ACCESS_KEY',
  'S3_FORCE_PATH_STYLE',
  'MODEL_DIR',
];

export function recordConnection(dataDir, env) {
  const record = Object.fromEntries(KEYS.filter((k) => env[k]).map((k) => [k, env[k]]));
  const file = join(dataDir, CONNECTION_FILE);
  // It holds the S3 secret: readable by its owner only.
  writeFileSync(
    file,
    `${JSON.stringify({ ...record, recordedAt: new Date().toISOString() }, null, 2)}\n`,
    {
      mode: 0o600,
    },
  );
  chmodSync(file, 0o600);
  return file;
}
