import { BadInputError, InfrastructureError, isInfrastructureError } from '@clipline/contracts';
import { StorageService } from '@clipline/storage';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { Client } from 'pg';

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

function s3At(endpoint: string): StorageService {
  return new StorageService({
    endpoint,
    region: 'us-east-1',
    bucket: 'b',
    accessKeyId: 'k',
    secretAccessKey: 's',
    forcePathStyle: true,
    presignTtlSeconds: 60,
    maxAttempts: 1,
  });
}

const caught = (p: Promise<unknown>) =>
  p.then(
    () => new Error('no error'),
    (e: unknown) => e,
  );

/** The classifier on the errors the real clients throw when a service is down. */
describe('isInfrastructureError', () => {
  it('recognises a refused TCP connection', async () => {
    const port = await closedPort();
    const err = await new Promise((resolve) => connect(port, '127.0.0.1').on('error', resolve));
    expect(isInfrastructureError(err)).toBe(true);
  });

  it('recognises Postgres being unreachable', async () => {
    const client = new Client({ host: '127.0.0.1', port: await closedPort(), user: 'x' });
    expect(isInfrastructureError(await caught(client.connect()))).toBe(true);
  });

  it('recognises S3 being unreachable, and S3 answering 503 SlowDown', async () => {
    expect(
      isInfrastructureError(await caught(s3At(`http://127.0.0.1:${await closedPort()}`).ping())),
    ).toBe(true);
    const slow: Server = createServer((_req, res) => {
      res.writeHead(503, { 'Content-Type': 'application/xml' });
      res.end(
        '<?xml version="1.0"?><Error><Code>SlowDown</Code><Message>Reduce your request rate.</Message></Error>',
      );
    });
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    try {
      const port = (slow.address() as AddressInfo).port;
      const err = await caught(s3At(`http://127.0.0.1:${port}`).putBuffer('k', 'x', 'text/plain'));
      expect(isInfrastructureError(err)).toBe(true);
    } finally {
      await new Promise((r) => slow.close(r));
    }
  });

  it('does not take job errors for outages', async () => {
    expect(isInfrastructureError(new BadInputError('moov atom not found'))).toBe(false);
    expect(isInfrastructureError(new Error('out of memory'))).toBe(false);
    const notFound = createServer((_req, res) => {
      res.writeHead(404, { 'Content-Type': 'application/xml' });
      res.end('<?xml version="1.0"?><Error><Code>NoSuchKey</Code></Error>');
    });
    await new Promise<void>((r) => notFound.listen(0, '127.0.0.1', r));
    try {
      const port = (notFound.address() as AddressInfo).port;
      expect(
        isInfrastructureError(await caught(s3At(`http://127.0.0.1:${port}`).getText('k'))),
      ).toBe(false);
    } finally {
      await new Promise((r) => notFound.close(r));
    }
  });

  it('looks through wrappers', () => {
    const inner = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(isInfrastructureError(new Error('query failed', { cause: inner }))).toBe(true);
    expect(isInfrastructureError(new InfrastructureError('S3 is down'))).toBe(true);
  });
});
