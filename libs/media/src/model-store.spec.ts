import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hubTreeUrl } from './hub-hash';
import { fetchModel, ModelMissingError, resolveModel, type ModelFile } from './model-store';

/** A local server shaped like a model hub: files under /resolve/, listings under /api/. */
const weights = Buffer.from(Array.from({ length: 50_000 }, (_, i) => (i * 7) % 251));
const tokenizer = Buffer.from('{"model":{"vocab":{}}}');
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const gitBlobSha1 = (b: Buffer) =>
  createHash('sha1').update(`blob ${b.length}\0`).update(b).digest('hex');

let server: Server;
let origin: string;
let served: Record<string, Buffer>;
let tree: Record<string, unknown[]>;
let dir: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? '';
    if (path.startsWith('/api/')) {
      const listing = tree[path];
      res.writeHead(listing ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(listing ?? { error: 'not found' }));
      return;
    }
    const body = served[path];
    res.writeHead(body ? 200 : 404);
    res.end(body ?? 'not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'clipline-models-'));
  served = {
    '/org/model/resolve/main/onnx/encoder.onnx': weights,
    '/org/model/resolve/main/tokenizer.json': tokenizer,
    '/plain/weights.onnx': weights,
  };
  tree = {
    '/api/models/org/model/tree/main/onnx': [
      { type: 'directory', path: 'onnx/sub', oid: 'x' },
      {
        type: 'file',
        path: 'onnx/encoder.onnx',
        oid: 'pointer-blob',
        size: 134,
        lfs: { oid: sha256(weights), size: weights.length },
      },
    ],
    '/api/models/org/model/tree/main': [
      { type: 'file', path: 'tokenizer.json', oid: gitBlobSha1(tokenizer), size: tokenizer.length },
    ],
  };
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const model = (path: string, url: string, sha = ''): ModelFile => ({
  path,
  url: `${origin}${url}`,
  sha256: sha,
  licence: 'test',
});

describe('hubTreeUrl', () => {
  it('maps a resolve URL to the tree listing of its folder', () => {
    expect(hubTreeUrl('https://hub.example/o/r/resolve/main/onnx/a%20b.onnx')).toEqual({
      treeUrl: 'https://hub.example/api/models/o/r/tree/main/onnx',
      path: 'onnx/a b.onnx',
    });
    expect(hubTreeUrl('https://hub.example/o/r/resolve/abc123/t.json')?.treeUrl).toBe(
      'https://hub.example/api/models/o/r/tree/abc123',
    );
    expect(hubTreeUrl('https://raw.example/o/r/main/t.json')).toBeNull();
  });
});

describe('fetchModel', () => {
  it('downloads a pinned file, verifies it and then resolves it offline', async () => {
    const m = model('a/weights.onnx', '/plain/weights.onnx', sha256(weights));
    const path = await fetchModel(dir, m);
    expect(readFileSync(path).equals(weights)).toBe(true);
    await expect(resolveModel(dir, m)).resolves.toBe(path);
  });

  it('refuses a download whose sha256 differs and leaves nothing behind', async () => {
    const m = model('a/weights.onnx', '/plain/weights.onnx', sha256(tokenizer));
    await expect(fetchModel(dir, m)).rejects.toThrow(/Checksum mismatch .* expected/);
    expect(readdirSync(join(dir, 'a'))).toEqual([]);
  });

  it('verifies an unpinned LFS file against the sha256 the hub publishes', async () => {
    const m = model('w/encoder.onnx', '/org/model/resolve/main/onnx/encoder.onnx');
    const path = await fetchModel(dir, m);
    expect(readFileSync(path).equals(weights)).toBe(true);
    // Already present and intact: no second download.
    delete served['/org/model/resolve/main/onnx/encoder.onnx'];
    await expect(fetchModel(dir, m)).resolves.toBe(path);
  });

  it('verifies an unpinned small file against its git blob SHA-1', async () => {
    const path = await fetchModel(
      dir,
      model('w/tokenizer.json', '/org/model/resolve/main/tokenizer.json'),
    );
    expect(readFileSync(path, 'utf8')).toBe(tokenizer.toString());
  });

  it('refuses an unpinned file whose bytes differ from what the hub lists', async () => {
    served['/org/model/resolve/main/onnx/encoder.onnx'] = Buffer.concat([weights, Buffer.of(0)]);
    const m = model('w/encoder.onnx', '/org/model/resolve/main/onnx/encoder.onnx');
    await expect(fetchModel(dir, m)).rejects.toThrow(/Checksum mismatch .*sha256/);
    expect(existsSync(join(dir, 'w/encoder.onnx'))).toBe(false);
  });

  it('refuses an unpinned file when the hub publishes no checksum', async () => {
    await expect(fetchModel(dir, model('x.onnx', '/plain/weights.onnx'))).rejects.toThrow(
      /no pinned sha256 and no checksum published/,
    );
    tree['/api/models/org/model/tree/main'] = [];
    await expect(
      fetchModel(dir, model('t.json', '/org/model/resolve/main/tokenizer.json')),
    ).rejects.toThrow(/does not list tokenizer.json/);
  });
});

describe('resolveModel', () => {
  it('names the file and the fix when a model is missing or altered', async () => {
    const m = model('a/weights.onnx', '/plain/weights.onnx', sha256(weights));
    await expect(resolveModel(dir, m)).rejects.toThrow(ModelMissingError);
    await expect(resolveModel(dir, m)).rejects.toThrow(/npm run models:pull/);
    await fetchModel(dir, m);
    writeFileSync(join(dir, m.path), 'tampered');
    await expect(resolveModel(dir, m)).rejects.toThrow(/has sha256 .* expected/);
  });
});
