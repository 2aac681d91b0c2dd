import { QUEUE_NAMES, WORKER_STAGES } from '@clipline/contracts';
import { loadConfig } from '@clipline/config';
import { probeMedia } from '@clipline/media';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createTestJob } from '../support/factories';
import {
  startPipelineHarness,
  waitForStage,
  type PipelineHarness,
} from '../support/pipeline-harness';
import { Stack } from '../support/stack';
import { TcpProxy } from '../support/tcp-proxy';

const FIXTURE = join(__dirname, '..', '..', '..', 'shared', 'fixtures', 'jfk.wav');

// Set-up starts real services and a worker module; on a loaded machine that outlasts jest's 5 s hook default.
jest.setTimeout(120_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A Redis restart under a running worker process (the built silence worker:
 * five Bull queues and the progress emitter): it reconnects quietly, with a
 * line per client when Redis goes away and one when it is back instead of one
 * per retry, stays alive, and takes work again. Redis is real; the worker
 * reaches it through a proxy the test cuts.
 */
describe('a worker process through a Redis outage', () => {
  const cfg = loadConfig();
  const prefix = `${cfg.QUEUE_PREFIX}-redisout`;
  let proxy: TcpProxy;
  let stack: Stack;
  let h: PipelineHarness;

  beforeAll(async () => {
    Stack.assertBuilt();
    const r = new URL(cfg.REDIS_URL);
    proxy = await TcpProxy.start(r.hostname, Number(r.port || 6379));
    // The built worker consumes these queues; progress goes out on the same prefix.
    h = await startPipelineHarness({
      queuePrefix: prefix,
      paused: false,
      cfg: { ...cfg, QUEUE_PREFIX: prefix },
    });
    stack = new Stack({
      ...process.env,
      LOG_LEVEL: 'log',
      REDIS_URL: proxy.rewrite(cfg.REDIS_URL),
      QUEUE_PREFIX: prefix,
    });
    stack.start('silence-worker');
    await stack.waitForLine('silence-worker', /ready/);
  });

  afterAll(async () => {
    if (proxy.isCut) await proxy.restore();
    await stack?.stopAll();
    await h.close();
    await proxy.close();
  });

  async function silenceJob(): Promise<string> {
    const jobId = randomUUID();
    await h.storage.putFile(`jobs/${jobId}/source.wav`, FIXTURE, 'audio/wav');
    return createTestJob(h.orchestrator, {
      jobId,
      filename: 'talk.wav',
      mediaInfo: await probeMedia(FIXTURE),
    });
  }

  const silenceDone = (jobId: string) =>
    waitForStage(h.ds, jobId, 'silence', (row) => row.status === 'completed', {
      timeoutMs: 30_000,
      describe: (row) => `silence ${row.status}:\n${stack.tail('silence-worker')}`,
    });

  it('logs the outage once per client, stays alive, and takes work again', async () => {
    await silenceDone(await silenceJob());
    const out = () => stack.output.get('silence-worker') ?? [];
    const before = out().length;

    await proxy.cut();
    await sleep(4000);
    await proxy.restore();
    const t0 = Date.now();
    while (
      !out()
        .slice(before)
        .some((l) => /Redis reconnected/.test(l))
    ) {
      if (Date.now() - t0 > 20_000)
        throw new Error(`no reconnect:\n${stack.tail('silence-worker')}`);
      await sleep(200);
    }
    await silenceDone(await silenceJob());

    const worker = stack.procs.get('silence-worker')!;
    expect(worker.exitCode).toBeNull();
    const lines = out().slice(before);
    expect(lines.filter((l) => /\[ioredis\] Unhandled error/.test(l))).toEqual([]);
    expect(lines.some((l) => /progress emitter: Redis unreachable/.test(l))).toBe(true);
    expect(lines.some((l) => /queue clipline-silence: Redis reconnected/.test(l))).toBe(true);
    // Six clients (five queues and the emitter): a line or two each way, not one per retry.
    const clients = [...WORKER_STAGES.map((st) => `queue ${QUEUE_NAMES[st]}`), 'progress emitter'];
    for (const c of clients) {
      const down = lines.filter((l) => l.includes(`${c}: Redis unreachable`)).length;
      expect(down).toBeGreaterThanOrEqual(1);
      expect(down).toBeLessThanOrEqual(2);
    }
    expect(lines.filter((l) => /Redis|ECONNREFUSED|ECONNRESET/.test(l)).length).toBeLessThanOrEqual(
      24,
    );
  }, 90_000);
});
