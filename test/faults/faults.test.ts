import { heldBy, recoveryOf, resumeOf, seededRandom, type Held } from './injector';
import { checkInvariants, countFindings, noFindings } from './invariants';
import { writeReport, type PhaseResult } from './report';
import { FAULT_ENV, PROCESSES, Rig, kindOf, sleep } from './rig';

jest.setTimeout(30 * 60_000);

/**
 * The standing fault suite: the built apps as processes on their own
 * Postgres, Redis and s3rver, with real faults injected (kill -9, SIGSTOP,
 * service restarts and outages, a full scratch disk). After each phase the
 * invariants are read from Postgres and S3. Reproduce a run with FAULTS_SEED.
 */
const SEED = Number(process.env.FAULTS_SEED ?? Date.now() % 1_000_000_000);
const random = seededRandom(SEED);
const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)];
/** Highest attempt any stage, part or clip may reach: the retry budget. */
const MAX_ATTEMPT = Number(FAULT_ENV.STAGE_MAX_ATTEMPTS);
const KILLS = Number(process.env.FAULTS_KILLS ?? 30);

describe('faults', () => {
  let rig: Rig;
  const results: PhaseResult[] = [];

  beforeAll(async () => {
    console.log(`FAULTS_SEED=${SEED}`);
    rig = await Rig.start();
  });

  afterAll(async () => {
    if (results.length) writeReport(SEED, results);
    await rig?.stop();
  });

  /** Runs `inject`, waits for its jobs to end, then checks every invariant on them. */
  async function phase(
    name: string,
    inject: (r: PhaseResult, jobs: string[]) => Promise<void>,
    opts: { drainMs?: number; expectFailed?: string[] } = {},
  ): Promise<PhaseResult> {
    const t0 = Date.now();
    const crashes = rig.crashes.length;
    const r: PhaseResult = {
      phase: name,
      injections: 0,
      findings: noFindings(),
      recoveries: [],
      seconds: 0,
      notes: [],
    };
    results.push(r);
    const jobs: string[] = [];
    await inject(r, jobs);
    if (!(await rig.waitTerminal(jobs, opts.drainMs ?? 5 * 60_000)))
      r.notes.push('jobs still active at the drain timeout');
    r.findings = await checkInvariants(rig.db, rig.storage, jobs, {
      maxAttempt: MAX_ATTEMPT,
      expectFailed: opts.expectFailed,
    });
    r.findings.crashed = rig.crashes.slice(crashes);
    r.findings.leftovers = scratchLeftovers();
    r.seconds = (Date.now() - t0) / 1000;
    return r;
  }

  /** Render scratch folders on the capped disk that no running render owns. */
  const reported = new Set<string>();
  function scratchLeftovers(): string[] {
    const fresh = rig.svc.scratch.leftovers().filter((d) => !reported.has(d));
    fresh.forEach((d) => reported.add(d));
    return fresh.map((d) => `render-worker#2 left ${d}`);
  }

  async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 240_000) {
    const t0 = Date.now();
    while (Date.now() - t0 < timeoutMs) {
      try {
        const v = await fn();
        if (v !== undefined) return v;
      } catch {
        // Postgres restarting; the pool reconnects on the next try.
      }
      await sleep(250);
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  /** Resolves once a stage of the job is in `status` (or the job ended). */
  const whenStage = (jobId: string, stage: string, status = 'running') =>
    waitFor(`${stage} ${status}`, async () => {
      const r = await rig.db.query(
        `SELECT s.status, j.status AS job FROM job_stages s JOIN jobs j ON j.id = s.job_id
          WHERE s.job_id = $1 AND s.stage = $2`,
        [jobId, stage],
      );
      const row = r.rows[0];
      return row && (row.status === status || !['queued', 'running'].includes(row.job))
        ? true
        : undefined;
    });

  /** The database's clock; retried, since a phase may just have restarted Postgres. */
  const dbNow = async (): Promise<Date> => {
    for (let i = 0; ; i++) {
      try {
        return (await rig.db.query(`SELECT now() AS t`)).rows[0].t as Date;
      } catch (err) {
        if (i >= 120) throw err;
        await sleep(250);
      }
    }
  };

  const expectClean = (r: PhaseResult) =>
    expect({ phase: r.phase, findings: countFindings(r.findings) ? r.findings : 'none' }).toEqual({
      phase: r.phase,
      findings: 'none',
    });

  it('(a) kill -9 storm across every worker kind and the API, during parts and renders', async () => {
    const kinds = [...new Set(PROCESSES.map(([app]) => app as string))];
    const covered = new Set<string>();
    const trackers: Array<Promise<number | null>> = [];
    const r = await phase(
      'kill storm',
      async (r, jobs) => {
        for (let i = 0; i < 3; i++) jobs.push(await rig.createJob());
        const t0 = Date.now();
        const missing = () => [...kinds, 'part', 'clip'].filter((k) => !covered.has(k));
        while (
          (r.injections < KILLS || (missing().length && r.injections < 2 * KILLS)) &&
          Date.now() - t0 < 6 * 60_000
        ) {
          await sleep(1000 + random() * 2000);
          if ((await rig.activeJobs(jobs)).length < 2 && jobs.length < 10)
            jobs.push(await rig.createJob());
          const candidates: Array<{ name: string; held: Held[] }> = [];
          for (const [, name] of PROCESSES) {
            if (!rig.stack.alive(name) || Date.now() - rig.startedAt.get(name)! < 3000) continue;
            const held = await heldBy(rig.db, rig.host(name));
            // A kill may count toward the retry budget: never spend the last tries on purpose.
            if (held.every((h) => h.attempt < MAX_ATTEMPT - 1)) candidates.push({ name, held });
          }
          if (!candidates.length) continue;
          const wanted = candidates.filter((c) =>
            missing().some((k) => kindOf(c.name) === k || c.held.some((h) => h.kind === k)),
          );
          // Past the quota, only what is still uncovered is killed: random kills
          // would keep the jobs from ever reaching the renders still missing.
          if (r.injections >= KILLS && !wanted.length) continue;
          const busy = candidates.filter((c) => c.held.length);
          const victim =
            wanted.length && (r.injections >= KILLS / 2 || random() < 0.6)
              ? pick(wanted)
              : busy.length && random() < 0.7
                ? pick(busy)
                : pick(candidates);
          const at = Date.now();
          await rig.killAndRestart(victim.name);
          r.injections++;
          covered.add(kindOf(victim.name));
          for (const h of victim.held) covered.add(h.kind);
          r.notes.push(
            `kill -9 ${victim.name} holding ${victim.held.map((h) => `${h.kind} ${h.key}@${h.attempt}`).join(', ') || 'nothing'}`,
          );
          if (victim.held.length) trackers.push(recoveryOf(rig.db, victim.held, at));
        }
        r.notes.push(
          `covered: ${[...covered].sort().join(', ')}; missing: ${missing().join(', ')}`,
        );
      },
      { drainMs: 8 * 60_000 },
    );
    const recovered = await Promise.all(trackers);
    r.recoveries = recovered.filter((x): x is number => x !== null);
    if (recovered.includes(null)) r.findings.stuck.push('held work never released after a kill');
    expect(r.injections).toBeGreaterThanOrEqual(KILLS);
    expect([...covered]).toEqual(expect.arrayContaining([...kinds, 'clip', 'part']));
    expectClean(r);
  });

  it('(b) a render worker stopped past the stall time does not overwrite the newer attempt', async () => {
    const r = await phase('SIGSTOP zombie', async (r, jobs) => {
      const jobId = await rig.createJob();
      jobs.push(jobId);
      const [victim, held] = await waitFor('a clip rendering', async () => {
        for (const name of ['render-worker', 'render-worker#2']) {
          const held = (await heldBy(rig.db, rig.host(name))).filter((h) => h.jobId === jobId);
          if (held.length) return [name, held] as const;
        }
        return undefined;
      });
      const host = rig.host(victim);
      const at = Date.now();
      rig.signal(victim, 'SIGSTOP');
      r.injections++;
      try {
        const t = await recoveryOf(rig.db, held, at);
        if (t !== null) r.recoveries.push(t);
        await rig.waitTerminal(jobs, 4 * 60_000);
      } finally {
        rig.signal(victim, 'SIGCONT');
      }
      // The zombie wakes up to a lost lease; give it time to do whatever it would do.
      const discarded = await waitFor(
        'the zombie to give up',
        async () => {
          const n = await rig.db.query(
            `SELECT event, message FROM processing_logs
              WHERE job_id = $1 AND stage = 'rendering' AND worker_host = $2 AND attempt = $3
                AND event IN ('note','finish','fail','retry') AND message LIKE $4`,
            [jobId, host, held[0].attempt, `clip ${held[0].key}%`],
          );
          return n.rows.length ? n.rows : undefined;
        },
        60_000,
      ).catch(() => []);
      r.notes.push(
        `zombie ${victim} (attempt ${held[0].attempt}) after SIGCONT: ${discarded.map((x) => `${x.event}: ${x.message}`).join(' | ') || 'wrote nothing within 60 s'}`,
      );
      await sleep(2000);
    });
    expectClean(r);
  });

  it('(c) Redis restart and FLUSHALL', async () => {
    const r = await phase('redis restart + flushall', async (r, jobs) => {
      const jobId = await rig.createJob();
      jobs.push(jobId);
      await whenStage(jobId, 'transcription');
      await sleep(1000 + random() * 2000);
      await rig.svc.redis.stop();
      await sleep(3000);
      await rig.svc.redis.start();
      r.injections++;
      const t = await resumeOf(rig.db, jobs, await dbNow());
      if (t !== null) r.recoveries.push(t);
      await whenStage(jobId, 'rendering');
      await rig.svc.redis.flushAll();
      r.injections++;
      const t2 = await resumeOf(rig.db, jobs, await dbNow());
      if (t2 !== null) r.recoveries.push(t2);
    });
    expectClean(r);
  });

  it('(d) Postgres restart', async () => {
    const r = await phase('postgres restart', async (r, jobs) => {
      const jobId = await rig.createJob();
      jobs.push(jobId);
      await whenStage(jobId, 'transcription');
      await sleep(1000 + random() * 2000);
      rig.svc.pg.restart();
      r.injections++;
      const t = await resumeOf(rig.db, jobs, await dbNow());
      if (t !== null) r.recoveries.push(t);
    });
    expectClean(r);
  });

  /** S3 unreachable for `seconds` once the job's `stage` is running. */
  async function s3Outage(r: PhaseResult, jobs: string[], stage: string, seconds: number) {
    const jobId = await rig.createJob();
    jobs.push(jobId);
    await whenStage(jobId, stage);
    await sleep(500 + random() * 1500);
    await rig.svc.s3.stop();
    r.injections++;
    await sleep(seconds * 1000);
    await rig.svc.s3.start();
    const t = await resumeOf(rig.db, jobs, await dbNow());
    if (t !== null) r.recoveries.push(t);
  }

  it('(e) S3 outage of 30 s while the analysis stages read the source', async () => {
    const r = await phase('s3 outage 30 s', (r, jobs) => s3Outage(r, jobs, 'transcription', 30));
    expectClean(r);
  });

  it('(f) S3 outage of 3 minutes while clips render', async () => {
    const r = await phase('s3 outage 3 min', (r, jobs) => s3Outage(r, jobs, 'rendering', 180));
    expectClean(r);
  });

  it('(g) a full scratch disk delays renders; freeing it lets the job complete', async () => {
    const { scratch } = rig.svc;
    const r = await phase('full scratch disk', async (r, jobs) => {
      // Only the worker on the capped disk renders.
      await rig.holdDown('render-worker');
      try {
        scratch.fill();
        r.injections++;
        const jobId = await rig.createJob();
        jobs.push(jobId);
        const seen = await waitFor('a render to hit the full disk', async () => {
          const l = await rig.db.query(
            `SELECT event, message FROM processing_logs WHERE job_id = $1 AND stage = 'rendering'
                AND event IN ('retry','fail') ORDER BY created_at LIMIT 1`,
            [jobId],
          );
          if (l.rows.length) return `${l.rows[0].event}: ${l.rows[0].message}`;
          const j = await rig.db.query(`SELECT status FROM jobs WHERE id = $1`, [jobId]);
          return ['queued', 'running'].includes(j.rows[0].status) ? undefined : 'job ended first';
        });
        const freedAt = Date.now();
        scratch.free();
        r.notes.push(`with the disk full: ${seen}`);
        await rig.waitTerminal(jobs, 4 * 60_000);
        r.recoveries.push((Date.now() - freedAt) / 1000);
      } finally {
        scratch.free();
        rig.resume('render-worker');
      }
    });
    expectClean(r);
  });
});
