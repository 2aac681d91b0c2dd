import { loadConfig, type AppConfig } from '@clipline/config';
import { JobStageEntity, createDataSource } from '@clipline/database';
import {
  ProcessingLogger,
  StageRunner,
  StageScheduler,
  StageRows,
  stageLease,
  type StageResult,
} from '@clipline/pipeline';
import type { DataSource } from 'typeorm';
import {
  createTestJob,
  startPipelineHarness,
  type PipelineHarness,
} from '../support/pipeline-harness';
import { TcpProxy } from '../support/tcp-proxy';

// Set-up starts real services and a worker module; on a loaded machine that outlasts jest's 5 s hook default.
jest.setTimeout(120_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A worker whose Postgres connection drops mid-stage (a restart, a failover)
 * keeps its stage: heartbeats and the completion write retry through the gap
 * instead of leaving the stage `running` until the stall take-back. The
 * worker talks to the real Postgres through a proxy the test cuts.
 */
describe('a worker losing its Postgres connection mid-stage', () => {
  const base = loadConfig();
  let proxy: TcpProxy;
  let h: PipelineHarness;
  let direct: DataSource;
  let viaProxy: DataSource;

  beforeAll(async () => {
    const pg = new URL(base.DATABASE_URL);
    proxy = await TcpProxy.start(pg.hostname, Number(pg.port || 5432));
    h = await startPipelineHarness({ queuePrefix: `${base.QUEUE_PREFIX}-dbloss`, cfg: base });
    direct = h.ds;
    viaProxy = createDataSource(proxy.rewrite(base.DATABASE_URL));
    await viaProxy.initialize();
  });

  afterAll(async () => {
    if (proxy.isCut) await proxy.restore();
    await viaProxy.destroy();
    await h.close();
    await proxy.close();
  });

  const newJob = () =>
    createTestJob(h.orchestrator, {
      filename: 'talk.wav',
      mediaInfo: {
        durationSec: 11,
        sizeBytes: 1000,
        formatName: 'wav',
        hasVideo: false,
        hasAudio: true,
        video: null,
        audio: { codec: 'pcm_s16le', sampleRate: 16000, channels: 1 },
      },
    });

  function runnerWith(cfg: AppConfig): StageRunner {
    return new StageRunner(
      viaProxy,
      new StageScheduler(h.queues),
      new ProcessingLogger(viaProxy),
      h.emitter,
      cfg,
    );
  }

  const stageRow = (jobId: string) =>
    direct.getRepository(JobStageEntity).findOneByOrFail({ jobId, stage: 'silence' });

  it('retries the completion write until Postgres is back, then completes the stage', async () => {
    const cfg = { ...base, HEARTBEAT_SECONDS: 30, INFRA_RETRY_BUDGET_SECONDS: 60 };
    const jobId = await newJob();
    let restoredAt = 0;
    let restored: Promise<void> = Promise.resolve();
    const outcome = await runnerWith(cfg)
      .run(stageLease(new StageRows(viaProxy), cfg, jobId, 'silence'), async () => {
        // The work is done when the database goes away for a second.
        await proxy.cut();
        restored = sleep(1000).then(async () => {
          await proxy.restore();
          restoredAt = Date.now();
        });
        return { summary: { regions: 0 }, write: async () => undefined } as StageResult;
      })
      .finally(() => restored);
    expect(outcome).toBe('completed');
    expect(restoredAt).toBeGreaterThan(0);
    expect(Date.now() - restoredAt).toBeLessThan(10_000);
    const row = await stageRow(jobId);
    expect(row.status).toBe('completed');
    expect(row.attempt).toBe(1);
  });

  it('heartbeats again within seconds of Postgres returning, not at the next interval', async () => {
    const cfg = { ...base, HEARTBEAT_SECONDS: 4, INFRA_RETRY_BUDGET_SECONDS: 60 };
    const jobId = await newJob();
    let beatAfterRestore: Date | null = null;
    let restoredAt = new Date(0);
    const outcome = await runnerWith(cfg).run(
      stageLease(new StageRows(viaProxy), cfg, jobId, 'silence'),
      async (): Promise<StageResult> => {
        await proxy.cut();
        // The heartbeat due at 4 s finds no database; it comes back at 4.5 s.
        await sleep(4500).finally(() => proxy.restore());
        restoredAt = new Date();
        await sleep(2000);
        beatAfterRestore = (await stageRow(jobId)).heartbeatAt;
        return { summary: null, write: async () => undefined };
      },
    );
    expect(outcome).toBe('completed');
    expect(beatAfterRestore).not.toBeNull();
    expect(beatAfterRestore!.getTime()).toBeGreaterThanOrEqual(restoredAt.getTime() - 50);
  }, 30_000);
});
