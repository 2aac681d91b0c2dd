import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { Readable } from 'node:stream';
import { multiPartMkv, smallMp4, truncatedMp4 } from '../fixtures/small-media.fixture';
import { startApi, type ApiHarness, type TestKey, type UploadCreated } from '../support/api-app';

jest.setTimeout(120_000);

const MAX_BYTES = 20_000_000;
const MIB = 1024 * 1024;

let api: ApiHarness;
let creator: TestKey;

beforeAll(async () => {
  api = await startApi({ UPLOAD_PART_SIZE_MB: '5', UPLOAD_MAX_BYTES: String(MAX_BYTES) });
  creator = await api.createKey('creator');
});
afterAll(() => api?.close());

async function createUpload(filename: string, size: number, options?: unknown) {
  const res = await api.call('POST', '/v1/uploads', {
    key: creator,
    json: { filename, size, contentType: 'application/octet-stream', options },
  });
  expect(res.status).toBe(201);
  return res.body as UploadCreated;
}

/** PUT to the presigned URL like a browser would, then report the ETag. */
async function sendPart(
  up: UploadCreated,
  partNumber: number,
  bytes: Buffer,
  reportSize = bytes.length,
) {
  const url = up.parts.find((p) => p.partNumber === partNumber)?.url;
  expect(url).toBeDefined();
  const put = await fetch(url as string, { method: 'PUT', body: bytes });
  expect(put.status).toBe(200);
  const etag = put.headers.get('etag');
  expect(etag).toBeTruthy();
  const rep = await api.call('PUT', `/v1/uploads/${up.uploadId}/parts/${partNumber}`, {
    key: creator,
    json: { etag, size: reportSize },
  });
  expect(rep.status).toBe(200);
}

async function uploadWhole(filename: string, bytes: Buffer) {
  const up = await createUpload(filename, bytes.length);
  for (let i = 0; i < up.partCount; i++) {
    await sendPart(up, i + 1, bytes.subarray(i * up.partSize, (i + 1) * up.partSize));
  }
  return up;
}

describe('resumable multipart uploads', () => {
  it('resumes from the stored parts and creates the job with its stages', async () => {
    const bytes = readFileSync(await multiPartMkv());
    const up = await createUpload('talk.mkv', bytes.length, {
      clipCount: 3,
      aspects: ['1:1', '9:16'],
    });
    expect(up.partSize).toBe(5 * MIB);
    expect(up.partCount).toBe(Math.ceil(bytes.length / (5 * MIB)));
    expect(up.partCount).toBeGreaterThanOrEqual(3);
    expect(up.parts).toHaveLength(up.partCount);
    const part = (n: number) => bytes.subarray((n - 1) * up.partSize, n * up.partSize);

    await sendPart(up, 1, part(1));
    await sendPart(up, 3, part(3));
    // The connection "drops" here; the client asks what is already stored.
    const status = await api.call('GET', `/v1/uploads/${up.uploadId}`, { key: creator });
    expect(status.status).toBe(200);
    const s = status.body as { parts: Array<{ partNumber: number; size: number }>; status: string };
    expect(s.status).toBe('open');
    expect(s.parts.map((p) => [p.partNumber, p.size])).toEqual([
      [1, part(1).length],
      [3, part(3).length],
    ]);
    const early = await api.call('POST', `/v1/uploads/${up.uploadId}/complete`, { key: creator });
    expect(early.status).toBe(409);
    expect((early.body as { message: string }).message).toMatch(/Parts not uploaded yet: 2\b/);

    const more = await api.call('POST', `/v1/uploads/${up.uploadId}/parts`, {
      key: creator,
      json: { partNumbers: [2] },
    });
    expect(more.status).toBe(200);
    up.parts = (more.body as { parts: UploadCreated['parts'] }).parts;
    for (let n = 2; n <= up.partCount; n += 2) await sendPart(up, n, part(n));
    if (up.partCount > 3) {
      for (let n = 4; n <= up.partCount; n++) {
        const r = await api.call('POST', `/v1/uploads/${up.uploadId}/parts`, {
          key: creator,
          json: { partNumbers: [n] },
        });
        up.parts = (r.body as { parts: UploadCreated['parts'] }).parts;
        await sendPart(up, n, part(n));
      }
    }

    const done = await api.call('POST', `/v1/uploads/${up.uploadId}/complete`, { key: creator });
    expect(done.status).toBe(201);
    const job = done.body as {
      id: string;
      status: string;
      options: { clipCount: number; aspects: string[]; captions: boolean };
      mediaInfo: { hasVideo: boolean; hasAudio: boolean; durationSec: number };
      stages: Array<{ stage: string; status: string }>;
      clips: { total: number };
    };
    expect(job.id).toBe(up.jobId);
    expect(job.options).toMatchObject({ clipCount: 3, aspects: ['1:1', '9:16'], captions: true });
    expect(job.mediaInfo).toMatchObject({ hasVideo: true, hasAudio: true });
    expect(job.mediaInfo.durationSec).toBeCloseTo(4, 0);
    expect(job.stages.map((x) => x.stage)).toEqual([
      'probe',
      'transcription',
      'silence',
      'layout',
      'segmenting',
      'rendering',
    ]);
    expect(job.stages[0].status).toBe('completed');
    expect(job.clips.total).toBe(0);
    const head = await api.storage.head(`jobs/${up.jobId}/source.mkv`);
    expect(head?.size).toBe(bytes.length);

    const again = await api.call('POST', `/v1/uploads/${up.uploadId}/complete`, { key: creator });
    expect(again.status).toBe(409);
  });

  it('aborts an upload on request', async () => {
    const up = await createUpload('a.mp4', 1000);
    const del = await api.call('DELETE', `/v1/uploads/${up.uploadId}`, { key: creator });
    expect(del.status).toBe(204);
    const s = await api.call('GET', `/v1/uploads/${up.uploadId}`, { key: creator });
    expect((s.body as { status: string }).status).toBe('aborted');
    const parts = await api.call('POST', `/v1/uploads/${up.uploadId}/parts`, {
      key: creator,
      json: { partNumbers: [1] },
    });
    expect(parts.status).toBe(409);
  });

  it('sweeps only uploads left untouched past UPLOAD_ABANDON_SECONDS', async () => {
    const stale = await createUpload('old.mp4', 1000);
    const fresh = await createUpload('new.mp4', 1000);
    await api.db.query(`UPDATE uploads SET updated_at = now() - interval '3 days' WHERE id = $1`, [
      stale.uploadId,
    ]);
    const swept = await api.sweepUploads();
    expect(swept).toContain(stale.uploadId);
    expect(swept).not.toContain(fresh.uploadId);
    const rows = (await api.db.query(`SELECT id, status FROM uploads WHERE id = ANY($1)`, [
      [stale.uploadId, fresh.uploadId],
    ])) as Array<{ id: string; status: string }>;
    const byId = Object.fromEntries(rows.map((r) => [r.id, r.status]));
    expect(byId).toEqual({ [stale.uploadId]: 'aborted', [fresh.uploadId]: 'open' });
  });

  it('refuses a text file with 422, creates no job and removes the object', async () => {
    const up = await uploadWhole(
      'notes.mp4',
      Buffer.from('these are meeting notes, not a video\n'.repeat(200)),
    );
    const res = await api.call('POST', `/v1/uploads/${up.uploadId}/complete`, { key: creator });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ statusCode: 422, error: 'Unprocessable Entity' });
    expect((res.body as { message: string }).message).toMatch(/not a readable audio or video file/);
    expect((await api.call('GET', `/v1/jobs/${up.jobId}`, { key: creator })).status).toBe(404);
    expect(await api.storage.head(`jobs/${up.jobId}/source.mp4`)).toBeNull();
  });

  it('refuses a truncated mp4 with 422', async () => {
    const up = await uploadWhole('cut.mp4', readFileSync(await truncatedMp4()));
    const res = await api.call('POST', `/v1/uploads/${up.uploadId}/complete`, { key: creator });
    expect(res.status).toBe(422);
    expect((res.body as { message: string }).message).toMatch(/not a readable|corrupt|truncated/i);
    expect((await api.call('GET', `/v1/jobs/${up.jobId}`, { key: creator })).status).toBe(404);
  });

  it('refuses files over UPLOAD_MAX_BYTES, declared or not', async () => {
    const declared = await api.call('POST', '/v1/uploads', {
      key: creator,
      json: { filename: 'big.mp4', size: MAX_BYTES + 1, contentType: 'video/mp4' },
    });
    expect(declared.status).toBe(422);
    expect((declared.body as { message: string }).message).toMatch(/limit is 20000000 bytes/);

    // A client that lies about the size is caught by the stored object's size.
    const up = await createUpload('small.mp4', 1000);
    await sendPart(up, 1, Buffer.alloc(MAX_BYTES + 4096, 1), 1000);
    const res = await api.call('POST', `/v1/uploads/${up.uploadId}/complete`, { key: creator });
    expect(res.status).toBe(422);
    expect((res.body as { message: string }).message).toMatch(/limit is 20000000 bytes/);
    expect(await api.storage.head(`jobs/${up.jobId}/source.mp4`)).toBeNull();
  });
});

describe('streaming upload (multipart/form-data)', () => {
  async function postForm(form: FormData, key: TestKey = creator) {
    const res = await fetch(`${api.url}/v1/jobs`, {
      method: 'POST',
      headers: { 'x-api-key': key.key },
      body: form,
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  it('streams the file to S3 and creates the job', async () => {
    const bytes = readFileSync(await smallMp4());
    const form = new FormData();
    form.append('options', JSON.stringify({ clipCount: 2, removeSilence: true, language: 'auto' }));
    form.append('file', new Blob([bytes], { type: 'video/mp4' }), 'clip source.mp4');
    const res = await postForm(form);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      status: 'queued',
      sourceFilename: 'clip source.mp4',
      sourceSizeBytes: bytes.length,
      options: { clipCount: 2, removeSilence: true, language: 'auto', minClipSeconds: 20 },
    });
    const head = await api.storage.head(`jobs/${res.body.id as string}/source.mp4`);
    expect(head?.size).toBe(bytes.length);
  });

  it('refuses bad options before storing anything, and non-media with 422', async () => {
    const bad = new FormData();
    bad.append('options', JSON.stringify({ clipCount: 0 }));
    bad.append('file', new Blob([Buffer.alloc(1000)]), 'x.mp4');
    const r1 = await postForm(bad);
    expect(r1.status).toBe(400);
    expect(r1.body.message).toMatch(/clipCount must not be less than 1/);

    const text = new FormData();
    text.append('file', new Blob(['hello world\n'.repeat(100)]), 'x.mp4');
    const r2 = await postForm(text);
    expect(r2.status).toBe(422);

    const none = new FormData();
    none.append('options', '{}');
    const r3 = await postForm(none);
    expect(r3.status).toBe(400);
    expect(r3.body.message).toMatch(/no "file" field/);
  });

  it('stops a stream over UPLOAD_MAX_BYTES with 413', async () => {
    const boundary = 'cliplinetestboundary';
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.mp4"\r\nContent-Type: video/mp4\r\n\r\n`,
    );
    const chunk = Buffer.alloc(MIB, 7);
    let sent = 0;
    const body = Readable.from(
      (function* () {
        yield head;
        while (sent < MAX_BYTES + 8 * MIB) {
          sent += chunk.length;
          yield chunk;
        }
        yield Buffer.from(`\r\n--${boundary}--\r\n`);
      })(),
    );
    const status = await new Promise<{ code: number; body: string }>((resolve, reject) => {
      const req = request(`${api.url}/v1/jobs`, {
        method: 'POST',
        headers: {
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'x-api-key': creator.key,
        },
      });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => {
          resolve({ code: res.statusCode ?? 0, body: text });
          req.destroy();
        });
      });
      req.on('error', reject);
      body.pipe(req);
    });
    expect(status.code).toBe(413);
    expect(JSON.parse(status.body)).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
  });
});

describe('multipart upload limits', () => {
  it.each([0, -1, 10_001, 99_999])('refuses part number %i with 400', async (n) => {
    const up = await createUpload('p.mp4', 1000);
    const rep = await api.call('PUT', `/v1/uploads/${up.uploadId}/parts/${n}`, {
      key: creator,
      json: { etag: '"abc"', size: 1000 },
    });
    expect(rep.status).toBe(400);
    const presign = await api.call('POST', `/v1/uploads/${up.uploadId}/parts`, {
      key: creator,
      json: { partNumbers: [n] },
    });
    expect(presign.status).toBe(400);
    const row = (await api.db.query('SELECT parts FROM uploads WHERE id = $1', [
      up.uploadId,
    ])) as Array<{ parts: Record<string, unknown> }>;
    expect(row[0].parts).toEqual({});
  });

  async function expectFailedUpload(
    up: UploadCreated,
    res: Awaited<ReturnType<ApiHarness['call']>>,
  ) {
    expect(res.status).toBe(422);
    expect((await api.call('GET', `/v1/jobs/${up.jobId}`, { key: creator })).status).toBe(404);
    expect(await api.storage.listKeys(`jobs/${up.jobId}/`)).toEqual([]);
    const s = await api.call('GET', `/v1/uploads/${up.uploadId}`, { key: creator });
    expect((s.body as { status: string }).status).toBe('failed');
    // A failed upload is no source for a job either.
    const reuse = await api.call('POST', '/v1/jobs', {
      key: creator,
      json: { sourceKey: `jobs/${up.jobId}/source.mp4` },
    });
    expect(reuse.status).toBe(404);
  }

  it('fails an upload whose stored bytes exceed the declared size (422, nothing kept)', async () => {
    // Real media, so only the size check can stop it.
    const bytes = readFileSync(await smallMp4());
    const up = await createUpload('liar.mp4', 1000);
    await sendPart(up, 1, bytes, 1000);
    const res = await api.call('POST', `/v1/uploads/${up.uploadId}/complete`, { key: creator });
    expect((res.body as { message: string }).message).toMatch(/declared 1000 bytes/);
    await expectFailedUpload(up, res);
  });

  it('fails an upload with fewer bytes than declared', async () => {
    const bytes = readFileSync(await smallMp4());
    const up = await createUpload('short.mp4', bytes.length + 1);
    await sendPart(up, 1, bytes, bytes.length + 1);
    const res = await api.call('POST', `/v1/uploads/${up.uploadId}/complete`, { key: creator });
    await expectFailedUpload(up, res);
  });

  it('fails early when the reported parts do not add up to the declared size', async () => {
    const bytes = readFileSync(await smallMp4());
    const up = await createUpload('parts.mp4', bytes.length + 10);
    await sendPart(up, 1, bytes);
    const res = await api.call('POST', `/v1/uploads/${up.uploadId}/complete`, { key: creator });
    await expectFailedUpload(up, res);
  });

  it('a creator may start another job from its own completed upload', async () => {
    const bytes = readFileSync(await smallMp4());
    const up = await createUpload('own.mp4', bytes.length);
    await sendPart(up, 1, bytes);
    const done = await api.call('POST', `/v1/uploads/${up.uploadId}/complete`, { key: creator });
    expect(done.status).toBe(201);
    const again = await api.call('POST', '/v1/jobs', {
      key: creator,
      json: { sourceKey: `jobs/${up.jobId}/source.mp4` },
    });
    expect(again.status).toBe(201);
    const other = await api.createKey('creator');
    const stolen = await api.call('POST', '/v1/jobs', {
      key: other,
      json: { sourceKey: `jobs/${up.jobId}/source.mp4` },
    });
    expect(stolen.status).toBe(404);
  });
});
