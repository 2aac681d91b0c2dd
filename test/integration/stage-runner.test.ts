import type { AppConfig } from '@clipline/config';
import {
  BadInputError,
  ConfigurationError,
  InfrastructureError,
  type StageHooks,
  type StageJobPayload,
} from '@clipline/contracts';
import {
  JobEntity,
  JobStageEntity,
  ProcessingLogEntity,
  StagePartEntity,
} from '@clipline/database';
import {
  PartCoordinator,
  hostFor,
  stageFailures,
  type PartRange,
  type RunContext,
  type StageHandler,
  type StageSaved,
  type StageSplit,
  type WorkerHost,
} from '@clipline/pipeline';
import type { EntityManager } from 'typeorm';
import { createTestJob, wavMediaInfo } from '../support/factories';
import { startPipelineHarness, type PipelineHarness } from '../support/pipeline-harness';

jest.setTimeout(60_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const MEDIA = wavMediaInfo({ durationSec: 100 });

/**
 * A silence handler whose `run` each test scripts (n counts its runs); `save`
 * leaves its mark on the job's note and in the summary, so a save that should
 * have been refused is visible.
 */
class ScriptedHandler implements StageHandler<'silence', string> {
  readonly stage = 'silence' as const;
  runs = 0;
  saves = 0;

  constructor(private readonly script: (ctx: RunContext, n: number) => Promise<string>) {}

  run(ctx: RunContext): Promise<string> {
    this.runs += 1;
    return this.script(ctx, this.runs);
  }

  async save(m: EntityManager, ctx: RunContext, result: string): Promise<StageSaved> {
    this.saves += 1;
    await m.update(JobEntity, { id: ctx.job.id }, { note: result });
    return { summary: { by: result } };
  }
}

/** A layout handler cut into parts; each part's work is scripted per part index and call. */
class ScriptedSplitHandler implements StageHandler<'layout', string[]> {
  readonly stage = 'layout' as const;
  readonly split: StageSplit<string, string[]>;

  constructor(
    private readonly parts: PartCoordinator,
    part: (range: PartRange, hooks: StageHooks) => Promise<string>,
  ) {
    this.split = {
      ranges: (d) => this.parts.ranges(d),
      runPart: (_job, range, _url, hooks) => part(range, hooks),
      merge: (results) => results,
    };
  }

  run(ctx: RunContext, { sourceUrl }: { sourceUrl: string }): Promise<string[]> {
    return this.parts.run(ctx, this, sourceUrl, this.split.ranges(ctx.job.mediaInfo.durationSec)!);
  }

  async save(_m: EntityManager, _ctx: RunContext, parts: string[]): Promise<StageSaved> {
    return { summary: { parts } };
  }
}

/**
 * The runner layer on its own: a scripted handler driven through the real
 * WorkerHost, StageRunner, leases and PartCoordinator against Postgres and
 * Redis. Each case names what must hold; breaking the lease fencing or the
 * error classification makes one of them fail.
 */
describe('stage runner and part coordinator', () => {
  let h: PipelineHarness;
  let cfg: AppConfig;

  beforeAll(async () => {
    // Nobody consumes: messages stay in the (paused) queues for the test to read.
    h = await startPipelineHarness({ queuePrefix: `${process.env.QUEUE_PREFIX}-runner` });
    cfg = {
      ...h.cfg,
      HEARTBEAT_SECONDS: 1,
      STALL_SECONDS: 30,
      STAGE_MAX_ATTEMPTS: 2,
      RETRY_BASE_DELAY_MS: 4000,
      INFRA_RETRY_BUDGET_SECONDS: 30,
      STAGE_PART_SECONDS: 20,
    };
  });

  afterAll(() => h.close());

  const newJob = () => createTestJob(h.orchestrator, { filename: 'talk.wav', mediaInfo: MEDIA });
  const stageRow = (jobId: string, stage: 'silence' | 'layout' = 'silence') =>
    h.ds.getRepository(JobStageEntity).findOneByOrFail({ jobId, stage });
  const jobRow = (jobId: string) => h.ds.getRepository(JobEntity).findOneByOrFail({ id: jobId });
  const message = (jobId: string, stage: StageJobPayload['stage'] = 'silence') => ({
    data: { jobId, stage, attempt: 0 } satisfies StageJobPayload,
  });

  function coordinator(c: AppConfig): PartCoordinator {
    const { parts, scheduler, logger } = h.with({ cfg: c });
    return new PartCoordinator(parts, scheduler, logger, h.ds, h.storage, c);
  }

  function worker(
    handler: ScriptedHandler | ScriptedSplitHandler,
    overrides: Partial<AppConfig> = {},
    parts?: PartCoordinator,
  ): WorkerHost {
    const c = { ...cfg, ...overrides };
    const { runner, stages, clips } = h.with({ cfg: c });
    return hostFor(handler, { runner, stages, clips, storage: h.storage, cfg: c, parts });
  }

  it('saves a successful run in the completion, at the first attempt', async () => {
    const jobId = await newJob();
    const handler = new ScriptedHandler(async () => 'A');
    expect(await worker(handler).handle('silence', message(jobId))).toBe('completed');
    const row = await stageRow(jobId);
    expect([row.status, row.attempt, row.summary]).toEqual(['completed', 1, { by: 'A' }]);
    expect((await jobRow(jobId)).note).toBe('A');
    expect([handler.runs, handler.saves]).toEqual([1, 1]);
  });

  it('fails the stage and the job at once on bad input, without a retry', async () => {
    const jobId = await newJob();
    const handler = new ScriptedHandler(() => Promise.reject(new BadInputError('no audio frames')));
    expect(await worker(handler).handle('silence', message(jobId))).toBe('failed');
    const row = await stageRow(jobId);
    expect([row.status, row.attempt, row.error, row.retryAt]).toEqual([
      'failed',
      1,
      'no audio frames',
      null,
    ]);
    expect((await jobRow(jobId)).status).toBe('failed');
    expect(await h.queues.silence.getJob(`${jobId}.silence.1`)).toBeNull();
    expect([handler.runs, handler.saves]).toEqual([1, 0]);
  });

  it('retries a transient failure after a backoff, as a new attempt', async () => {
    const jobId = await newJob();
    const handler = new ScriptedHandler((_ctx, n) =>
      n === 1 ? Promise.reject(new Error('decoder hiccup')) : Promise.resolve('B'),
    );
    const host = worker(handler);
    const before = Date.now();
    expect(await host.handle('silence', message(jobId))).toBe('retrying');
    const queued = await stageRow(jobId);
    expect([queued.status, queued.attempt, queued.error]).toEqual([
      'queued',
      1,
      'decoder hiccup (retrying)',
    ]);
    // RETRY_BASE_DELAY_MS × 2^0 with ±10 % jitter.
    const waitMs = queued.retryAt!.getTime() - before;
    expect(waitMs).toBeGreaterThan(4000 * 0.9 - 500);
    expect(waitMs).toBeLessThan(4000 * 1.1 + 2000);
    const retry = await h.queues.silence.getJob(`${jobId}.silence.1`);
    expect(retry?.opts.delay).toBeGreaterThan(3000);

    expect(await host.handle('silence', message(jobId))).toBe('completed');
    const row = await stageRow(jobId);
    expect([row.status, row.attempt, row.summary]).toEqual(['completed', 2, { by: 'B' }]);
    expect(handler.runs).toBe(2);
  });

  it('waits out an infrastructure failure without using up an attempt', async () => {
    const jobId = await newJob();
    const handler = new ScriptedHandler((_ctx, n) =>
      n === 1 ? Promise.reject(new InfrastructureError('S3 is down')) : Promise.resolve('C'),
    );
    expect(await worker(handler).handle('silence', message(jobId))).toBe('completed');
    const row = await stageRow(jobId);
    expect([row.status, row.attempt]).toEqual(['completed', 1]);
    expect(handler.runs).toBe(2);
    const logs = await h.ds
      .getRepository(ProcessingLogEntity)
      .findBy({ jobId, stage: 'silence', event: 'retry' });
    expect(logs.map((l) => l.message).join('\n')).toMatch(/without using up an attempt/);
  });

  it('refuses the save of an attempt a newer one took over', async () => {
    const jobId = await newJob();
    let release = () => undefined as void;
    const gate = new Promise<void>((r) => (release = r));
    const newer = new ScriptedHandler(async () => {
      await gate;
      return 'newer';
    });
    // Heartbeats far apart, so the old attempt's lease stays stale until the newer one claims.
    const slow = { HEARTBEAT_SECONDS: 30, STALL_SECONDS: 5 };
    let newerDone: Promise<unknown> = Promise.resolve();
    const older = new ScriptedHandler(async () => {
      // The old worker stops heartbeating (a long GC pause); another worker takes the stage.
      await h.ds.query(
        `UPDATE job_stages SET heartbeat_at = now() - interval '1 hour' WHERE job_id = $1 AND stage = 'silence'`,
        [jobId],
      );
      newerDone = worker(newer, slow).handle('silence', message(jobId));
      while (newer.runs === 0) await sleep(20);
      // The newer attempt is running: only the attempt number tells the two apart.
      expect([(await stageRow(jobId)).status, (await stageRow(jobId)).attempt]).toEqual([
        'running',
        2,
      ]);
      return 'older';
    });
    expect(await worker(older, slow).handle('silence', message(jobId))).toBe('lost-lease');
    expect(older.saves).toBe(0);
    release();
    expect(await newerDone).toBe('completed');
    const row = await stageRow(jobId);
    expect([row.status, row.attempt, row.summary]).toEqual(['completed', 2, { by: 'newer' }]);
    expect((await jobRow(jobId)).note).toBe('newer');
  });

  it('aborts the handler when its lease is lost mid-run, and writes nothing', async () => {
    const jobId = await newJob();
    let heard = false;
    const handler = new ScriptedHandler(async (ctx) => {
      await h.orchestrator.cancelJob(jobId);
      // An engine stops on its signal; the next heartbeat (1 s) finds the stage cancelled.
      heard = await Promise.race([
        new Promise<boolean>((r) => ctx.hooks.signal.addEventListener('abort', () => r(true))),
        sleep(10_000).then(() => false),
      ]);
      if (heard) throw new Error('aborted');
      return 'too late';
    });
    expect(await worker(handler).handle('silence', message(jobId))).toBe('lost-lease');
    expect(heard).toBe(true);
    expect(handler.saves).toBe(0);
    const row = await stageRow(jobId);
    expect([row.status, row.summary]).toEqual(['cancelled', null]);
    expect((await jobRow(jobId)).note).toBeNull();
  });

  it('drops a malformed message without running anything or touching another job', async () => {
    const jobId = await newJob();
    const handler = new ScriptedHandler(async () => 'never');
    const host = worker(handler);
    const malformed: unknown[] = [
      null,
      'silence',
      [jobId],
      { stage: 'silence', attempt: 0 },
      { jobId: 'not-a-uuid', stage: 'silence', attempt: 0 },
      { jobId, stage: 'layout', attempt: 0 },
      { jobId, stage: 'silence', attempt: -1 },
      { jobId, stage: 'silence', attempt: '0' },
      { jobId, stage: 'silence', attempt: 0, partId: 'part-1' },
    ];
    for (const data of malformed)
      expect(await host.handle('silence', { id: 'bad', data })).toBe('rejected');
    // A part message for a stage that does not split is dropped too.
    const part = { jobId, stage: 'silence', attempt: 0, partId: jobId };
    expect(await host.handle('silence', { data: part })).toBe('rejected');
    expect(handler.runs).toBe(0);
    const row = await stageRow(jobId);
    expect([row.status, row.attempt]).toEqual(['queued', 0]);
    // The worker goes on with the next good message.
    expect(await host.handle('silence', message(jobId))).toBe('completed');
  });

  describe('parts', () => {
    const partsOf = (jobId: string) =>
      h.ds
        .getRepository(StagePartEntity)
        .find({ where: { jobId, stage: 'layout' }, order: { index: 'ASC' } });

    /** Part messages waiting in the layout queue (paused, so nobody else takes them). */
    async function partMessages(jobId: string) {
      const jobs = await h.queues.layout.getJobs(['waiting', 'paused']);
      return jobs.filter((j) => j.data.jobId === jobId && j.data.partId);
    }

    /** Final layout failures of `cls` this process counted (the runner labels each by its class). */
    async function failuresOfClass(cls: string): Promise<number> {
      const metric = await stageFailures.get();
      const v = metric.values.find(
        (x) => x.labels.stage === 'layout' && x.labels.class === cls && x.labels.final === 'true',
      );
      return v?.value ?? 0;
    }

    async function untilPlanned(jobId: string): Promise<StagePartEntity[]> {
      for (let i = 0; i < 200; i++) {
        const rows = await partsOf(jobId);
        if (rows.length && rows.some((p) => p.status === 'running')) return rows;
        await sleep(50);
      }
      throw new Error('the coordinator never planned its parts');
    }

    it('splits across two coordinators and merges the parts in order', async () => {
      const jobId = await newJob();
      const ran = { a: 0, b: 0 };
      const work = (who: 'a' | 'b', ms: number) => async (range: PartRange) => {
        ran[who] += 1;
        await sleep(ms);
        return `${range.start}`;
      };
      const aParts = coordinator(cfg);
      const a = worker(new ScriptedSplitHandler(aParts, work('a', 600)), {}, aParts);
      const bParts = coordinator(cfg);
      const b = worker(new ScriptedSplitHandler(bParts, work('b', 300)), {}, bParts);
      const aDone = a.handle('layout', message(jobId, 'layout'));
      await untilPlanned(jobId);
      // The second worker takes the part messages as Bull hands them out.
      for (const m of await partMessages(jobId)) expect(await b.handle('layout', m)).toBe('part');
      expect(await aDone).toBe('completed');

      const rows = await partsOf(jobId);
      expect(rows).toHaveLength(5);
      expect(rows.every((p) => p.status === 'completed')).toBe(true);
      expect(ran.a).toBeGreaterThan(0);
      expect(ran.b).toBeGreaterThan(0);
      expect(ran.a + ran.b).toBe(5);
      const row = await stageRow(jobId, 'layout');
      expect(row.summary).toEqual({ parts: rows.map((p) => `${p.start}`) });
    });

    /**
     * Part 1 fails on the second worker: first transiently (it goes back to
     * queued), then at its last attempt with `last`. The coordinator, busy
     * with its own part meanwhile, sees only the stored failure.
     */
    async function failingPartOnOtherWorker(last: Error): Promise<string> {
      const jobId = await newJob();
      const aParts = coordinator(cfg);
      const a = worker(
        new ScriptedSplitHandler(aParts, async () => {
          await sleep(3000);
          return 'a';
        }),
        {},
        aParts,
      );
      let calls = 0;
      const bParts = coordinator(cfg);
      const b = worker(
        new ScriptedSplitHandler(bParts, async () => {
          calls += 1;
          throw calls === 1 ? new Error('out of memory') : last;
        }),
        {},
        bParts,
      );
      const aDone = a.handle('layout', message(jobId, 'layout'));
      const planned = await untilPlanned(jobId);
      const part1 = planned.find((p) => p.index === 1)!;
      const partMessage = (attempt: number) => ({
        data: { jobId, stage: 'layout' as const, attempt, partId: part1.id },
      });
      // Its first try fails transiently and re-queues it; the reconciler would send it again.
      expect(await b.handle('layout', partMessage(1))).toBe('part');
      expect((await partsOf(jobId))[1].status).toBe('queued');
      expect(await b.handle('layout', partMessage(1))).toBe('part');
      const failed = (await partsOf(jobId))[1];
      expect([failed.status, failed.attempt]).toEqual(['failed', 2]);
      expect(calls).toBe(2);
      return aDone;
    }

    it('fails the stage at once when another worker’s part had bad input', async () => {
      const before = await failuresOfClass('bad_input');
      // At the part's last attempt: counting attempts would have called it transient.
      const outcome = await failingPartOnOtherWorker(new BadInputError('corrupt frame'));
      expect(outcome).toBe('failed');
      expect(await failuresOfClass('bad_input')).toBe(before + 1);
    });

    it('keeps a configuration error of another worker’s part a configuration error', async () => {
      const before = await failuresOfClass('configuration');
      const outcome = await failingPartOnOtherWorker(
        new ConfigurationError('API key refused (401)'),
      );
      expect(outcome).toBe('failed');
      expect(await failuresOfClass('configuration')).toBe(before + 1);
    });

    it('retries the stage when another worker’s part failed transiently at its last attempt', async () => {
      const outcome = await failingPartOnOtherWorker(new Error('out of memory again'));
      expect(outcome).toBe('retrying');
    });
  });
});
