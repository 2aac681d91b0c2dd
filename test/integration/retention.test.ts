import { readFileSync } from 'node:fs';
import { RetentionSweeperService } from '../../apps/api/src/retention/retention-sweeper.service';
import { smallMp4 } from '../fixtures/small-media.fixture';
import { startApi, streamJob, tenantKeys, type ApiHarness, type TestKey } from '../support/api-app';
import { insertClip, insertSegment } from '../support/factories';

jest.setTimeout(120_000);

interface JobView {
  id: string;
  sourceKey: string;
  finishedAt: string | null;
  retention: { sourceDays: number; clipDays: number };
  sourceExpiresAt: string | null;
  clipsExpireAt: string | null;
  sourceDeletedAt: string | null;
  clipsDeletedAt: string | null;
}

const DAY = 24 * 3600 * 1000;

let api: ApiHarness;
let alice: TestKey;
let ops: TestKey;
let media: Buffer;
let sweeper: RetentionSweeperService;

beforeAll(async () => {
  api = await startApi({ WORKER_ABSENT_SECONDS: '3600' });
  [alice, , ops] = await tenantKeys(api);
  media = readFileSync(await smallMp4());
  sweeper = api.app.get(RetentionSweeperService);
});
afterAll(() => api?.close());

/**
 * A job as the API creates it, then ended `endedDaysAgo` days ago (null: still
 * running), with one rendered clip whose four objects are in S3.
 */
async function endedJob(
  endedDaysAgo: number | null,
  options: Record<string, unknown> = {},
): Promise<{ id: string; sourceKey: string; clipKeys: string[] }> {
  const job = await streamJob<JobView>(api, alice, media, {
    options: { reuse: false, ...options },
  });
  const segmentId = await insertSegment(api.db.manager, job.id, { end: 2 });
  const base = `jobs/${job.id}/clips/${segmentId}-9x16.a1`;
  const clipKeys = ['mp4', 'jpg', 'vtt', 'srt'].map((e) => `${base}.${e}`);
  for (const k of clipKeys) await api.storage.putBuffer(k, 'x', 'application/octet-stream');
  const [videoKey, thumbnailKey, vttKey, srtKey] = clipKeys;
  await insertClip(api.db.manager, {
    jobId: job.id,
    segmentId,
    status: 'completed',
    attempt: 1,
    videoKey,
    thumbnailKey,
    vttKey,
    srtKey,
  });
  if (endedDaysAgo !== null) {
    // Every stage done, as a finished job leaves them.
    await api.db.query(
      `UPDATE job_stages SET status = 'completed', finished_at = now() WHERE job_id = $1`,
      [job.id],
    );
    await api.db.query(
      `UPDATE jobs SET status = 'completed', finished_at = now() - make_interval(secs => $2) WHERE id = $1`,
      [job.id, (endedDaysAgo * DAY) / 1000],
    );
  }
  return { id: job.id, sourceKey: job.sourceKey, clipKeys };
}

const exists = async (key: string) => (await api.storage.head(key)) !== null;

async function view(id: string): Promise<JobView> {
  const res = await api.call('GET', `/v1/jobs/${id}`, { key: alice });
  expect(res.status).toBe(200);
  return res.body as JobView;
}

/** Sweeps until a pass finds nothing of `ids` left (other suites' jobs may be in the batch). */
async function sweepAll(): Promise<{ sources: string[]; clips: string[] }> {
  const all = { sources: [] as string[], clips: [] as string[] };
  for (;;) {
    const r = await sweeper.sweepOnce();
    all.sources.push(...r.sources);
    all.clips.push(...r.clips);
    if (!r.sources.length && !r.clips.length) return all;
  }
}

describe('retention settings', () => {
  it('takes the defaults, shows no expiry while the job runs, and refuses limits with 400', async () => {
    const running = await endedJob(null);
    const v = await view(running.id);
    expect(v.retention).toEqual({ sourceDays: 7, clipDays: 30 });
    expect(v.sourceExpiresAt).toBeNull();
    expect(v.clipsExpireAt).toBeNull();

    const custom = await endedJob(2, { retention: { sourceDays: 1, clipDays: 3 } });
    const c = await view(custom.id);
    expect(c.retention).toEqual({ sourceDays: 1, clipDays: 3 });
    const end = Date.parse(c.finishedAt!);
    expect(Date.parse(c.sourceExpiresAt!)).toBe(end + 1 * DAY);
    expect(Date.parse(c.clipsExpireAt!)).toBe(end + 3 * DAY);

    for (const [retention, field] of [
      [{ sourceDays: 91 }, 'options.retention.sourceDays'],
      [{ sourceDays: 0 }, 'options.retention.sourceDays'],
      [{ clipDays: 366 }, 'options.retention.clipDays'],
      [{ clipDays: 1.5 }, 'options.retention.clipDays'],
    ] as const) {
      const form = new FormData();
      form.append('options', JSON.stringify({ retention }));
      form.append('file', new Blob([media]), 'talk.mp4');
      const res = await fetch(`${api.url}/v1/jobs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${alice.key}` },
        body: form,
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { message: string }).message).toContain(field);
    }
    const json = await api.call('POST', '/v1/jobs', {
      key: alice,
      json: { sourceKey: running.sourceKey, options: { retention: { sourceDays: 500 } } },
    });
    expect(json.status).toBe(400);
    expect((json.body as { message: string }).message).toContain('options.retention.sourceDays');
  });
});

describe('the retention sweeper', () => {
  it('deletes only expired objects of ended jobs, marks them, and is idempotent', async () => {
    const running = await endedJob(null);
    const fresh = await endedJob(1); // nothing expired
    const sourceOnly = await endedJob(8); // source (7 d) expired, clips (30 d) not
    const both = await endedJob(31);
    const perJob = await endedJob(2, { retention: { sourceDays: 1, clipDays: 1 } });

    const first = await sweepAll();
    expect(first.sources).toEqual(expect.arrayContaining([sourceOnly.id, both.id, perJob.id]));
    expect(first.clips).toEqual(expect.arrayContaining([both.id, perJob.id]));
    for (const keep of [running, fresh]) {
      expect(first.sources).not.toContain(keep.id);
      expect(first.clips).not.toContain(keep.id);
    }
    expect(first.clips).not.toContain(sourceOnly.id);

    for (const j of [running, fresh]) {
      expect(await exists(j.sourceKey)).toBe(true);
      for (const k of j.clipKeys) expect(await exists(k)).toBe(true);
    }
    expect(await exists(sourceOnly.sourceKey)).toBe(false);
    for (const k of sourceOnly.clipKeys) expect(await exists(k)).toBe(true);
    for (const j of [both, perJob]) {
      expect(await exists(j.sourceKey)).toBe(false);
      for (const k of j.clipKeys) expect(await exists(k)).toBe(false);
    }

    const v = await view(sourceOnly.id);
    expect(v.sourceDeletedAt).not.toBeNull();
    expect(v.clipsDeletedAt).toBeNull();
    const b = await view(both.id);
    expect(b.sourceDeletedAt).not.toBeNull();
    expect(b.clipsDeletedAt).not.toBeNull();

    // A second pass finds nothing of these: what is marked is not swept again.
    const again = await sweeper.sweepOnce();
    for (const j of [running, fresh, sourceOnly, both, perJob]) {
      expect(again.sources).not.toContain(j.id);
      expect(again.clips).not.toContain(j.id);
    }
    expect((await view(both.id)).clipsDeletedAt).toBe(b.clipsDeletedAt);
  });

  it('two sweepers at once: each job is swept by exactly one', async () => {
    // One after another: streaming uploads are capped per process (429 past UPLOAD_MAX_CONCURRENT).
    const jobs = [await endedJob(40), await endedJob(40), await endedJob(40)];
    const second = await startApi({ WORKER_ABSENT_SECONDS: '3600' });
    try {
      const other = second.app.get(RetentionSweeperService);
      const [a, b] = await Promise.all([sweeper.sweepOnce(), other.sweepOnce()]);
      const ids = jobs.map((j) => j.id);
      const mine = (r: { sources: string[] }) => r.sources.filter((id) => ids.includes(id));
      // The advisory lock lets one pass run; the other returns without work.
      expect([mine(a).length, mine(b).length].sort()).toEqual([0, 3]);
      const rest = await sweepAll();
      expect(rest.sources.filter((id) => ids.includes(id))).toEqual([]);
      for (const j of jobs) expect(await exists(j.sourceKey)).toBe(false);
    } finally {
      await second.close();
    }
  });

  it('keeps a source another job still uses', async () => {
    const owner = await endedJob(10);
    const borrower = await api.call('POST', '/v1/jobs', {
      key: alice,
      json: { sourceKey: owner.sourceKey, options: { reuse: false } },
    });
    expect(borrower.status).toBe(201);
    const r = await sweepAll();
    expect(r.sources).toContain(owner.id);
    expect((await view(owner.id)).sourceDeletedAt).not.toBeNull();
    expect(await exists(owner.sourceKey)).toBe(true);
  });
});

describe('expired objects', () => {
  it('clip downloads answer 410 with the date, swept or not yet', async () => {
    const swept = await endedJob(31);
    const late = await endedJob(2, { retention: { sourceDays: 1, clipDays: 1 } });
    await sweepAll();
    // Expired after the sweep ran: the link must not work meanwhile.
    const unswept = await endedJob(31);
    const kept = await endedJob(1);
    for (const j of [swept, late, unswept]) {
      const v = await view(j.id);
      const res = await api.call('GET', `/v1/jobs/${j.id}/clips`, { key: alice });
      expect(res.status).toBe(410);
      expect((res.body as { message: string }).message).toContain(`expired on ${v.clipsExpireAt}`);
    }
    const ok = await api.call('GET', `/v1/jobs/${kept.id}/clips`, { key: alice });
    expect(ok.status).toBe(200);
    expect((ok.body as { clips: Array<{ downloads: unknown }> }).clips[0].downloads).not.toBeNull();
  });

  it('re-running a stage whose source was deleted answers 410; with the source, a re-run renders again', async () => {
    const gone = await endedJob(8);
    const clipsOnly = await endedJob(2, { retention: { sourceDays: 30, clipDays: 1 } });
    await sweepAll();
    for (const path of [
      `/v1/jobs/${gone.id}/stages/silence/rerun`,
      `/v1/jobs/${gone.id}/stages/rendering/rerun`,
    ]) {
      const res = await api.call('POST', path, { key: ops });
      expect(res.status).toBe(410);
      expect((res.body as { message: string }).message).toMatch(
        /the source was deleted by retention on .*submit the file again/,
      );
    }
    expect((await view(clipsOnly.id)).clipsDeletedAt).not.toBeNull();
    const rerun = await api.call('POST', `/v1/jobs/${clipsOnly.id}/stages/rendering/rerun`, {
      key: ops,
    });
    expect(rerun.status).toBeLessThan(300);
    const v = await view(clipsOnly.id);
    expect(v.clipsDeletedAt).toBeNull();
    expect(v.clipsExpireAt).toBeNull();
    const [clip] = await api.db.query(`SELECT status FROM clips WHERE job_id = $1`, [clipsOnly.id]);
    expect(clip.status).toBe('queued');
  });

  it("a creator's one-clip render and preview need the source: 410 once it is deleted", async () => {
    const gone = await endedJob(8);
    await sweepAll();
    const [clip] = await api.db.query(`SELECT id FROM clips WHERE job_id = $1`, [gone.id]);
    for (const [path, json] of [
      [`/v1/jobs/${gone.id}/clips/${clip.id}/render`, undefined],
      [`/v1/jobs/${gone.id}/clips/${clip.id}/preview`, { look: {} }],
    ] as const) {
      const res = await api.call('POST', path, { key: alice, json });
      expect(res.status).toBe(410);
      expect((res.body as { message: string }).message).toMatch(/deleted by retention on/);
    }
    const [row] = await api.db.query(`SELECT status FROM clips WHERE id = $1`, [clip.id]);
    expect(row.status).toBe('completed');
  });

  it('DELETE stays immediate whatever the retention', async () => {
    const j = await endedJob(1, { retention: { sourceDays: 90, clipDays: 365 } });
    expect((await api.call('DELETE', `/v1/jobs/${j.id}`, { key: alice })).status).toBe(204);
    expect(await exists(j.sourceKey)).toBe(false);
    for (const k of j.clipKeys) expect(await exists(k)).toBe(false);
  });
});
