import type { AddressInfo } from 'node:net';

/**
 * A real S3-protocol server (s3rver) on a free loopback port. Used by tests
 * and by `npm start` when S3_ENDPOINT is unset.
 */
export async function startS3(
  directory: string,
  port = 0,
): Promise<{ endpoint: string; close(): Promise<void> }> {
  // s3rver has no types; run() resolves to the listening address.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const S3rver = require('s3rver');
  const server = new S3rver({
    port,
    address: '127.0.0.1',
    directory,
    silent: true,
    configureBuckets: [],
  });
  const addr = (await server.run()) as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${addr.port}`,
    close: () => server.close(),
  };
}
