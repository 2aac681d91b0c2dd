import { connect } from 'node:net';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { badInputCorpus, buildCorpusMedia, type BadInput } from '../fixtures/bad-inputs.fixture';
import { startApi, type ApiHarness, type TestKey, type UploadCreated } from '../support/api-app';

jest.setTimeout(180_000);

let api: ApiHarness;
let creator: TestKey;
let corpus: BadInput[];
// Playlists in the corpus point here; nothing may ever connect.
let connections = 0;
const listener = createServer((_, res) => res.end('#EXTM3U\n'));
listener.on('connection', () => connections++);

beforeAll(async () => {
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
  const media = await buildCorpusMedia();
  corpus = await badInputCorpus({
    localTs: media['mpeg-ts'],
    localMp4: media['tones-h264-aac'],
    listenerUrl: `http://127.0.0.1:${(listener.address() as AddressInfo).port}`,
  });
  api = await startApi({ UPLOAD_PART_SIZE_MB: '5' });
  creator = await api.createKey('creator');
});
afterAll(async () => {
  await api?.close();
  listener.closeAllConnections();
  await new Promise<void>((r) => listener.close(() => r()));
});

type Answer = { status: number; message: string; body: Record<string, unknown> };

async function streamed(input: BadInput): Promise<Answer> {
  const form = new FormData();
  form.append('file', new Blob([input.bytes]), input.filename);
  const res = await fetch(`${api.url}/v1/jobs`, {
    method: 'POST',
    headers: { 'x-api-key': creator.key },
    body: form,
  });
  const body = (await res.json()) as Record<string, unknown>;
  return { status: res.status, message: String(body.message ?? ''), body };
}

async function uploaded(input: BadInput): Promise<Answer> {
  const created = await api.call('POST', '/v1/uploads', {
    key: creator,
    json: { filename: input.filename, size: input.bytes.length, contentType: 'video/mp4' },
  });
  const answer = (r: { status: number; body: unknown }): Answer => {
    const body = (r.body ?? {}) as Record<string, unknown>;
    return { status: r.status, message: String(body.message ?? ''), body };
  };
  if (created.status !== 201) return answer(created);
  const up = created.body as UploadCreated;
  for (let i = 0; i < up.partCount; i++) {
    const bytes = input.bytes.subarray(i * up.partSize, (i + 1) * up.partSize);
    const put = await fetch(up.parts[i].url, { method: 'PUT', body: bytes });
    expect(put.status).toBe(200);
    const rep = await api.call('PUT', `/v1/uploads/${up.uploadId}/parts/${i + 1}`, {
      key: creator,
      json: { etag: put.headers.get('etag'), size: bytes.length },
    });
    expect(rep.status).toBe(200);
  }
  return answer(await api.call('POST', `/v1/uploads/${up.uploadId}/complete`, { key: creator }));
}

/**
 * The multipart upload announces name and size first, so an empty file or a
 * name over 255 characters is an invalid request there (400), while the
 * streaming path only learns them from the body.
 */
const expectedFor = (input: BadInput, path: 'stream' | 'upload') => {
  if (path === 'upload' && input.bytes.length === 0)
    return { status: 400, message: /size must not be less than 1/ };
  if (path === 'upload' && input.filename.length > 255)
    return { status: 400, message: /filename must be shorter than or equal to 255 characters/ };
  // Raw control characters break the part header itself.
  const control = [...input.filename].some((c) => c.charCodeAt(0) < 0x20 || c === '\u007f');
  if (path === 'stream' && control)
    return { status: 400, message: /Malformed form: Malformed part header/ };
  return { status: input.status, message: input.message };
};

describe.each([
  ['stream', streamed],
  ['upload', uploaded],
] as const)('the bad-input corpus through the %s path', (path, submit) => {
  it('answers every input as expected and the API stays up', async () => {
    expect(corpus.length).toBeGreaterThanOrEqual(30);
    const wrong: string[] = [];
    for (const input of corpus) {
      const got = await submit(input);
      const want = expectedFor(input, path);
      const messageOk = want.message ? want.message.test(got.message) : true;
      if (got.status !== want.status || !messageOk) {
        wrong.push(
          `${input.name}: ${got.status} "${got.message}", expected ${want.status} ${want.message ?? ''}`,
        );
      }
      if (got.status === 201) {
        // The name is data: the object key never takes more than a safe extension from it.
        const [row] = await api.db.query<Array<{ source_key: string }>>(
          'SELECT source_key FROM jobs WHERE id = $1',
          [got.body.id],
        );
        if (!/^jobs\/[0-9a-f-]{36}\/source\.[a-z0-9]{1,8}$/.test(row?.source_key ?? '')) {
          wrong.push(`${input.name}: stored under "${row?.source_key}"`);
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(connections).toBe(0);
    const health = await fetch(`${api.url}/health`);
    expect(health.status).toBe(200);
  });
});

/** Raw HTTP, for requests no well-behaved client would send. */
function rawRequest(
  head: string,
  body: Buffer,
  endEarly: boolean,
): Promise<{ status: number; text: string }> {
  const { port } = new URL(api.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    let text = '';
    socket.on('data', (d) => (text += d.toString()));
    socket.on('error', reject);
    socket.on('close', () =>
      resolve({ status: Number(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1] ?? 0), text }),
    );
    socket.write(head);
    socket.write(body);
    // Half-close: the client is done sending, however much it announced.
    if (endEarly) socket.end();
    setTimeout(() => socket.destroy(), 15_000).unref();
  });
}

// Raw-socket cases of the streaming path: bodies no HTTP client library would send.
describe('streaming path: malformed bodies and file names', () => {
  const boundary = 'corpusboundary';
  const filePart = (bytes: Buffer) =>
    Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.mp4"\r\nContent-Type: video/mp4\r\n\r\n`,
      ),
      bytes,
    ]);
  const head = (length: number) =>
    `POST /v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Api-Key: ${creator.key}\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${length}\r\nConnection: close\r\n\r\n`;

  it('answers 400 to a multipart body that never closes, and stays up', async () => {
    const body = filePart(corpus[0].bytes);
    const res = await rawRequest(head(body.length), body, false);
    expect(res.status).toBe(400);
    expect((await fetch(`${api.url}/health`)).status).toBe(200);
  });

  it('keeps a UTF-8 file name as sent', async () => {
    const input = corpus.find((c) => c.name === 'name-unicode')!;
    const got = await streamed(input);
    expect(got.status).toBe(201);
    // busboy decodes part-header parameters as latin1 unless told otherwise (defParamCharset).
    expect(got.body.sourceFilename).toBe(input.filename);
  });

  it('answers 400 to a Content-Length larger than the body, and stays up', async () => {
    const body = Buffer.concat([filePart(corpus[0].bytes), Buffer.from(`\r\n--${boundary}--\r\n`)]);
    const res = await rawRequest(head(body.length + 1_000_000), body, true);
    expect(res.status).toBe(400);
    expect((await fetch(`${api.url}/health`)).status).toBe(200);
  });
});
