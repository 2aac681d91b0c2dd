import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { recordWebhookEvent } from '@clipline/pipeline';
import { startApi, type ApiHarness, type TestKey } from '../support/api-app';
import { audioMediaInfo, createTestJob, fanOutClips } from '../support/factories';
import { startPipelineHarness, type PipelineHarness } from '../support/pipeline-harness';
import {
  eventually,
  startWebhookReceiver,
  type WebhookReceiver,
} from '../support/webhook-receiver';

/** Every event a job driven through every stage produces, in order. */
const FULL_RUN = [
  'job.created',
  ...['transcription', 'silence', 'layout'].flatMap((s) => [
    `stage.started:${s}`,
    `stage.progress:${s}`,
    `stage.completed:${s}`,
  ]),
  'stage.started:segmenting',
  'stage.completed:segmenting',
  'stage.started:rendering',
  'stage.progress:rendering',
  'clip.ready',
  'stage.completed:rendering',
  'job.completed',
];

const ALL_EVENTS = [
  'job.created',
  'stage.started',
  'stage.progress',
  'stage.completed',
  'stage.failed',
  'clip.ready',
  'job.completed',
  'job.failed',
];

/** The receiver side as docs/api.md shows it: HMAC over "<timestamp>.<body>", at most 5 min old. */
function verifySignature(secret: string, headers: IncomingHttpHeaders, rawBody: string): boolean {
  const timestamp = Number(headers['clipline-webhook-timestamp']);
  if (!Number.isInteger(timestamp) || Math.abs(Date.now() / 1000 - timestamp) > 300) return false;
  const expected =
    'v1=' + createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex');
  const got = String(headers['clipline-webhook-signature'] ?? '');
  return got.length === expected.length && timingSafeEqual(Buffer.from(got), Buffer.from(expected));
}

const label = (j: { type: string; data: Record<string, unknown> }) =>
  j.type.startsWith('stage.') ? `${j.type}:${String(j.data.stage)}` : j.type;

jest.setTimeout(60_000);

describe('webhooks', () => {
  let api: ApiHarness;
  let h: PipelineHarness;

  beforeAll(async () => {
    api = await startApi({
      WEBHOOK_ALLOW_HTTP_LOOPBACK: 'true',
      WEBHOOK_DISPATCH_INTERVAL_MS: '100',
      WEBHOOK_RETRY_BASE_SECONDS: '0.2',
      WEBHOOK_TIMEOUT_MS: '1500',
    });
    h = await startPipelineHarness({ queuePrefix: `wh-${randomUUID().slice(0, 8)}` });
  });

  afterAll(async () => {
    await h?.close();
    await api?.close();
  });

  async function register(key: TestKey, url: string, events = ALL_EVENTS) {
    const res = await api.call('POST', '/v1/webhooks', { key, json: { url, events } });
    expect(res.status).toBe(201);
    return res.body as { id: string; secret: string; url: string; events: string[] };
  }

  const newJob = (owner: TestKey) =>
    createTestJob(h.orchestrator, { ownerKeyId: owner.id, mediaInfo: audioMediaInfo() });

  /** Every stage the way its worker would move it: claim, a progress beat, completion. */
  async function runParallelStages(jobId: string): Promise<void> {
    for (const s of ['transcription', 'silence', 'layout'] as const) {
      const attempt = (await h.stages.claim(jobId, s, 'w', 30))!;
      await h.stages.heartbeat(jobId, s, attempt, 0.5, 10);
      await h.stages.complete(jobId, s, attempt, async () => undefined, {});
    }
  }

  async function runRest(jobId: string): Promise<void> {
    const [{ clipId }] = await fanOutClips(h.stages, jobId, [{ start: 1, end: 20 }]);
    const clip = (await h.clips.claim(clipId, 30))!;
    await h.clips.report(clipId, clip.attempt, 0.5);
    await h.clips.complete(clipId, clip.attempt, { videoKey: `jobs/${jobId}/clips/x.mp4` });
  }

  async function runJob(owner: TestKey): Promise<string> {
    const jobId = await newJob(owner);
    await runParallelStages(jobId);
    await runRest(jobId);
    return jobId;
  }

  const ofJob = (rx: WebhookReceiver, jobId: string) =>
    rx.accepted().filter((r) => r.json.jobId === jobId);

  it('registers endpoints per key, shows the secret once, and hides them from other keys', async () => {
    const [alice, bob] = [await api.createKey('creator'), await api.createKey('creator')];
    const rx = await startWebhookReceiver();
    try {
      const created = await register(alice, rx.url, ['job.completed']);
      expect(created.secret).toMatch(/^whsec_/);
      const list = await api.call('GET', '/v1/webhooks', { key: alice });
      expect(list.status).toBe(200);
      expect(list.text).not.toContain(created.secret);
      expect((list.body as { items: Array<{ id: string }> }).items.map((e) => e.id)).toEqual([
        created.id,
      ]);
      const one = await api.call('GET', `/v1/webhooks/${created.id}`, { key: alice });
      expect(one.text).not.toContain(created.secret);

      for (const [method, path] of [
        ['GET', `/v1/webhooks/${created.id}`],
        ['GET', `/v1/webhooks/${created.id}/deliveries`],
        ['DELETE', `/v1/webhooks/${created.id}`],
        ['POST', `/v1/webhooks/${created.id}/deliveries/${randomUUID()}/redeliver`],
        ['GET', `/v1/webhooks/not-a-uuid`],
      ] as const) {
        expect((await api.call(method, path, { key: bob })).status).toBe(404);
      }
      expect((await api.call('GET', '/v1/webhooks', { key: bob })).body).toEqual({ items: [] });
      expect((await api.call('DELETE', `/v1/webhooks/${created.id}`, { key: alice })).status).toBe(
        204,
      );
      expect((await api.call('GET', `/v1/webhooks/${created.id}`, { key: alice })).status).toBe(
        404,
      );
    } finally {
      await rx.close();
    }
  });

  it('refuses bad bodies and internal URLs with 400 naming the field', async () => {
    const key = await api.createKey('creator');
    const post = (json: unknown) => api.call('POST', '/v1/webhooks', { key, json });
    const cases: Array<[unknown, RegExp]> = [
      [{ events: ['job.completed'] }, /url/],
      [{ url: 'https://example.com/h', events: [] }, /events/],
      [{ url: 'https://example.com/h', events: ['job.exploded'] }, /events must each be one of/],
      [{ url: 'https://example.com/h', events: ['job.created'], extra: 1 }, /property extra/],
      [{ url: 'ftp://example.com/h', events: ['job.created'] }, /url must use https/],
      [{ url: 'not a url', events: ['job.created'] }, /url must be an absolute/],
      [{ url: 'https://user:pw@example.com/h', events: ['job.created'] }, /user name or password/],
      [{ url: 'http://10.0.0.1/h', events: ['job.created'] }, /private network/],
      [{ url: 'https://10.0.0.1/h', events: ['job.created'] }, /private network/],
      [{ url: 'https://169.254.169.254/latest/meta-data', events: ['job.created'] }, /link-local/],
      [{ url: 'https://[::ffff:169.254.169.254]/', events: ['job.created'] }, /link-local/],
      [{ url: 'https://100.64.0.7/', events: ['job.created'] }, /private network/],
      [{ url: 'https://[fe80::1]/', events: ['job.created'] }, /link-local/],
      [{ url: 'https://0.0.0.0/', events: ['job.created'] }, /unspecified/],
      [{ url: 'https://224.0.0.1/', events: ['job.created'] }, /multicast/],
    ];
    for (const [json, message] of cases) {
      const res = await post(json);
      expect({ json, status: res.status }).toEqual({ json, status: 400 });
      expect(res.text).toMatch(message);
    }
  });

  it('delivers every event of a job, signed and in order, with the job view', async () => {
    const key = await api.createKey('creator');
    const rx = await startWebhookReceiver();
    try {
      const ep = await register(key, rx.url);
      const jobId = await runJob(key);
      await eventually(
        () => ofJob(rx, jobId).length >= FULL_RUN.length,
        () =>
          `received ${ofJob(rx, jobId)
            .map((r) => label(r.json))
            .join(', ')}`,
      );
      const got = ofJob(rx, jobId);
      expect(got.map((r) => label(r.json))).toEqual(FULL_RUN);
      for (const r of got) {
        expect(verifySignature(ep.secret, r.headers, r.body)).toBe(true);
        expect(verifySignature('whsec_wrong', r.headers, r.body)).toBe(false);
        expect(r.headers['clipline-webhook-id']).toBe(r.json.id);
        expect(r.json.job?.id).toBe(jobId);
        expect(Number.isNaN(Date.parse(r.json.time))).toBe(false);
      }
      expect(new Set(got.map((r) => r.json.id)).size).toBe(got.length);
      expect(got.at(-1)!.json.job?.status).toBe('completed');
      const clipReady = got.find((r) => r.json.type === 'clip.ready')!;
      expect(clipReady.json.data).toMatchObject({ aspect: '9:16' });
      // A tampered body fails verification.
      expect(verifySignature(ep.secret, got[0].headers, got[0].body.replace('job', 'jab'))).toBe(
        false,
      );

      const log = await api.call('GET', `/v1/webhooks/${ep.id}/deliveries?limit=200`, { key });
      const items = (
        log.body as { items: Array<{ status: string; attempts: number; lastStatusCode: number }> }
      ).items;
      expect(items).toHaveLength(FULL_RUN.length);
      expect(
        items.every(
          (d) => d.status === 'delivered' && d.attempts === 1 && d.lastStatusCode === 200,
        ),
      ).toBe(true);
    } finally {
      await rx.close();
    }
  });

  it('sends only subscribed events, and only for the owner key', async () => {
    const [alice, bob] = [await api.createKey('creator'), await api.createKey('creator')];
    const rx = await startWebhookReceiver();
    try {
      await register(alice, rx.url, ['job.completed', 'clip.ready']);
      await register(bob, rx.url, ALL_EVENTS);
      const jobId = await runJob(alice);
      await eventually(
        () => ofJob(rx, jobId).length >= 2,
        () => `got ${ofJob(rx, jobId).length}`,
      );
      await new Promise((r) => setTimeout(r, 500));
      expect(ofJob(rx, jobId).map((r) => r.json.type)).toEqual(['clip.ready', 'job.completed']);
    } finally {
      await rx.close();
    }
  });

  it('retries a receiver answering 500 until it answers 200, accepting each event exactly once', async () => {
    const key = await api.createKey('creator');
    const rx = await startWebhookReceiver();
    try {
      const ep = await register(key, rx.url);
      let failures = 0;
      rx.answer = () =>
        failures++ < 5 ? { status: 500, body: 'down for maintenance' } : { status: 200 };
      const jobId = await runJob(key);
      await eventually(
        () => ofJob(rx, jobId).length >= FULL_RUN.length,
        () => `accepted ${ofJob(rx, jobId).length} of ${FULL_RUN.length}`,
        40_000,
      );
      await new Promise((r) => setTimeout(r, 500));
      const got = ofJob(rx, jobId);
      expect(got.map((r) => label(r.json))).toEqual(FULL_RUN);
      expect(new Set(got.map((r) => r.json.id)).size).toBe(FULL_RUN.length);
      expect(rx.received.filter((r) => r.status === 500).length).toBe(5);
      // Every try of the same event carried the same id and body.
      const first = rx.received[0];
      expect(
        rx.received.filter((r) => r.json.id === first.json.id).every((r) => r.body === first.body),
      ).toBe(true);
      const log = await api.call('GET', `/v1/webhooks/${ep.id}/deliveries?limit=200`, { key });
      const created = (
        log.body as { items: Array<{ type: string; attempts: number; lastStatusCode: number }> }
      ).items.find((d) => d.type === 'job.created')!;
      expect(created.attempts).toBe(6);
      expect(created.lastStatusCode).toBe(200);
    } finally {
      await rx.close();
    }
  });

  it('holds what a killed receiver missed and sends it, in order, once it is back', async () => {
    const key = await api.createKey('creator');
    const rx = await startWebhookReceiver();
    try {
      const ep = await register(key, rx.url);
      const jobId = await newJob(key);
      await runParallelStages(jobId);
      await eventually(
        () => ofJob(rx, jobId).length >= 10,
        () => `got ${ofJob(rx, jobId).length}`,
      );
      await rx.kill();
      await runRest(jobId);
      // The dispatcher keeps trying a dead port; the log says why.
      await eventually(
        async () => {
          const log = await api.call('GET', `/v1/webhooks/${ep.id}/deliveries?status=pending`, {
            key,
          });
          const items = (
            log.body as { items: Array<{ lastError: string | null; attempts: number }> }
          ).items;
          return items.some((d) => /ECONNREFUSED/.test(d.lastError ?? '') && d.attempts >= 2);
        },
        () => 'no failed attempt logged',
      );
      await rx.revive();
      await eventually(
        () => ofJob(rx, jobId).length >= FULL_RUN.length,
        () =>
          `got ${ofJob(rx, jobId)
            .map((r) => label(r.json))
            .join(', ')}`,
        40_000,
      );
      expect(ofJob(rx, jobId).map((r) => label(r.json))).toEqual(FULL_RUN);
    } finally {
      await rx.close();
    }
  });

  it('reports a retried attempt, then the stage and the job failing for good', async () => {
    const key = await api.createKey('creator');
    const rx = await startWebhookReceiver();
    try {
      await register(key, rx.url, ['stage.failed', 'job.failed', 'stage.completed']);
      const jobId = await newJob(key);
      const policy = { maxAttempts: 2, baseDelayMs: 10 };
      const first = (await h.stages.claim(jobId, 'layout', 'w', 30))!;
      await h.stages.fail(jobId, 'layout', first, 'decoder crashed at /tmp/x/source.mp4', {
        ...policy,
        permanent: false,
      });
      const second = (await h.stages.claim(jobId, 'layout', 'w', 30))!;
      await h.stages.fail(jobId, 'layout', second, 'not a video', {
        ...policy,
        permanent: true,
      });
      await eventually(
        () => ofJob(rx, jobId).length >= 3,
        () => `got ${ofJob(rx, jobId).length}`,
      );
      const got = ofJob(rx, jobId).map((r) => r.json);
      expect(got.map((j) => [j.type, j.data.willRetry ?? null])).toEqual([
        ['stage.failed', true],
        ['stage.failed', false],
        ['job.failed', null],
      ]);
      // Errors are redacted before they are stored, so before they are sent.
      expect(String(got[0].data.error)).not.toContain('/tmp/x');
      expect(got[2].job?.status).toBe('failed');
    } finally {
      await rx.close();
    }
  });

  it('writes the event in the transition transaction: a rolled-back completion leaves none', async () => {
    const key = await api.createKey('creator');
    const rx = await startWebhookReceiver();
    try {
      await register(key, rx.url);
      const jobId = await newJob(key);
      const attempt = (await h.stages.claim(jobId, 'silence', 'w', 30))!;
      await expect(
        h.stages.complete(
          jobId,
          'silence',
          attempt,
          async () => {
            throw new Error('output write failed');
          },
          {},
        ),
      ).rejects.toThrow('output write failed');
      const count = async (type: string) =>
        Number(
          (
            (await h.ds.query(
              `SELECT count(*) AS n FROM webhook_events WHERE job_id = $1 AND type = $2 AND stage = 'silence'`,
              [jobId, type],
            )) as Array<{ n: string }>
          )[0].n,
        );
      expect(await count('stage.completed')).toBe(0);
      expect(await count('stage.started')).toBe(1);
      await h.stages.complete(jobId, 'silence', attempt, async () => undefined, {});
      expect(await count('stage.completed')).toBe(1);
      // A job without listeners writes nothing at all.
      const other = await newJob(await api.createKey('creator'));
      const none = (await h.ds.query(`SELECT count(*) AS n FROM webhook_events WHERE job_id = $1`, [
        other,
      ])) as Array<{ n: string }>;
      expect(Number(none[0].n)).toBe(0);
    } finally {
      await rx.close();
    }
  });

  it('keeps a job in order when a transaction that began earlier commits later', async () => {
    const key = await api.createKey('creator');
    const rx = await startWebhookReceiver();
    const slow = h.ds.createQueryRunner();
    try {
      await register(key, rx.url);
      const jobId = await newJob(key);
      await eventually(
        () => ofJob(rx, jobId).length === 1,
        () => 'job.created not received',
      );
      // The slow transaction writes its event first (lower seq), the fast one commits first.
      await slow.connect();
      await slow.startTransaction();
      await recordWebhookEvent(slow.manager, {
        jobId,
        type: 'stage.started',
        stage: 'transcription',
      });
      await h.ds.transaction((m) =>
        recordWebhookEvent(m, { jobId, type: 'stage.started', stage: 'silence' }),
      );
      await new Promise((r) => setTimeout(r, 1000));
      // Sending silence's now would put it before transcription's for good.
      expect(ofJob(rx, jobId).map((r) => label(r.json))).toEqual(['job.created']);
      await slow.commitTransaction();
      await eventually(
        () => ofJob(rx, jobId).length === 3,
        () => `got ${ofJob(rx, jobId).length}`,
      );
      expect(ofJob(rx, jobId).map((r) => label(r.json))).toEqual([
        'job.created',
        'stage.started:transcription',
        'stage.started:silence',
      ]);
    } finally {
      if (slow.isTransactionActive) await slow.rollbackTransaction();
      await slow.release();
      await rx.close();
    }
  });

  it('throttles stage.progress to one per stage per 5 s', async () => {
    const key = await api.createKey('creator');
    const rx = await startWebhookReceiver();
    try {
      await register(key, rx.url, ['stage.progress']);
      const jobId = await newJob(key);
      const a = (await h.stages.claim(jobId, 'transcription', 'w', 30))!;
      const b = (await h.stages.claim(jobId, 'silence', 'w', 30))!;
      for (const p of [0.1, 0.2, 0.3]) {
        await h.stages.heartbeat(jobId, 'transcription', a, p, 10);
        await h.stages.heartbeat(jobId, 'silence', b, p, 10);
      }
      const rows = (await h.ds.query(
        `SELECT stage, data FROM webhook_events WHERE job_id = $1 AND type = 'stage.progress' ORDER BY seq`,
        [jobId],
      )) as Array<{ stage: string; data: { progress: number } }>;
      expect(rows.map((r) => [r.stage, r.data.progress])).toEqual([
        ['transcription', 0.1],
        ['silence', 0.1],
      ]);
    } finally {
      await rx.close();
    }
  });

  it('refuses at send time an endpoint that now points inside, and follows no redirect', async () => {
    const key = await api.createKey('creator');
    const rx = await startWebhookReceiver();
    const target = await startWebhookReceiver();
    try {
      const moved = await register(key, rx.url, ['job.created']);
      rx.answer = () => ({
        status: 302,
        headers: { location: target.url },
        body: '\u0000' + 'x'.repeat(5000),
      });
      const inside = await register(key, rx.url, ['job.created']);
      // As if its DNS now answered with a private address: the send-time check refuses it.
      await h.ds.query(
        `UPDATE webhook_endpoints SET url = 'http://10.0.0.1:9/hook' WHERE id = $1`,
        [inside.id],
      );
      await newJob(key);
      const lastOf = async (id: string) =>
        (
          (await api.call('GET', `/v1/webhooks/${id}/deliveries`, { key })).body as {
            items: Array<{
              lastStatusCode: number | null;
              lastError: string | null;
              lastResponse: string | null;
              status: string;
            }>;
          }
        ).items[0];
      await eventually(
        async () => !!(await lastOf(moved.id))?.lastError,
        () => 'redirect not tried',
      );
      await eventually(
        async () => !!(await lastOf(inside.id))?.lastError,
        () => 'inside not tried',
      );
      const redirected = await lastOf(moved.id);
      expect(redirected.lastStatusCode).toBe(302);
      expect(redirected.lastError).toMatch(/redirects are not followed/);
      expect(redirected.lastResponse!.length).toBeLessThanOrEqual(1024);
      // Retried later (it may be in flight again right now), never marked delivered.
      expect(redirected.status).toMatch(/^(pending|sending)$/);
      const refused = await lastOf(inside.id);
      expect(refused.lastStatusCode).toBeNull();
      expect(refused.lastError).toMatch(/private network address/);
      await new Promise((r) => setTimeout(r, 500));
      expect(target.received).toHaveLength(0);
    } finally {
      await rx.close();
      await target.close();
    }
  });

  it('times out a receiver that never answers, and redelivers on request', async () => {
    const key = await api.createKey('creator');
    const rx = await startWebhookReceiver();
    try {
      const ep = await register(key, rx.url, ['job.created']);
      rx.answer = () => 'hang';
      const jobId = await newJob(key);
      const first = async () =>
        (
          (await api.call('GET', `/v1/webhooks/${ep.id}/deliveries`, { key })).body as {
            items: Array<{
              id: string;
              lastError: string | null;
              status: string;
              nextAttemptAt: string | null;
            }>;
          }
        ).items[0];
      await eventually(
        async () => /no answer within 1500 ms/.test((await first())?.lastError ?? ''),
        () => 'no timeout',
      );
      rx.answer = () => ({ status: 204 });
      await eventually(
        async () => (await first()).status === 'delivered',
        () => 'not delivered',
        30_000,
      );
      const before = ofJob(rx, jobId).length;
      const d = await first();
      const again = await api.call('POST', `/v1/webhooks/${ep.id}/deliveries/${d.id}/redeliver`, {
        key,
      });
      expect(again.status).toBe(202);
      await eventually(
        () => ofJob(rx, jobId).length === before + 1,
        () => 'not redelivered',
      );
      const [a, b] = ofJob(rx, jobId).slice(-2);
      expect(b.json.id).toBe(a.json.id);
      expect(b.body).toBe(a.body);
      expect(
        (
          await api.call('POST', `/v1/webhooks/${ep.id}/deliveries/${randomUUID()}/redeliver`, {
            key,
          })
        ).status,
      ).toBe(404);
    } finally {
      await rx.close();
    }
  });
});
