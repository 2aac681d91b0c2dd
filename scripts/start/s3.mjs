// Embedded S3 (s3rver on a local folder) for `npm start` when S3_ENDPOINT is unset.
// Same approach as test/support/s3-server.ts.
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { freePort, say } from './util.mjs';

const require = createRequire(import.meta.url);

export async function startEmbeddedS3({ dir, preferredPort }) {
  mkdirSync(dir, { recursive: true });
  const S3rver = require('s3rver');
  const port = await freePort(preferredPort);
  const server = new S3rver({
    port,
    address: '127.0.0.1',
    directory: dir,
    silent: true,
    configureBuckets: [],
  });
  await server.run();
  say(`embedded S3 (s3rver) on port ${port} (objects in ${dir})`);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    // s3rver's access keys; the apps' defaults (S3RVER/S3RVER) match them.
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    close: () => server.close(),
  };
}
