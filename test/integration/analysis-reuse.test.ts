import type { Aspect } from '@clipline/contracts';
import { StageRows, silenceOutputs } from '@clipline/pipeline';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { multiPartMkv, smallMp4 } from '../fixtures/small-media.fixture';
import {
  startApi,
  streamJob,
  tenantKeys,
  type ApiHarness,
  type TestKey,
  type UploadCreated,
} from '../support/api-app';
import {
  completeParallelStages,
  fanOutClips,
  insertLayoutAnalysis,
  insertTranscript,
} from '../support/factories';

jest.setTimeout(120_000);

interface StageView {
  stage: string;
  status: string;
  attempt: number;
  summary: Record<string, unknown> | null;
}
interface JobView {
  id: string;
  status: string;
  contentSha256: string | null;
  reusedFromJobId: string | null;
  stages: StageView[];
  clips: { total: number; queued: number };
}

let api: ApiHarness;
let alice: TestKey;
let bob: TestKey;
let media: Buffer;
let stages: StageRows;

beforeAll(async () => {
  api = await startApi({ WORKER_ABSENT_SECONDS: '3600', UPLOAD_PART_SIZE_MB: '5' });
  [alice, bob] = await tenantKeys(api);
  media = readFileSync(await smallMp4());
  stages = api.app.get(StageRows);
});
afterAll(() => api?.close());

const BASE = { clipCount: 2, aspects: ['9:16'], language: 'en' };

/** Each test its own bytes, so no earlier test's job is a candidate for reuse. */
function variant(tag: string): Buffer {
  // Bytes after the mp4's last box are ignored by demuxers but change the hash.
  return Buffer.concat([media, Buffer.from(`\0\0\0\x10free${tag.padEnd(8, '.').slice(0, 8)}`)]);
}

const submit = (key: TestKey, bytes: Buffer, options: unknown = BASE) =>
  streamJob<JobView>(api, key, bytes, { options });

async function view(id: string, key: TestKey): Promise<JobView> {
  const res = await api.call('GET', `/v1/jobs/${id}`, { key });
  expect(res.status).toBe(200);
  return res.body as JobView;
}

const stageOf = (v: JobView, s: string) => v.stages.find((x) => x.stage === s)!;

/**
 * Finishes the analysis stages and segmenting of a job the way the workers
 * do (claim, then one fenced completion that writes the outputs), with outputs
 * the copy can be checked against. Rendering is then queued.
 */
async function finishAnalysis(jobId: string, aspects: Aspect[] = ['9:16']): Promise<void> {
  await completeParallelStages(
    stages,
    jobId,
    {
      transcription: (m) =>
        insertTranscript(
          m,
          jobId,
          [{ word: 'hello', start: 0.1, end: 0.4, confidence: 0.9 }] as never,
          { modelVersion: '5', text: `hello from ${jobId}` },
        ),
      silence: (m) =>
        silenceOutputs.save(m, jobId, 1, [
          { kind: 'silence', start: 1, end: 1.5, meanDb: -60 },
          { kind: 'non_speech', start: 2, end: 3, meanDb: -30 },
        ]),
      layout: (m) =>
        insertLayoutAnalysis(m, jobId, {
          scenes: [{ index: 0, start: 0, end: 4 }],
          note: 'no faces found; crops are centred',
        }),
    },
    { transcription: { words: 1 }, silence: { regions: 2 }, layout: { scenes: 1 } },
  );
  await fanOutClips(
    stages,
    jobId,
    [
      { start: 0, end: 2, aspects },
      { start: 2, end: 4, selected: false, aspects: [] },
    ],
    { summary: { candidates: 2, selected: 1 } },
  );
}

async function logsOf(
  jobId: string,
): Promise<Array<{ stage: string; event: string; message: string }>> {
  return api.db.query(
    `SELECT stage, event, message FROM processing_logs WHERE job_id = $1 ORDER BY id`,
    [jobId],
  );
}

describe('content hash', () => {
  it('is the sha256 of the streamed bytes, stored on the job', async () => {
    const bytes = variant('hash');
    const job = await submit(alice, bytes);
    expect(job.contentSha256).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('is read back after a multipart upload, stored on the upload and the job, and reused', async () => {
    const bytes = readFileSync(await multiPartMkv());
    const sha = createHash('sha256').update(bytes).digest('hex');
    const upload = async () => {
      const created = await api.call('POST', '/v1/uploads', {
        key: alice,
        json: {
          filename: 'big.mkv',
          size: bytes.length,
          contentType: 'video/x-matroska',
          options: BASE,
        },
      });
      expect(created.status).toBe(201);
      const up = created.body as UploadCreated;
      for (const p of up.parts) {
        const chunk = bytes.subarray((p.partNumber - 1) * up.partSize, p.partNumber * up.partSize);
        const put = await fetch(p.url, { method: 'PUT', body: chunk });
        expect(put.status).toBe(200);
        const rep = await api.call('PUT', `/v1/uploads/${up.uploadId}/parts/${p.partNumber}`, {
          key: alice,
          json: { etag: put.headers.get('etag'), size: chunk.length },
        });
        expect(rep.status).toBe(200);
      }
      const done = await api.call('POST', `/v1/uploads/${up.uploadId}/complete`, { key: alice });
      expect(done.status).toBe(201);
      return { job: done.body as JobView, uploadId: up.uploadId };
    };
    const first = await upload();
    expect(first.job.contentSha256).toBe(sha);
    const [row] = await api.db.query(`SELECT content_sha256 FROM uploads WHERE id = $1`, [
      first.uploadId,
    ]);
    expect(row.content_sha256).toBe(sha);
    await finishAnalysis(first.job.id);
    const second = await upload();
    expect(second.job.reusedFromJobId).toBe(first.job.id);
  });
});

describe('reusing an earlier analysis of the same content', () => {
  it('same owner, same content: copies every analysis stage and segmenting, renders only', async () => {
    const bytes = variant('same');
    const first = await submit(alice, bytes);
    await finishAnalysis(first.id);
    const second = await submit(alice, bytes);

    expect(second.reusedFromJobId).toBe(first.id);
    for (const s of ['transcription', 'silence', 'layout', 'segmenting']) {
      const st = stageOf(second, s);
      // Completed without ever being claimed: no worker ran it.
      expect(st).toMatchObject({ status: 'completed', attempt: 0 });
      expect(st.summary).toMatchObject({ reusedFromJobId: first.id });
    }
    expect(stageOf(second, 'rendering').status).toBe('queued');
    expect(second.clips).toMatchObject({ total: 1, queued: 1 });

    const logs = await logsOf(second.id);
    expect(logs.filter((l) => l.event === 'start')).toEqual([]);
    expect(logs.filter((l) => /^reused from job /.test(l.message)).map((l) => l.stage)).toEqual([
      'transcription',
      'silence',
      'layout',
      'segmenting',
    ]);

    // Rows copied under the new job, not pointed at.
    const t = await api.db.query(`SELECT job_id, text FROM transcripts WHERE job_id = ANY($1)`, [
      [first.id, second.id],
    ]);
    expect(t.map((r: { text: string }) => r.text)).toEqual([
      `hello from ${first.id}`,
      `hello from ${first.id}`,
    ]);
    const count = async (table: string, id: string) =>
      Number(
        (await api.db.query(`SELECT count(*) AS n FROM ${table} WHERE job_id = $1`, [id]))[0].n,
      );
    expect(await count('silence_regions', second.id)).toBe(2);
    expect(await count('layout_analyses', second.id)).toBe(1);
    expect(await count('content_segments', second.id)).toBe(2);
    const [clip] = await api.db.query(
      `SELECT s.job_id FROM clips c JOIN content_segments s ON s.id = c.segment_id WHERE c.job_id = $1`,
      [second.id],
    );
    expect(clip.job_id).toBe(second.id);

    // The earlier job can go: the copy does not depend on it.
    expect((await api.call('DELETE', `/v1/jobs/${first.id}`, { key: alice })).status).toBe(204);
    expect(await count('transcripts', second.id)).toBe(1);
    expect((await view(second.id, alice)).reusedFromJobId).toBe(first.id);
  });

  it('never across owners', async () => {
    const bytes = variant('owners');
    const first = await submit(alice, bytes);
    await finishAnalysis(first.id);
    const other = await submit(bob, bytes);
    expect(other.contentSha256).toBe(first.contentSha256);
    expect(other.reusedFromJobId).toBeNull();
    for (const s of ['transcription', 'silence', 'layout']) {
      expect(stageOf(other, s).status).toBe('queued');
    }
    expect(await logsOf(other.id)).not.toContainEqual(
      expect.objectContaining({ message: expect.stringMatching(/reused/) }),
    );
  });

  it('options.reuse false runs everything afresh', async () => {
    const bytes = variant('fresh');
    const first = await submit(alice, bytes);
    await finishAnalysis(first.id);
    const fresh = await submit(alice, bytes, { ...BASE, reuse: false });
    expect(fresh.reusedFromJobId).toBeNull();
    for (const s of ['transcription', 'silence', 'layout']) {
      expect(stageOf(fresh, s)).toMatchObject({ status: 'queued', summary: null });
    }
    expect(stageOf(fresh, 'segmenting').status).toBe('pending');
  });

  it('different clip options: analysis reused, segmenting and rendering run', async () => {
    const bytes = variant('clipopts');
    const first = await submit(alice, bytes);
    await finishAnalysis(first.id);
    const again = await submit(alice, bytes, { ...BASE, clipCount: 5 });
    expect(again.reusedFromJobId).toBe(first.id);
    for (const s of ['transcription', 'silence', 'layout']) {
      expect(stageOf(again, s)).toMatchObject({ status: 'completed', attempt: 0 });
    }
    expect(stageOf(again, 'segmenting')).toMatchObject({ status: 'queued', summary: null });
    expect(stageOf(again, 'rendering').status).toBe('pending');
    const segs = await api.db.query(`SELECT 1 FROM content_segments WHERE job_id = $1`, [again.id]);
    expect(segs).toHaveLength(0);
  });

  it('only render options differ: segments reused, clips made for the new aspects', async () => {
    const bytes = variant('aspects');
    const first = await submit(alice, bytes);
    await finishAnalysis(first.id);
    const again = await submit(alice, bytes, {
      ...BASE,
      aspects: ['1:1', '16:9'],
      captions: false,
    });
    expect(stageOf(again, 'segmenting')).toMatchObject({ status: 'completed', attempt: 0 });
    expect(stageOf(again, 'rendering').status).toBe('queued');
    const aspects = await api.db.query(
      `SELECT aspect FROM clips WHERE job_id = $1 ORDER BY aspect`,
      [again.id],
    );
    expect(aspects.map((r: { aspect: string }) => r.aspect)).toEqual(['16:9', '1:1']);
  });

  it('another language: silence and layout reused, transcription runs', async () => {
    const bytes = variant('lang');
    const first = await submit(alice, bytes);
    await finishAnalysis(first.id);
    const again = await submit(alice, bytes, { ...BASE, language: 'de' });
    expect(again.reusedFromJobId).toBe(first.id);
    expect(stageOf(again, 'transcription').status).toBe('queued');
    expect(stageOf(again, 'silence').status).toBe('completed');
    expect(stageOf(again, 'layout').status).toBe('completed');
    expect(stageOf(again, 'segmenting').status).toBe('pending');
  });

  it('nothing finished yet: nothing to reuse', async () => {
    const bytes = variant('early');
    await submit(alice, bytes);
    const again = await submit(alice, bytes);
    expect(again.reusedFromJobId).toBeNull();
    expect(stageOf(again, 'transcription').status).toBe('queued');
  });
});
