import { isBadInputError, isInfrastructureError } from '@clipline/contracts';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pcmFloat32Stream } from './pcm-stream';

/** Real ffmpeg reading an http URL, the way stages read presigned S3 URLs. */
async function decodeError(url: string): Promise<unknown> {
  try {
    for await (const chunk of pcmFloat32Stream(url)) void chunk;
  } catch (err) {
    return err;
  }
  throw new Error('ffmpeg decoded the URL');
}

async function serve(handler: Parameters<typeof createServer>[1]): Promise<Server> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return server;
}

const urlOf = (s: Server) => `http://127.0.0.1:${(s.address() as AddressInfo).port}/source.wav`;

describe('ffmpeg failures on a source URL', () => {
  it('an unreachable server is an infrastructure error, not bad input', async () => {
    const closed = await serve(() => undefined);
    const url = urlOf(closed);
    await new Promise((r) => closed.close(r));
    const err = await decodeError(url);
    expect(isInfrastructureError(err)).toBe(true);
    expect(isBadInputError(err)).toBe(false);
    expect((err as Error).message).toMatch(/unreachable/);
  });

  it('a 503 from S3 is an infrastructure error', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(503, { 'Content-Type': 'application/xml' });
      res.end('<Error><Code>SlowDown</Code></Error>');
    });
    try {
      const err = await decodeError(urlOf(server));
      expect(isInfrastructureError(err)).toBe(true);
      expect(isBadInputError(err)).toBe(false);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('garbage bytes are still bad input', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'audio/wav', 'Content-Length': 65536 });
      res.end(Buffer.alloc(65536, 7));
    });
    try {
      const err = await decodeError(urlOf(server));
      expect(isBadInputError(err)).toBe(true);
      expect(isInfrastructureError(err)).toBe(false);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
