import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { smallMp4 } from '../fixtures/small-media.fixture';
import { startApi, streamJob, tenantKeys, type ApiHarness, type TestKey } from '../support/api-app';
import { insertClip, insertSegment } from '../support/factories';

jest.setTimeout(120_000);

interface ClipItem {
  id: string;
  segmentId: string;
  status: string;
  renderedVersion: number | null;
  next: { version: number; status: string } | null;
  downloads: { video: string | null } | null;
}

/**
 * Promote and "render" on a finished job: only the clips asked for are
 * queued, and every clip keeps offering the files it has while the next
 * version waits. (Rendering itself is covered in clip-edits.test.ts.)
 */
describe('promote and re-render one clip on a finished job', () => {
  let api: ApiHarness;
  let alice: TestKey;
  let jobId: string;
  const segs = { a: randomUUID(), b: randomUUID(), runnerUp: randomUUID() };
  const clipsOf = async () =>
    (
      (await api.call('GET', `/v1/jobs/${jobId}/clips`, { key: alice })).body as {
        clips: ClipItem[];
      }
    ).clips;

  beforeAll(async () => {
    api = await startApi();
    [alice] = await tenantKeys(api);
    jobId = (await streamJob(api, alice, readFileSync(await smallMp4()))).id;
    // As the workers would have left a finished job with two rendered clips.
    await api.db.query(`UPDATE job_stages SET status = 'completed' WHERE job_id = $1`, [jobId]);
    await api.db.query(`UPDATE jobs SET status = 'completed', finished_at = now() WHERE id = $1`, [
      jobId,
    ]);
    for (const [id, rank, selected] of [
      [segs.a, 1, true],
      [segs.b, 2, true],
      [segs.runnerUp, 3, false],
    ] as const) {
      await insertSegment(api.db.manager, jobId, { id, rank, end: 3, selected });
      if (!selected) continue;
      const key = `jobs/${jobId}/clips/${id}-9x16.a1`;
      await api.storage.putBuffer(`${key}.mp4`, Buffer.from('mp4'), 'video/mp4');
      await insertClip(api.db.manager, {
        jobId,
        segmentId: id,
        status: 'completed',
        attempt: 1,
        videoKey: `${key}.mp4`,
        renderedVersion: 1,
      });
    }
  });

  afterAll(async () => {
    await api?.close();
  });

  it('renders only the promoted clip and keeps every download', async () => {
    const before = await clipsOf();
    const res = await api.call('POST', `/v1/jobs/${jobId}/segments/${segs.runnerUp}/promote`, {
      key: alice,
    });
    expect(res.status).toBe(200);
    const after = await clipsOf();
    const queued = after.filter((c) => c.status === 'queued');
    expect(queued.map((c) => c.segmentId)).toEqual([segs.runnerUp]);
    for (const c of before) {
      const now = after.find((x) => x.id === c.id)!;
      expect(now.status).toBe('completed');
      expect(now.downloads?.video).toBeTruthy();
    }
    const job = (await api.call('GET', `/v1/jobs/${jobId}`, { key: alice })).body as {
      status: string;
    };
    expect(job.status).toBe('running');
  });

  it('keeps the current version downloadable while the next one waits', async () => {
    const [a] = (await clipsOf()).filter((c) => c.segmentId === segs.a);
    const r = await api.call('POST', `/v1/jobs/${jobId}/clips/${a.id}/render`, { key: alice });
    expect(r.status).toBe(202);
    const now = (await clipsOf()).find((c) => c.id === a.id)!;
    expect(now).toMatchObject({ status: 'queued', renderedVersion: 1, next: { version: 1 } });
    expect(now.downloads?.video).toBeTruthy();
    expect((await fetch(now.downloads!.video!)).status).toBe(200);
    const b = (await clipsOf()).find((c) => c.segmentId === segs.b)!;
    expect(b.status).toBe('completed');
  });
});
