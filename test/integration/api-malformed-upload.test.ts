import { startApi, type ApiHarness, type TestKey } from '../support/api-app';
import { healthy, spawnApi, type ApiProcess } from '../support/api-process';
import { rawRequest, repeat, type RawResult } from '../support/raw-http';
import { danglingMultipartUploads, startS3Recorder } from '../support/s3-recorder';

/**
 * Malformed multipart bodies sent as raw bytes. None of them may end the API
 * process, each gets a 4xx (or a closed connection when the client broke it),
 * and no object or open multipart upload is left in S3.
 */
jest.setTimeout(240_000);

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

/** A multipart POST of `body` that declares `length` bytes (the true length unless given). */
const declaring = (
  url: string,
  key: string,
  body: Buffer[],
  length = bodyLength(body),
  opts?: Parameters<typeof rawRequest>[3],
) => rawRequest(url, head(url, key, `${multipart}Content-Length: ${length}\r\n`), body, opts);

const CASES: Case[] = [
  [
    'no closing boundary',
    (url, key) => {
      const body = fileBytes(12 * MIB);
      return declaring(url, key, body);
    },
    [400],
  ],
  [
    'no closing boundary, small file',
    (url, key) => {
      const body = fileBytes(1000);
      return declaring(url, key, body);
    },
    [400],
  ],
  [
    'Content-Length smaller than the body',
    (url, key) => {
      const body = [...fileBytes(12 * MIB), CLOSE];
      const declared = Math.floor(bodyLength(body) / 2);
      return declaring(url, key, body, declared);
    },
    // The rest of the body is not HTTP, so the connection may end before the 400 arrives.
    [400, null],
  ],
  [
    'a file that grows while it is sent',
    (url, key) => {
      const announced = [...fileBytes(6 * MIB), CLOSE];
      const sent = [...fileBytes(9 * MIB), CLOSE];
      return declaring(url, key, sent, bodyLength(announced));
    },
    [400, null],
  ],
  [
    'the client hangs up mid-file',
    (url, key) => {
      const body = fileBytes(7 * MIB);
      return declaring(url, key, body, bodyLength(body) + 5 * MIB, { end: 'destroy' });
    },
    [null],
  ],
  [
    'the client stops sending mid-file (half-close)',
    (url, key) => {
      const body = fileBytes(7 * MIB);
      return declaring(url, key, body, bodyLength(body) + 5 * MIB, { end: 'half-close' });
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
      return declaring(url, key, body);
    },
    [400],
  ],
];

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
  let apiProc: ApiProcess;

  beforeAll(async () => {
    apiProc = await spawnApi({ LOG_LEVEL: 'warn', S3_ENDPOINT: recorder.endpoint }, 600);
  });
  afterAll(() => apiProc?.stop());

  it.each(CASES)('%s', async (_name, send, allowed) => {
    const before = await api.storage.listKeys('jobs/');
    const res = await send(apiProc.url, creator.key);
    expect(allowed).toContain(res.status);
    expectCleanError(res);
    expect([apiProc.child.exitCode, apiProc.child.signalCode]).toEqual([null, null]);
    expect(await healthy(apiProc.url)).toBe(true);
    await expectNothingLeft(before);
    expect(apiProc.output).not.toMatch(/Emitted 'error' event|Unexpected end of form\n\s+at /);
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
    const res = await declaring(small.url, creator.key, fileBytes(ENDLESS), ENDLESS, {
      timeoutMs: 60_000,
    });
    expect(res.status).toBe(413);
    expect(res.timedOut).toBe(false);
    expect(res.bytesWritten).toBeLessThan(READ_AT_MOST);
  });
});
