import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetchModel, type ModelFile } from './model-store';

/**
 * An operator without network must read "network unreachable", not a
 * checksum complaint: the two need different fixes.
 */
let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'clipline-models-net-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const model = (url: string, sha256 = ''): ModelFile => ({
  path: 'm/weights.onnx',
  url,
  sha256,
  licence: 'test',
});

async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return port;
}

describe('fetchModel without network', () => {
  it('says "network unreachable" with the host when the connection is refused', async () => {
    const port = await closedPort();
    const err = await fetchModel(dir, model(`http://127.0.0.1:${port}/x.onnx`, 'ab'.repeat(32)))
      .then(() => null)
      .catch((e: Error) => e);
    expect(err?.name).toBe('ModelNetworkError');
    expect(err?.message).toBe(
      `network unreachable: 127.0.0.1:${port} (ECONNREFUSED); copy the files to MODEL_DIR (see docs/operations.md)`,
    );
    expect(existsSync(join(dir, 'm'))).toBe(true);
    expect(existsSync(join(dir, 'm/weights.onnx.download'))).toBe(false);
  });

  it('does not blame the hub checksum for an unpinned file it could not reach', async () => {
    const port = await closedPort();
    const url = `http://127.0.0.1:${port}/org/model/resolve/main/onnx/encoder.onnx`;
    await expect(fetchModel(dir, model(url))).rejects.toThrow(
      /^network unreachable: 127\.0\.0\.1:\d+ \(ECONNREFUSED\)/,
    );
    await expect(fetchModel(dir, model(url))).rejects.not.toThrow(/checksum/);
  });

  it('says "network unreachable" for a host that does not resolve', async () => {
    await expect(
      fetchModel(dir, model('http://models.clipline.invalid/x.onnx', 'ab'.repeat(32))),
    ).rejects.toThrow(/^network unreachable: models\.clipline\.invalid \((ENOTFOUND|EAI_AGAIN)\)/);
  });

  it('says "network unreachable" when the host never answers within the timeout', async () => {
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const { port } = silent.address() as { port: number };
    const withTimeout: typeof fetch = (url, init) =>
      fetch(url, { ...init, signal: AbortSignal.timeout(300) });
    try {
      await expect(
        fetchModel(dir, model(`http://127.0.0.1:${port}/x.onnx`, 'ab'.repeat(32)), withTimeout),
      ).rejects.toThrow(/^network unreachable: 127\.0\.0\.1:\d+ \(timed out\)/);
    } finally {
      silent.close();
    }
  });

  it('reports a wrong download as a checksum mismatch, not a network problem', async () => {
    const body = Buffer.from('not the model');
    const http = createHttpServer((_, res) => res.end(body));
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    const { port } = http.address() as { port: number };
    const wanted = createHash('sha256').update('the model').digest('hex');
    try {
      const err = await fetchModel(dir, model(`http://127.0.0.1:${port}/x.onnx`, wanted))
        .then(() => null)
        .catch((e: Error) => e);
      expect(err?.name).toBe('ModelChecksumError');
      expect(err?.message).toMatch(/^Checksum mismatch for .* expected/);
      expect(err?.message).not.toMatch(/network/);
    } finally {
      http.close();
    }
  });
});
