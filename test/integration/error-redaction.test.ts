import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { SilenceWorkerModule } from '../../apps/silence-worker/src/silence-worker.module';
import { smallMp4 } from '../fixtures/small-media.fixture';
import { startApi, type ApiHarness, type TestKey } from '../support/api-app';

jest.setTimeout(120_000);

const SECRETS = [/X-Amz-Signature/i, /X-Amz-Credential/i, /https?:\/\//i, /\/tmp\//, /\/work\//];

/**
 * A real stage fails on a real presigned URL (the source was deleted from the
 * S3 server after the job was created): what the API shows creators and ops
 * must not carry the signature, the server's address or its paths.
 */
describe('errors shown by the API carry no secrets', () => {
  const saved = { ...process.env };
  let api: ApiHarness;
  let worker: INestApplicationContext | undefined;
  let creator: TestKey;
  let ops: TestKey;

  beforeAll(async () => {
    // Own queues, so this worker takes only this file's job; one attempt, so it fails at once.
    process.env.QUEUE_PREFIX = `${process.env.QUEUE_PREFIX}-redact`;
    process.env.STAGE_MAX_ATTEMPTS = '1';
    api = await startApi();
    [creator, ops] = await Promise.all([api.createKey('creator'), api.createKey('ops')]);
  });

  afterAll(async () => {
    await worker?.close();
    await api?.close();
    process.env = saved;
  });

  it('redacts the presigned URL and server paths in the job view, the logs and the ops page', async () => {
    const form = new FormData();
    form.append('options', JSON.stringify({ aspects: ['9:16'] }));
    const media = readFileSync(await smallMp4());
    form.append('file', new Blob([media], { type: 'video/mp4' }), 'talk.mp4');
    const res = await fetch(`${api.url}/v1/jobs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${creator.key}` },
      body: form,
    });
    expect(res.status).toBe(201);
    const job = (await res.json()) as { id: string; sourceKey: string };
    await api.storage.deleteKeys([job.sourceKey]);

    worker = await NestFactory.createApplicationContext(SilenceWorkerModule, { logger: false });
    let view: { status: string; error: string | null; stages: Array<Record<string, unknown>> };
    const t0 = Date.now();
    for (;;) {
      view = (await api.call('GET', `/v1/jobs/${job.id}`, { key: creator })).body as typeof view;
      if (view.status === 'failed' || Date.now() - t0 > 90_000) break;
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(view.status).toBe('failed');
    const silence = view.stages.find((s) => s.stage === 'silence')!;
    expect(silence.status).toBe('failed');
    // The useful part stays: what the server answered.
    expect(String(silence.error)).toMatch(/<url>.*(404|Not Found)/i);

    const shown = {
      jobView: JSON.stringify(view),
      logs: (await api.call('GET', `/v1/jobs/${job.id}/logs`, { key: creator })).text,
      opsLogs: (await api.call('GET', `/v1/jobs/${job.id}/logs`, { key: ops })).text,
      opsFailed: (await api.call('GET', '/v1/ops/stages/failed', { key: ops })).text,
    };
    expect(shown.logs).toMatch(/silence failed/);
    expect(shown.opsFailed).toContain(job.id);
    for (const [where, text] of Object.entries(shown))
      for (const re of SECRETS) expect([where, re.exec(text)?.[0] ?? null]).toEqual([where, null]);

    // What is stored is redacted too, not only what is shown.
    const stored = await api.db.query(
      `SELECT s.error AS stage_error, j.error AS job_error,
              (SELECT string_agg(coalesce(message, '') || ' ' || coalesce(command, ''), ' ')
                 FROM processing_logs WHERE job_id = $1) AS logs
         FROM job_stages s JOIN jobs j ON j.id = s.job_id
        WHERE s.job_id = $1 AND s.stage = 'silence'`,
      [job.id],
    );
    const row = JSON.stringify(stored);
    expect(row).toMatch(/silence/);
    for (const re of SECRETS) expect(re.exec(row)?.[0] ?? null).toBeNull();
  });

  it('redacts again on the way out, for rows stored before errors were redacted', async () => {
    const form = new FormData();
    form.append('file', new Blob([readFileSync(await smallMp4())], { type: 'video/mp4' }), 'a.mp4');
    const res = await fetch(`${api.url}/v1/jobs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${creator.key}` },
      body: form,
    });
    const { id } = (await res.json()) as { id: string };
    const old =
      'http://10.0.0.5:9000/b/jobs/x/source.mp4?X-Amz-Credential=AKIA&X-Amz-Signature=abc: Server returned 403 Forbidden';
    await api.db.query(`UPDATE job_stages SET error = $2 WHERE job_id = $1`, [id, old]);
    await api.db.query(`UPDATE jobs SET error = $2 WHERE id = $1`, [id, `layout: ${old}`]);
    await api.db.query(
      `INSERT INTO processing_logs (job_id, stage, attempt, event, message, command, worker_host)
       VALUES ($1, 'layout', 1, 'fail', $2, $3, 'h:1')`,
      [
        id,
        `layout failed: ${old}`,
        `/work/main/node_modules/ffmpeg -i '${old}' /tmp/clipline-1/x.mp4`,
      ],
    );
    const view = (await api.call('GET', `/v1/jobs/${id}`, { key: creator })).text;
    const logs = (await api.call('GET', `/v1/jobs/${id}/logs`, { key: ops })).text;
    expect(view).toContain('<url>: Server returned 403 Forbidden');
    expect(logs).toContain('<path>/x.mp4');
    for (const text of [view, logs])
      for (const re of SECRETS) expect(re.exec(text)?.[0] ?? null).toBeNull();
  });
});
