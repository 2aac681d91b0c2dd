import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { startApi, type ApiHarness, type TestKey } from '../support/api-app';
import { rawRequest, repeat, type RawResult } from '../support/raw-http';
import { danglingMultipartUploads, startS3Recorder } from '../support/s3-recorder';

/**
 * Malformed multipart bodies sent as raw bytes. None of them may end the API
 * process, each gets a 4xx (or a closed connection when the client broke it),
 * and no object or open multipart upload is left in S3.
 */
jest.setTimeout(240_000);

const ROOT = join(__dirname, '..', '..');
const MIB = 1024 * 1024;
const BOUNDARY = 'cliplinemalformedboundary';
const FILE_HEAD = Buffer.from(
  `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a.mp4"\r\nContent-Type: video/mp4\r\n\r\n`,
);
const CLOSE = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
const FILLER = Buffer.alloc(256 * 1024, 0x41);

let recorder: Awaited<ReturnType<typeof startS3Recorder>>;
let api: ApiHarness;
let creator: TestKey;

function head(url: string, key: string, extra: string): string {
  const { host } = new URL(url);
  return `POST /v1/jobs HTTP/1.1\r\nHost: ${host}\r\nX-Api-Key: ${key}\r\n${extra}\r\n`;
}
const multipart = `Content-Type: multipart/form-data; boundary=${BOUNDARY}\r\n`;

/** Each case: the raw request and what the answer may be. */
type Case = [string, (url: string, key: string) => Promise<RawResult>, Array<number | null>];

const fileBytes = (n: number) => [FILE_HEAD, ...repeat(FILLER, n)];
const bodyLength = (parts: Buffer[]) => parts.reduce((s, b) => s + b.length, 0);

const CASES: Case[] = [
  [
    'no closing boundary',
    (url, key) => {
      const body = fileBytes(12 * MIB);
      return rawRequest(
        url,
        head(url, key, `${multipart}Content-Length: ${bodyLength(body)}\r\n`),
        body,
      );
    },
    [400],
  ],
  [
    'no closing boundary, small file',
    (url, key) => {
      const body = fileBytes(1000);
      return rawRequest(
        url,
        head(url, key, `${multipart}Content-Length: ${bodyLength(body)}\r\n`),
        body,
      );
    },
    [400],
  ],
  [
    'Content-Length smaller than the body',
    (url, key) => {
      const body = [...fileBytes(12 * MIB), CLOSE];
      const declared = Math.floor(bodyLength(body) / 2);
      return rawRequest(url, head(url, key, `${multipart}Content-Length: ${declared}\r\n`), body);
    },
    // The rest of the body is not HTTP, so the connection may end before the 400 arrives.
    [400, null],
  ],
  [
    'a file that grows while it is sent',
    (url, key) => {
      const announced = [...fileBytes(6 * MIB), CLOSE];
      const sent = [...fileBytes(9 * MIB), CLOSE];
      return rawRequest(
        url,
        head(url, key, `${multipart}Content-Length: ${bodyLength(announced)}\r\n`),
        sent,
      );
    },
    [400, null],
  ],
  [
    'the client hangs up mid-file',
    (url, key) => {
      const body = fileBytes(7 * MIB);
      return rawRequest(
        url,
        head(url, key, `${multipart}Content-Length: ${bodyLength(body) + 5 * MIB}\r\n`),
        body,
        { end: 'destroy' },
      );
    },
    [null],
  ],
  [
    'the client stops sending mid-file (half-close)',
    (url, key) => {
      const body = fileBytes(7 * MIB);
      return rawRequest(
        url,
        head(url, key, `${multipart}Content-Length: ${bodyLength(body) + 5 * MIB}\r\n`),
        body,
        { end: 'half-close' },
      );
    },
    [400, null],
  ],
  [
    'broken chunked encoding mid-file',
    (url, key) => {
      const chunks = fileBytes(7 * MIB).map((b) =>
        Buffer.concat([Buffer.from(`${b.length.toString(16)}\r\n`), b, Buffer.from('\r\n')]),
      );
      chunks.push(Buffer.from('zz-not-hex\r\n\r\n'));
      return rawRequest(url, head(url, key, `${multipart}Transfer-Encoding: chunked\r\n`), chunks);
    },
    [400, null],
  ],
  [
    'multipart without a boundary',
    (url, key) => {
      const body = [...fileBytes(1000), CLOSE];
      return rawRequest(
        url,
        head(
          url,
          key,
          `Content-Type: multipart/form-data\r\nContent-Length: ${bodyLength(body)}\r\n`,
        ),
        body,
      );
    },
    [400],
  ],
  [
    'a malformed part header',
    (url, key) => {
      const body = [
        Buffer.from(
          `--${BOUNDARY}\r\nContent-Disposition form-data name=file\r\n${'x'.repeat(90_000)}\r\n\r\n`,
        ),
        ...repeat(FILLER, MIB),
        CLOSE,
      ];
      return rawRequest(
        url,
        head(url, key, `${multipart}Content-Length: ${bodyLength(body)}\r\n`),
        body,
      );
    },
    [400],
  ],
];

async function healthy(url: string): Promise<boolean> {
  const res = await fetch(`${url}/health`).catch(() => null);
  return res?.status === 200;
}

/** Cleanup runs after the response; give it a moment before checking S3. */
async function expectNothingLeft(before: string[]) {
  const t0 = Date.now();
  let keys: string[] = [];
  let dangling: string[] = [];
  while (Date.now() - t0 < 15_000) {
    keys = (await api.storage.listKeys('jobs/')).filter((k) => !before.includes(k));
    dangling = danglingMultipartUploads(recorder.calls);
    if (!keys.length && !dangling.length) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  expect({ keys, dangling }).toEqual({ keys: [], dangling: [] });
}

function expectCleanError(res: RawResult) {
  if (res.status === null) return;
  const body = res.text.slice(res.text.indexOf('\r\n\r\n') + 4);
  expect(body).not.toMatch(/\/work\/|node_modules|at \w+ \(|S3RVER/);
}

beforeAll(async () => {
  recorder = await startS3Recorder(process.env.S3_ENDPOINT as string);
  api = await startApi({ S3_ENDPOINT: recorder.endpoint });
  creator = await api.createKey('creator', 'malformed');
});
afterAll(async () => {
  await api?.close();
  await recorder?.close();
});

describe('malformed uploads to the API in-process', () => {
  it.each(CASES)('%s', async (_name, send, allowed) => {
    const before = await api.storage.listKeys('jobs/');
    const res = await send(api.url, creator.key);
    expect(res.timedOut).toBe(false);
    expect(allowed).toContain(res.status);
    expectCleanError(res);
    expect(await healthy(api.url)).toBe(true);
    await expectNothingLeft(before);
  });

  it('exercised the multipart path: S3 uploads were started and aborted', () => {
    const started = recorder.calls.filter((c) => c.createdUploadId).length;
    const aborted = recorder.calls.filter((c) => c.method === 'DELETE' && /uploadId=/.test(c.url));
    expect(started).toBeGreaterThan(0);
    expect(aborted.length).toBe(started);
  });

  it('still takes a well-formed upload afterwards', async () => {
    const form = new FormData();
    form.append('file', new Blob([Buffer.alloc(2000, 1)]), 'x.mp4');
    const res = await fetch(`${api.url}/v1/jobs`, {
      method: 'POST',
      headers: { 'x-api-key': creator.key },
      body: form,
    });
    expect(res.status).toBe(422);
  });
});

describe('malformed uploads to the API as its own process', () => {
  let child: ChildProcess;
  let url: string;
  let output = '';

  beforeAll(async () => {
    const port = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    child = spawn(
      process.execPath,
      [
        '-r',
        'ts-node/register/transpile-only',
        '-r',
        'tsconfig-paths/register',
        'apps/api/src/main.ts',
      ],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          PORT: String(port),
          LOG_LEVEL: 'warn',
          S3_ENDPOINT: recorder.endpoint,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    url = `http://127.0.0.1:${port}`;
    for (let i = 0; !(await healthy(url)); i++) {
      if (child.exitCode !== null || i > 600) throw new Error(`API did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  });
  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  });

  it.each(CASES)('%s', async (_name, send, allowed) => {
    const before = await api.storage.listKeys('jobs/');
    const res = await send(url, creator.key);
    expect(allowed).toContain(res.status);
    expectCleanError(res);
    expect([child.exitCode, child.signalCode]).toEqual([null, null]);
    expect(await healthy(url)).toBe(true);
    await expectNothingLeft(before);
    expect(output).not.toMatch(/Emitted 'error' event|Unexpected end of form\n\s+at /);
  });
});

describe('a refused upload does not keep the API reading', () => {
  const LIMIT = 2 * MIB;
  const ENDLESS = 300 * MIB;
  /** The limit, the bounded drain and the kernel's socket buffers on both ends. */
  const READ_AT_MOST = LIMIT + 64 * MIB;
  let small: ApiHarness;

  beforeAll(async () => {
    small = await startApi({ UPLOAD_MAX_BYTES: String(LIMIT) });
  });
  afterAll(() => small?.close());

  it('closes the connection after a 413 mid-stream', async () => {
    const chunked = (function* () {
      for (const b of [FILE_HEAD, ...repeat(FILLER, ENDLESS)]) {
        yield Buffer.concat([Buffer.from(`${b.length.toString(16)}\r\n`), b, Buffer.from('\r\n')]);
      }
    })();
    const res = await rawRequest(
      small.url,
      head(small.url, creator.key, `${multipart}Transfer-Encoding: chunked\r\n`),
      chunked,
      { timeoutMs: 60_000 },
    );
    expect(res.status).toBe(413);
    expect(res.timedOut).toBe(false);
    expect(res.bytesWritten).toBeLessThan(READ_AT_MOST);
    expect(await healthy(small.url)).toBe(true);
  });

  it('closes the connection after a 413 for a declared size over the limit', async () => {
    const res = await rawRequest(
      small.url,
      head(small.url, creator.key, `${multipart}Content-Length: ${ENDLESS}\r\n`),
      fileBytes(ENDLESS),
      { timeoutMs: 60_000 },
    );
    expect(res.status).toBe(413);
    expect(res.timedOut).toBe(false);
    expect(res.bytesWritten).toBeLessThan(READ_AT_MOST);
  });
});
