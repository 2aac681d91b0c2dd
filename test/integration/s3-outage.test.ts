import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { WORKER_STAGES } from '@clipline/contracts';
import { ProcessingLogEntity, JobStageEntity } from '@clipline/database';
import { probeMedia } from '@clipline/media';
import { InfraBreaker, JobOrchestrator, StageScheduler } from '@clipline/pipeline';
import { StorageService } from '@clipline/storage';
import { getDataSourceToken } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { SilenceWorkerModule } from '../../apps/silence-worker/src/silence-worker.module';
import { createTestJob } from '../support/factories';
import { waitForStage } from '../support/pipeline-harness';
import { startS3 } from '../support/s3-server';
import { freePort } from '../support/stack';

const FIXTURE = join(__dirname, '..', '..', '..', 'shared', 'fixtures', 'jfk.wav');

// Set-up starts real services and a worker module; on a loaded machine that outlasts jest's 5 s hook default.
jest.setTimeout(120_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * S3 goes away while a silence worker (the real app module, in process) runs
 * a stage: the worker retries on its time budget without using up an attempt,
 * opens its breaker (pausing its queue and probing), closes it when S3 is
 * back, and completes the stage. Bad input still fails at once.
 */
describe('a worker through an S3 outage', () => {
  const saved = { ...process.env };
  const s3Dir = mkdtempSync(join(tmpdir(), 'clipline-s3-outage-'));
  let s3: { endpoint: string; close(): Promise<void> };
  let s3Port: number;
  let app: INestApplicationContext;
  let ds: DataSource;
  let storage: StorageService;
  let breaker: InfraBreaker;

  beforeAll(async () => {
    s3Port = await freePort();
    s3 = await startS3(s3Dir, s3Port);
    Object.assign(process.env, {
      S3_ENDPOINT: s3.endpoint,
      QUEUE_PREFIX: `${process.env.QUEUE_PREFIX}-s3out`,
      STAGE_MAX_ATTEMPTS: '2',
      RETRY_BASE_DELAY_MS: '100',
      HEARTBEAT_SECONDS: '1',
      INFRA_RETRY_BUDGET_SECONDS: '120',
      INFRA_BREAKER_THRESHOLD: '2',
      INFRA_PROBE_MAX_SECONDS: '1',
      S3_MAX_ATTEMPTS: '1',
    });
    app = await NestFactory.createApplicationContext(SilenceWorkerModule, { logger: false });
    await app.init();
    ds = app.get<DataSource>(getDataSourceToken());
    storage = app.get(StorageService);
    breaker = app.get(InfraBreaker);
    await storage.ensureBucket();
  });

  afterAll(async () => {
    const scheduler = app.get(StageScheduler);
    for (const s of WORKER_STAGES)
      await scheduler
        .queue(s)
        .obliterate({ force: true })
        .catch(() => undefined);
    await app.close();
    await s3.close().catch(() => undefined);
    rmSync(s3Dir, { recursive: true, force: true });
    process.env = saved;
  });

  const newJob = async (sourceKey: string) =>
    createTestJob(app.get(JobOrchestrator), {
      sourceKey,
      filename: 'talk.wav',
      mediaInfo: await probeMedia(FIXTURE),
    });

  const settled = (jobId: string) =>
    waitForStage(ds, jobId, 'silence', (row) => ['completed', 'failed'].includes(row.status), {
      timeoutMs: 60_000,
    });

  it('completes a stage started while S3 is down, without using up an attempt', async () => {
    const key = `jobs/${randomUUID()}/source.wav`;
    await storage.putFile(key, FIXTURE, 'audio/wav');
    await s3.close();
    const jobId = await newJob(key);

    // The worker retries against the dead endpoint until the breaker opens.
    const t0 = Date.now();
    while (!breaker.isOpen && Date.now() - t0 < 30_000) await sleep(100);
    expect(breaker.isOpen).toBe(true);
    const queue = app.get(StageScheduler).queue('silence');
    expect(await queue.isPaused(true)).toBe(true);
    await sleep(3000);
    const during = await ds
      .getRepository(JobStageEntity)
      .findOneByOrFail({ jobId, stage: 'silence' });
    expect(during.status).toBe('running');
    expect(during.attempt).toBe(1);

    s3 = await startS3(s3Dir, s3Port);
    const row = await settled(jobId);
    expect(row.error).toBeNull();
    expect(row.status).toBe('completed');
    expect(row.attempt).toBe(1);
    expect(breaker.transitions.map((t) => t.state)).toEqual(['open', 'closed']);
    expect(breaker.isOpen).toBe(false);
    expect(await queue.isPaused(true)).toBe(false);

    const logs = await ds.getRepository(ProcessingLogEntity).find({ where: { jobId } });
    const retries = logs.filter((l) => l.event === 'retry');
    expect(retries).toHaveLength(1);
    expect(retries[0].message).toMatch(/infrastructure unavailable.*without using up an attempt/);
    expect(logs.some((l) => l.event === 'fail')).toBe(false);
  }, 90_000);

  it('still fails bad input at once, with the reason', async () => {
    const key = `jobs/${randomUUID()}/source.wav`;
    await storage.putBuffer(key, Buffer.alloc(64 * 1024, 7), 'audio/wav');
    const row = await settled(await newJob(key));
    expect(row.status).toBe('failed');
    expect(row.attempt).toBe(1);
    expect(row.error).toMatch(/corrupt or unsupported/);
  }, 60_000);
});
