import { ALL_JOBS_ROOM, jobRoom, ownerRoom, type StageProgressEvent } from '@clipline/contracts';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { smallMp4 } from '../fixtures/small-media.fixture';
import { startApi, streamJob, tenantKeys, type ApiHarness, type TestKey } from '../support/api-app';
import { ApiSockets, type Client } from '../support/api-sockets';
import {
  insertClip,
  insertLayoutAnalysis,
  insertSegment,
  insertTranscript,
} from '../support/factories';

/**
 * Two creators and an ops key against every REST route and the socket.io
 * subscriptions. The route list comes from the running app's router, so a new
 * route without a cross-tenant case below fails the suite.
 */
jest.setTimeout(120_000);

type Reply = Awaited<ReturnType<ApiHarness['call']>>;

let api: ApiHarness;
let alice: TestKey;
let bob: TestKey;
let ops: TestKey;
let media: Buffer;
let aliceJob: string;
let aliceSource: string;
let aliceSegment: string;
let aliceClip: string;
let aliceUpload: string;
let bobJob: string;
let sockets: ApiSockets;

/** What the workers would have stored, so the owner sees 200 on every result route. */
async function finishStages(jobId: string): Promise<string> {
  await api.db.query(`UPDATE job_stages SET status = 'completed' WHERE job_id = $1`, [jobId]);
  const m = api.db.manager;
  await insertTranscript(m, jobId, [], { text: 'alice secret words' });
  await insertLayoutAnalysis(m, jobId);
  return insertSegment(m, jobId, {
    rank: 2,
    score: 50,
    reason: 'test',
    text: 'alice secret words',
    selected: false,
  });
}

let exportClip: string | null = null;

/** One rendered clip of Alice's, so the owner's export answers 200 (created once). */
async function completedClip(jobId: string, segmentId: string): Promise<string> {
  exportClip ??= await insertClip(api.db.manager, {
    jobId,
    segmentId,
    status: 'completed',
    attempt: 1,
  });
  return exportClip;
}

/** A selected segment with a rendered clip row, for the clip editing routes. */
async function aliceClipRow(jobId: string): Promise<string> {
  const m = api.db.manager;
  const segmentId = await insertSegment(m, jobId, {
    score: 60,
    reason: 'test',
    text: 'alice secret words',
  });
  return insertClip(m, {
    jobId,
    segmentId,
    status: 'completed',
    attempt: 1,
    videoKey: `jobs/${jobId}/clips/${segmentId}-9x16.a1.mp4`,
    renderedVersion: 1,
  });
}

let aliceHook: { endpoint: string; delivery: string } | null = null;

/**
 * One webhook endpoint of Alice's with a delivery, written directly: registering
 * through the API would resolve a public host name, which this machine cannot.
 * The delivery is `failed`, so the dispatcher leaves it alone.
 */
async function aliceWebhook(): Promise<{ endpoint: string; delivery: string }> {
  if (aliceHook) return aliceHook;
  const endpoint = randomUUID();
  const event = randomUUID();
  const delivery = randomUUID();
  await api.db.query(
    `INSERT INTO webhook_endpoints (id, owner_key_id, url, events, secret)
     VALUES ($1, $2, 'https://hooks.example.com/alice-secret-path', ARRAY['job.completed'], 'alice-secret')`,
    [endpoint, alice.id],
  );
  await api.db.query(
    `INSERT INTO webhook_events (id, tx_id, job_id, type) VALUES ($1, 1, $2, 'job.completed')`,
    [event, aliceJob],
  );
  await api.db.query(
    `INSERT INTO webhook_deliveries (id, endpoint_id, event_id, job_id, seq, tx_id, status)
     VALUES ($1, $2, $3, $4, 1, 1, 'failed')`,
    [delivery, endpoint, event, aliceJob],
  );
  aliceHook = { endpoint, delivery };
  return aliceHook;
}

/** Webhook endpoints belong to one key: every other key, ops included, gets 404 and no trace. */
async function webhookRoute(
  method: string,
  path: (hook: { endpoint: string; delivery: string }) => string,
) {
  const hook = await aliceWebhook();
  for (const key of [bob, ops]) {
    const res = await api.call(method, path(hook), { key });
    expect(res.status).toBe(404);
    expect(res.text).not.toMatch(/alice-secret/);
  }
  const left = (await api.db.query(
    `SELECT e.id, d.status FROM webhook_endpoints e JOIN webhook_deliveries d ON d.endpoint_id = e.id
      WHERE d.id = $1`,
    [hook.delivery],
  )) as Array<{ id: string; status: string }>;
  expect(left).toEqual([{ id: hook.endpoint, status: 'failed' }]);
}

/** Bob through his own job id with Alice's clip (or correction) id: like a missing one. */
async function viaOwnJob(method: string, path: (jobId: string) => string, json?: unknown) {
  const res = await api.call(method, path(bobJob), { key: bob, json });
  expect(res.status).toBe(404);
  expect(res.text).not.toContain('alice secret');
}

beforeAll(async () => {
  api = await startApi();
  [alice, bob, ops] = await tenantKeys(api);
  media = readFileSync(await smallMp4());
  const a = await streamJob(api, alice, media);
  aliceJob = a.id;
  aliceSource = a.sourceKey;
  aliceSegment = await finishStages(aliceJob);
  aliceClip = await aliceClipRow(aliceJob);
  bobJob = (await streamJob(api, bob, media)).id;
  const up = await api.call('POST', '/v1/uploads', {
    key: alice,
    json: { filename: 'a.mp4', size: 1000, contentType: 'video/mp4' },
  });
  expect(up.status).toBe(201);
  aliceUpload = (up.body as { uploadId: string }).uploadId;
  sockets = new ApiSockets();
});

afterAll(async () => {
  await sockets?.close();
  await api?.close();
});

const message = (r: Reply) => (r.body as { message?: string }).message ?? '';

/** The answer for another tenant's resource must be the answer for one that does not exist. */
function expectLikeMissing(foreign: Reply, missing: Reply, foreignId: string, missingId: string) {
  expect(foreign.status).toBe(missing.status);
  expect(message(foreign).split(foreignId).join('<id>')).toBe(
    message(missing).split(missingId).join('<id>'),
  );
}

async function aliceJobStillThere(): Promise<void> {
  const own = await api.call('GET', `/v1/jobs/${aliceJob}`, { key: alice });
  expect(own.status).toBe(200);
  expect((own.body as { status: string }).status).not.toBe('cancelled');
}

/** `bob` on Alice's job, and on a job id nobody has: both must be 404 (or 403 on ops-only routes). */
async function jobRoute(method: string, path: (id: string) => string, json?: unknown) {
  const missingId = randomUUID();
  const foreign = await api.call(method, path(aliceJob), { key: bob, json });
  const missing = await api.call(method, path(missingId), { key: bob, json });
  expectLikeMissing(foreign, missing, aliceJob, missingId);
  expect([403, 404]).toContain(foreign.status);
  expect(foreign.text).not.toContain('alice secret');
  const owner = await api.call(method, path(aliceJob), { key: alice, json });
  expect(owner.status).not.toBe(404);
  return { foreign, owner };
}

async function uploadRoute(method: string, path: (id: string) => string, json?: unknown) {
  const missingId = randomUUID();
  const foreign = await api.call(method, path(aliceUpload), { key: bob, json });
  const missing = await api.call(method, path(missingId), { key: bob, json });
  expectLikeMissing(foreign, missing, aliceUpload, missingId);
  expect(foreign.status).toBe(404);
  const still = await api.call('GET', `/v1/uploads/${aliceUpload}`, { key: alice });
  expect(still.status).toBe(200);
  expect((still.body as { status: string }).status).toBe('open');
}

async function opsOnly(method: string, path: string, json?: unknown) {
  const res = await api.call(method, path, { key: bob, json });
  expect(res.status).toBe(403);
}

/** sourceKey spellings that name Alice's source (or escape the bucket prefix). */
function malformedKeys(id: string): string[] {
  return [
    `./jobs/${id}/source.mp4`,
    `x/../jobs/${id}/source.mp4`,
    `jobs/../jobs/${id}/source.mp4`,
    `jobs/${id}/./source.mp4`,
    `jobs/${id}/x/../source.mp4`,
    `jobs/${id}/..`,
    `..`,
    `.`,
    `jobs%2F..%2Fjobs/${id}/source.mp4`,
    `jobs/${id}%2Fsource.mp4`,
    `%2e/jobs/${id}/source.mp4`,
    `%2E%2E/jobs/${id}/source.mp4`,
    `jobs/%2e%2e/jobs/${id}/source.mp4`,
    `jobs%5C${id}%5Csource.mp4`,
    `jobs\\${id}\\source.mp4`,
    `.\\jobs\\${id}\\source.mp4`,
    `jobs\\..\\jobs/${id}/source.mp4`,
    `/jobs/${id}/source.mp4`,
    `jobs//${id}/source.mp4`,
    `//jobs/${id}/source.mp4`,
    `jobs/${id}/source.mp4/`,
    `jobs/${id}/source.mp4\u0000`,
    `jobs/${id}/source.mp4%00`,
    `jobs/${id}\n/source.mp4`,
    `jobs/${id}/\tsource.mp4`,
    `jobs/${id}/source.mp4\r`,
    `jobs/${id}/source\u007f.mp4`,
    `jobs/${id}/source\u0085.mp4`,
  ];
}

describe('sourceKey', () => {
  it.each(malformedKeys('ID').map((k, i) => [i, JSON.stringify(k)]))(
    'refuses malformed key #%i %s with 400 for a creator and for ops',
    async (i) => {
      const sourceKey = malformedKeys(aliceJob)[i as number];
      for (const key of [bob, alice, ops]) {
        const res = await api.call('POST', '/v1/jobs', { key, json: { sourceKey } });
        expect([key.role, res.status]).toEqual([key.role, 400]);
        expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
        // The refusal names no server path and does not echo control characters.
        // eslint-disable-next-line no-control-regex
        expect(message(res)).not.toMatch(/[\u0000-\u001f\u007f-\u009f]|\/work\/|node_modules/);
      }
    },
  );

  it('lets a creator start a job only from its own objects', async () => {
    // Another creator's source, spelled exactly: like a missing object.
    const stolen = await api.call('POST', '/v1/jobs', {
      key: bob,
      json: { sourceKey: aliceSource },
    });
    const missingKey = `jobs/${randomUUID()}/source.mp4`;
    const missing = await api.call('POST', '/v1/jobs', {
      key: bob,
      json: { sourceKey: missingKey },
    });
    expect(stolen.status).toBe(404);
    expectLikeMissing(stolen, missing, aliceSource, missingKey);

    // Objects nobody uploaded through the API (imports, other tenants' clips) are ops-only.
    await api.storage.putBuffer('imports/isolation.mp4', media, 'video/mp4');
    await api.storage.putBuffer(`jobs/${aliceJob}/clips/x-9x16.mp4`, media, 'video/mp4');
    for (const sourceKey of [
      'imports/isolation.mp4',
      `jobs/${aliceJob}/clips/x-9x16.mp4`,
      aliceSource.toUpperCase(),
      aliceSource.replace(aliceJob, aliceJob.toUpperCase()),
    ]) {
      const res = await api.call('POST', '/v1/jobs', { key: bob, json: { sourceKey } });
      expect([sourceKey, res.status]).toEqual([sourceKey, 404]);
    }
    const bobJobs = await api.call('GET', '/v1/jobs?limit=100', { key: bob });
    expect((bobJobs.body as { items: Array<{ id: string }> }).items.map((j) => j.id)).toEqual([
      bobJob,
    ]);

    // The owner may reuse its own source; ops may name any well-formed key.
    const again = await api.call('POST', '/v1/jobs', {
      key: alice,
      json: { sourceKey: aliceSource },
    });
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({ sourceKey: aliceSource });
    const imported = await api.call('POST', '/v1/jobs', {
      key: ops,
      json: { sourceKey: 'imports/isolation.mp4' },
    });
    expect(imported.status).toBe(201);
  });
});

/**
 * One case per route, keyed "METHOD /path" as the router spells it. Each case
 * makes the cross-tenant call and checks nothing of Alice's leaks or changes.
 */
const ROUTE_CASES: Record<string, () => Promise<void>> = {
  'GET /health': async () => {
    const res = await api.call('GET', '/health');
    expect(res.text).not.toMatch(/alice|S3RVER|postgres:\/\//i);
  },
  'GET /metrics': async () => {
    const res = await api.call('GET', '/metrics');
    expect(res.text).not.toContain(aliceJob);
    expect(res.text).not.toContain(alice.id);
  },
  // The API description and its swagger-ui assets (covered by SWAGGER_ASSETS below).
  'GET /docs': async () => {
    const res = await api.call('GET', '/docs-json');
    expect(res.text).not.toContain(aliceJob);
  },

  'POST /v1/webhooks': async () => {
    await aliceWebhook();
    // Bob may register his own endpoint, never one that points inside.
    const res = await api.call('POST', '/v1/webhooks', {
      key: bob,
      json: { url: 'http://169.254.169.254/latest/meta-data', events: ['job.completed'] },
    });
    expect(res.status).toBe(400);
    const rows = (await api.db.query(
      `SELECT count(*)::int AS n FROM webhook_endpoints WHERE owner_key_id = $1`,
      [bob.id],
    )) as Array<{ n: number }>;
    expect(rows[0].n).toBe(0);
  },
  'GET /v1/webhooks': async () => {
    const hook = await aliceWebhook();
    for (const key of [bob, ops]) {
      const res = await api.call('GET', '/v1/webhooks', { key });
      expect(res.status).toBe(200);
      expect(res.text).not.toContain(hook.endpoint);
      expect(res.text).not.toMatch(/alice-secret/);
    }
  },
  'GET /v1/webhooks/:id': () => webhookRoute('GET', (h) => `/v1/webhooks/${h.endpoint}`),
  'DELETE /v1/webhooks/:id': () => webhookRoute('DELETE', (h) => `/v1/webhooks/${h.endpoint}`),
  'GET /v1/webhooks/:id/deliveries': () =>
    webhookRoute('GET', (h) => `/v1/webhooks/${h.endpoint}/deliveries`),
  'POST /v1/webhooks/:id/deliveries/:deliveryId/redeliver': () =>
    webhookRoute('POST', (h) => `/v1/webhooks/${h.endpoint}/deliveries/${h.delivery}/redeliver`),

  'POST /v1/uploads': async () => {
    // Creates Bob's own upload; it must not land under Alice's job.
    const res = await api.call('POST', '/v1/uploads', {
      key: bob,
      json: { filename: '../../jobs/x.mp4', size: 1000, contentType: 'video/mp4' },
    });
    expect(res.status).toBe(201);
    const up = res.body as { uploadId: string; jobId: string };
    expect(up.jobId).not.toBe(aliceJob);
    const row = (await api.db.query('SELECT object_key FROM uploads WHERE id = $1', [
      up.uploadId,
    ])) as Array<{ object_key: string }>;
    expect(row[0].object_key).toMatch(new RegExp(`^jobs/${up.jobId}/source\\.\\w+$`));
  },
  'GET /v1/uploads/:id': () => uploadRoute('GET', (id) => `/v1/uploads/${id}`),
  'POST /v1/uploads/:id/parts': () =>
    uploadRoute('POST', (id) => `/v1/uploads/${id}/parts`, { partNumbers: [1] }),
  'PUT /v1/uploads/:id/parts/:partNumber': () =>
    uploadRoute('PUT', (id) => `/v1/uploads/${id}/parts/1`, { etag: '"x"', size: 1000 }),
  'POST /v1/uploads/:id/complete': () => uploadRoute('POST', (id) => `/v1/uploads/${id}/complete`),
  'DELETE /v1/uploads/:id': () => uploadRoute('DELETE', (id) => `/v1/uploads/${id}`),

  'POST /v1/jobs': async () => {
    for (const sourceKey of [aliceSource, ...malformedKeys(aliceJob)]) {
      const res = await api.call('POST', '/v1/jobs', { key: bob, json: { sourceKey } });
      expect([sourceKey, res.status]).toEqual([sourceKey, sourceKey === aliceSource ? 404 : 400]);
    }
  },
  'GET /v1/me': async () => {
    // Only the caller's own key: nothing of another tenant's.
    const res = await api.call('GET', '/v1/me', { key: bob });
    expect(res.body).toEqual({ id: bob.id, name: 'bob', role: 'creator' });
    expect(res.text).not.toContain(alice.id);
  },
  'GET /v1/jobs': async () => {
    const res = await api.call('GET', '/v1/jobs?limit=100', { key: bob });
    const ids = (res.body as { items: Array<{ id: string }> }).items.map((j) => j.id);
    expect(ids).toContain(bobJob);
    expect(ids).not.toContain(aliceJob);
  },
  'GET /v1/jobs/:id': async () => {
    await jobRoute('GET', (id) => `/v1/jobs/${id}`);
  },
  'DELETE /v1/jobs/:id': async () => {
    const missingId = randomUUID();
    const foreign = await api.call('DELETE', `/v1/jobs/${aliceJob}`, { key: bob });
    const missing = await api.call('DELETE', `/v1/jobs/${missingId}`, { key: bob });
    expectLikeMissing(foreign, missing, aliceJob, missingId);
    expect(foreign.status).toBe(404);
    await aliceJobStillThere();
    expect(await api.storage.head(aliceSource)).not.toBeNull();
  },
  'POST /v1/jobs/:id/cancel': async () => {
    const missingId = randomUUID();
    const foreign = await api.call('POST', `/v1/jobs/${aliceJob}/cancel`, { key: bob });
    const missing = await api.call('POST', `/v1/jobs/${missingId}/cancel`, { key: bob });
    expectLikeMissing(foreign, missing, aliceJob, missingId);
    expect(foreign.status).toBe(404);
    await aliceJobStillThere();
  },
  'GET /v1/jobs/:id/transcript': async () => {
    await jobRoute('GET', (id) => `/v1/jobs/${id}/transcript`);
    await jobRoute('GET', (id) => `/v1/jobs/${id}/transcript?format=srt`);
  },
  'GET /v1/jobs/:id/silences': async () => {
    await jobRoute('GET', (id) => `/v1/jobs/${id}/silences`);
  },
  'GET /v1/jobs/:id/layout': async () => {
    await jobRoute('GET', (id) => `/v1/jobs/${id}/layout`);
  },
  'GET /v1/jobs/:id/segments': async () => {
    await jobRoute('GET', (id) => `/v1/jobs/${id}/segments`);
  },
  'GET /v1/jobs/:id/clips': async () => {
    const { foreign } = await jobRoute('GET', (id) => `/v1/jobs/${id}/clips`);
    expect(foreign.text).not.toMatch(/X-Amz-Signature/i);
  },
  'GET /v1/jobs/:id/clips/:clipId/export': async () => {
    const clip = await completedClip(aliceJob, aliceSegment);
    for (const format of ['fcpxml', 'xmeml', 'edl', 'otio', 'srt']) {
      const { foreign, owner } = await jobRoute(
        'GET',
        (id) => `/v1/jobs/${id}/clips/${clip}/export?format=${format}`,
      );
      expect(foreign.status).toBe(404);
      expect(owner.status).toBe(200);
      expect(foreign.text).not.toContain(clip);
    }
    // Alice's clip through Bob's own job id: like a clip that does not exist.
    const viaOwn = await api.call('GET', `/v1/jobs/${bobJob}/clips/${clip}/export?format=otio`, {
      key: bob,
    });
    const missing = await api.call(
      'GET',
      `/v1/jobs/${bobJob}/clips/${randomUUID()}/export?format=otio`,
      { key: bob },
    );
    expect(viaOwn.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(viaOwn.text).not.toContain('alice secret');
  },
  'GET /v1/jobs/:id/export': async () => {
    await completedClip(aliceJob, aliceSegment);
    for (const format of ['fcpxml', 'xmeml', 'edl', 'otio']) {
      const { foreign, owner } = await jobRoute(
        'GET',
        (id) => `/v1/jobs/${id}/export?format=${format}`,
      );
      expect(foreign.status).toBe(404);
      expect(owner.status).toBe(200);
    }
  },
  'GET /v1/jobs/:id/logs': async () => {
    await jobRoute('GET', (id) => `/v1/jobs/${id}/logs`);
  },
  'POST /v1/jobs/:id/stages/:stage/rerun': async () => {
    await jobRoute('POST', (id) => `/v1/jobs/${id}/stages/silence/rerun`);
  },
  'POST /v1/jobs/:id/retry': async () => {
    await jobRoute('POST', (id) => `/v1/jobs/${id}/retry`);
  },
  'POST /v1/jobs/:id/clips/:clipId/preview': async () => {
    // A clip of Alice's, so her own call renders (or refuses the tiny source), never 404s.
    const clip = await completedClip(aliceJob, aliceSegment);
    await jobRoute('POST', (id) => `/v1/jobs/${id}/clips/${clip}/preview`, { look: {} });
  },
  'PUT /v1/jobs/:id/layout/crop-plans': async () => {
    await jobRoute('PUT', (id) => `/v1/jobs/${id}/layout/crop-plans`, { cropPlans: [] });
  },
  'POST /v1/jobs/:id/segments/:segmentId/promote': async () => {
    const missingId = randomUUID();
    const foreign = await api.call(
      'POST',
      `/v1/jobs/${aliceJob}/segments/${aliceSegment}/promote`,
      {
        key: bob,
      },
    );
    const missing = await api.call(
      'POST',
      `/v1/jobs/${missingId}/segments/${aliceSegment}/promote`,
      {
        key: bob,
      },
    );
    expectLikeMissing(foreign, missing, aliceJob, missingId);
    expect(foreign.status).toBe(404);
    // Alice's segment through Bob's own job id.
    const viaOwn = await api.call('POST', `/v1/jobs/${bobJob}/segments/${aliceSegment}/promote`, {
      key: bob,
    });
    expect(viaOwn.status).toBe(404);
    const seg = (await api.db.query('SELECT selected FROM content_segments WHERE id = $1', [
      aliceSegment,
    ])) as Array<{ selected: boolean }>;
    expect(seg[0].selected).toBe(false);
  },
  'GET /v1/jobs/:id/clips/:clipId': async () => {
    await jobRoute('GET', (id) => `/v1/jobs/${id}/clips/${aliceClip}`);
    await viaOwnJob('GET', (id) => `/v1/jobs/${id}/clips/${aliceClip}`);
  },
  'PATCH /v1/jobs/:id/clips/:clipId': async () => {
    const json = { look: { captions: { template: 'boxed' } } };
    await viaOwnJob('PATCH', (id) => `/v1/jobs/${id}/clips/${aliceClip}`, json);
    const { owner } = await jobRoute('PATCH', (id) => `/v1/jobs/${id}/clips/${aliceClip}`, json);
    // Only the owner's own call changed the clip (one version up).
    expect(owner.body).toMatchObject({ version: 2 });
  },
  'POST /v1/jobs/:id/clips/:clipId/trim-preview': async () => {
    const json = { start: 0, end: 1 };
    await jobRoute('POST', (id) => `/v1/jobs/${id}/clips/${aliceClip}/trim-preview`, json);
    await viaOwnJob('POST', (id) => `/v1/jobs/${id}/clips/${aliceClip}/trim-preview`, json);
  },
  'POST /v1/jobs/:id/clips/:clipId/corrections': async () => {
    const json = { start: 0, end: 1, text: 'bob was here' };
    await viaOwnJob('POST', (id) => `/v1/jobs/${id}/clips/${aliceClip}/corrections`, json);
    await jobRoute('POST', (id) => `/v1/jobs/${id}/clips/${aliceClip}/corrections`, json);
    const rows = (await api.db.query(
      'SELECT author_key_id FROM caption_corrections WHERE clip_id = $1',
      [aliceClip],
    )) as Array<{ author_key_id: string }>;
    expect(rows.map((r) => r.author_key_id)).toEqual([alice.id]);
  },
  'POST /v1/jobs/:id/clips/:clipId/render': async () => {
    await viaOwnJob('POST', (id) => `/v1/jobs/${id}/clips/${aliceClip}/render`);
    await jobRoute('POST', (id) => `/v1/jobs/${id}/clips/${aliceClip}/render`);
  },
  'PATCH /v1/jobs/:id/look': async () => {
    const json = { look: { captions: { textColor: '#FF0000' } } };
    await jobRoute('PATCH', (id) => `/v1/jobs/${id}/look`, json);
    const own = await api.call('GET', `/v1/jobs/${bobJob}`, { key: bob });
    expect(JSON.stringify(own.body)).not.toContain('#FF0000');
  },
  'GET /v1/jobs/:id/transcript/corrections': async () => {
    await jobRoute('GET', (id) => `/v1/jobs/${id}/transcript/corrections`);
  },
  'POST /v1/jobs/:id/transcript/corrections': async () => {
    await jobRoute('POST', (id) => `/v1/jobs/${id}/transcript/corrections`, {
      start: 0,
      end: 1,
      text: 'fixed',
    });
  },
  'DELETE /v1/jobs/:id/corrections/:correctionId': async () => {
    const made = await api.call('POST', `/v1/jobs/${aliceJob}/clips/${aliceClip}/corrections`, {
      key: alice,
      json: { start: 2, end: 3, text: 'mine' },
    });
    expect(made.status).toBe(201);
    const cid = (made.body as { correction: { id: string } }).correction.id;
    await viaOwnJob('DELETE', (id) => `/v1/jobs/${id}/corrections/${cid}`);
    await jobRoute('DELETE', (id) => `/v1/jobs/${id}/corrections/${cid}`);
  },
  'GET /v1/ops/queues': () => opsOnly('GET', '/v1/ops/queues'),
  'POST /v1/ops/queues/:stage/pause': () => opsOnly('POST', '/v1/ops/queues/silence/pause'),
  'POST /v1/ops/queues/:stage/resume': () => opsOnly('POST', '/v1/ops/queues/silence/resume'),
  'GET /v1/ops/queues/:stage/failed': () => opsOnly('GET', '/v1/ops/queues/silence/failed'),
  'GET /v1/ops/stages/failed': () => opsOnly('GET', '/v1/ops/stages/failed'),
  'GET /v1/ops/workers': () => opsOnly('GET', '/v1/ops/workers'),
};

interface RouterLayer {
  route?: { path: string; methods: Record<string, boolean> };
}

/** Every route the running express app answers, as "METHOD /path". */
function appRoutes(): string[] {
  const instance = api.app.getHttpAdapter().getInstance() as {
    router?: { stack: RouterLayer[] };
    _router?: { stack: RouterLayer[] };
  };
  const stack = (instance.router ?? instance._router)?.stack ?? [];
  const out = new Set<string>();
  for (const layer of stack) {
    if (!layer.route) continue;
    for (const [m, on] of Object.entries(layer.route.methods)) {
      if (on && m !== '_all') out.add(`${m.toUpperCase()} ${layer.route.path}`);
    }
  }
  return [...out].sort();
}

/** swagger-ui's static files: the same for every caller, with no tenant data. */
const SWAGGER_ASSETS = /^GET \/docs(-json|-yaml|\/[\w./-]*)$/;

describe('every REST route across tenants', () => {
  it('has a cross-tenant case for every route the app serves', () => {
    const routes = appRoutes();
    expect(routes.length).toBeGreaterThan(25);
    expect(routes.filter((r) => !(r in ROUTE_CASES) && !SWAGGER_ASSETS.test(r))).toEqual([]);
    // A case for a route that no longer exists is a stale test.
    expect(Object.keys(ROUTE_CASES).filter((r) => !routes.includes(r))).toEqual([]);
  });

  it.each(Object.keys(ROUTE_CASES))('%s', async (route) => {
    await ROUTE_CASES[route]();
  });

  it('reaches every route with ops', async () => {
    expect((await api.call('GET', `/v1/jobs/${aliceJob}/transcript`, { key: ops })).status).toBe(
      200,
    );
    expect((await api.call('GET', `/v1/uploads/${aliceUpload}`, { key: ops })).status).toBe(200);
  });
});

describe('socket.io across tenants', () => {
  const connect = (apiKey: string) => sockets.connect(api.url, apiKey);
  const subscribe = (s: Client, req: unknown) =>
    new Promise<{ ok: boolean; error?: string }>((resolve) =>
      s.emit('subscribe', req as { jobId: string }, resolve),
    );

  it('never subscribes a creator to another tenant’s job, however it is named', async () => {
    const sb = await connect(bob.key);
    const names: unknown[] = [
      { jobId: aliceJob },
      { jobId: aliceJob.toUpperCase() },
      { jobId: ` ${aliceJob}` },
      { jobId: `${aliceJob}\u0000` },
      { jobId: [aliceJob] },
      { jobId: { id: aliceJob } },
      { jobId: aliceJob, all: false },
      { all: 'true', jobId: aliceJob },
      [{ jobId: aliceJob }],
      aliceJob,
    ];
    for (const req of names) {
      const ack = await subscribe(sb, req);
      expect([req, ack.ok]).toEqual([req, false]);
    }
    const missingId = randomUUID();
    const foreign = await subscribe(sb, { jobId: aliceJob });
    const missing = await subscribe(sb, { jobId: missingId });
    expect(foreign.error?.replace(aliceJob, '<id>')).toBe(
      missing.error?.replace(missingId, '<id>'),
    );
  });

  it('delivers Alice’s events to Alice and ops only', async () => {
    const [sa, sb, so] = await Promise.all([
      connect(alice.key),
      connect(bob.key),
      connect(ops.key),
    ]);
    expect(await subscribe(sa, { jobId: aliceJob })).toEqual({ ok: true });
    expect(await subscribe(sb, { jobId: bobJob })).toEqual({ ok: true });
    expect(await subscribe(sb, { all: true })).toEqual({ ok: true });
    expect(await subscribe(so, { all: true })).toEqual({ ok: true });
    const got = new Map<Client, StageProgressEvent[]>();
    for (const s of [sa, sb, so]) {
      const list: StageProgressEvent[] = [];
      got.set(s, list);
      s.on('stage.progress', (e) => list.push(e));
    }
    const event = (jobId: string, progress: number): StageProgressEvent => ({
      jobId,
      stage: 'silence',
      attempt: 1,
      progress,
      etaSeconds: 1,
      at: new Date().toISOString(),
    });
    // Alice's job through each room a worker publishes to, then one of Bob's as a marker.
    sockets.emitter.to(jobRoom(aliceJob)).emit('stage.progress', event(aliceJob, 0.1));
    sockets.emitter.to(ownerRoom(alice.id)).emit('stage.progress', event(aliceJob, 0.2));
    sockets.emitter.to(ALL_JOBS_ROOM).emit('stage.progress', event(aliceJob, 0.3));
    sockets.emitter
      .to([jobRoom(bobJob), ownerRoom(bob.id), ALL_JOBS_ROOM])
      .emit('stage.progress', event(bobJob, 0.9));
    // One Redis channel carries them in order: once the marker is in, Alice's would be too.
    const t0 = Date.now();
    while (
      ((got.get(sb)?.length ?? 0) < 1 ||
        (got.get(so)?.length ?? 0) < 2 ||
        (got.get(sa)?.length ?? 0) < 1) &&
      Date.now() - t0 < 10_000
    ) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(got.get(sb)?.map((e) => e.jobId)).toEqual([bobJob]);
    expect(got.get(sa)?.map((e) => e.progress)).toEqual([0.1]);
    expect(got.get(so)?.map((e) => e.progress)).toEqual([0.3, 0.9]);
  });
});
