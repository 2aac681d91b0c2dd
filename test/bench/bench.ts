import { setupTestEnvironment, teardownTestEnvironment } from '../support/test-environment';
import {
  buildBenchPodcast,
  buildBenchTalk,
  buildSoakClip,
  type BenchFixture,
} from './bench-fixtures';
import { runPipelineBench, runRedisSoak, stopActiveSessions } from './pipeline.bench';
import { buildId, carryOver, newReport, rewriteReport, writeReport } from './report';
import { Stack } from '../support/stack';

/**
 * `npm run bench [-- --quick | --only=a,b | --redis-soak]`
 *
 * Parts, in order: the five stage micro-benches, the 10-minute and the
 * 60-minute talk each with one then two processes per worker app, the 60-minute
 * podcast, the one-lane transcription scaling pair, the quality benchmark
 * (`--only=quality`: real speech, what a creator gets) and the Redis soak. `--quick`: micro-benches and the 10-minute talk.
 * `--only=` takes part names (see PARTS) or `micro`; `--redis-soak` adds the soak;
 * `--append` keeps the previous report's results for the parts not re-run;
 * `--soak-jobs=N`, `--soak-inflight=N` and `--soak-keep=N` size the soak (default
 * 100 jobs, 3 in flight, 25 finished Bull jobs kept per queue);
 * `--report-only` rewrites docs/benchmarks.md from docs/benchmarks.json.
 */
const MICRO = ['transcription', 'silence', 'layout', 'segmenting', 'rendering'] as const;
const PIPELINE = [
  'talk-10min',
  'talk-10min-2w',
  'talk-60min',
  'talk-60min-2w',
  'podcast-60min',
  'talk-10min-1lane',
  'talk-10min-1lane-2w',
  'talk-10min-nocap',
  'talk-60min-nocap',
] as const;
/**
 * The `-1lane` pair shows what one more transcription worker buys when each
 * worker is one core's worth of work (as when the second worker is another
 * machine): one chunk lane per worker, 2-minute parts, two clips.
 */
const ONE_LANE = {
  env: { TRANSCRIPTION_CONCURRENCY: '1', STAGE_PART_SECONDS: '120' },
  jobOptions: { clipCount: 2 },
};
/**
 * The `-nocap` runs turn the caption tier off (CAPTION_ENGINE=off): run beside
 * the plain ones, in the same conditions, their ratio is what the tier costs.
 */
const NO_CAPTIONS = { env: { CAPTION_ENGINE: 'off' } };
const PARTS = [...MICRO, ...PIPELINE, 'quality', 'redis-soak'] as const;
type Part = (typeof PARTS)[number];

function selectParts(argv: string[]): Part[] {
  const only = argv.find((a) => a.startsWith('--only='));
  let parts: Part[];
  if (only) {
    const names = only.slice('--only='.length).split(',').filter(Boolean);
    parts = names.flatMap((n) => {
      if (n === 'micro') return [...MICRO];
      if ((PARTS as readonly string[]).includes(n)) return [n as Part];
      throw new Error(`unknown part ${n}; parts: micro, ${PARTS.join(', ')}`);
    });
  } else if (argv.includes('--quick')) parts = [...MICRO, 'talk-10min', 'talk-10min-2w'];
  else parts = [...PARTS];
  if (argv.includes('--redis-soak') && !parts.includes('redis-soak')) parts.push('redis-soak');
  return parts;
}

async function micro(name: (typeof MICRO)[number]): Promise<Record<string, unknown>> {
  switch (name) {
    case 'transcription':
      return (await import('./transcription.bench')).runTranscriptionBench();
    case 'silence':
      return (await import('./silence.bench')).runSilenceBench();
    case 'layout':
      return (await import('./layout.bench')).runLayoutBench();
    case 'segmenting':
      return (await import('./segmenting.bench')).runSegmentingBench();
    case 'rendering':
      return (await import('./rendering.bench')).runRenderingBench();
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--report-only')) {
    rewriteReport();
    return;
  }
  const parts = selectParts(argv);
  console.log(`bench parts: ${parts.join(', ')}`);
  const report = newReport(argv);
  if (argv.includes('--append'))
    carryOver(report, {
      fixtures: parts.filter(
        (p) => (PIPELINE as readonly string[]).includes(p) && !p.endsWith('-2w'),
      ),
      scaling: parts.filter((p) => p.endsWith('-2w')).map((p) => p.replace(/-2w$/, '')),
      soak: parts.includes('redis-soak'),
      quality: parts.includes('quality'),
      micro: parts.filter((p) => (MICRO as readonly string[]).includes(p)),
    });
  const t0 = Date.now();
  let stopping = false;
  const onSignal = (sig: string) => {
    if (stopping) process.exit(130);
    stopping = true;
    console.error(`${sig}: stopping the stack and removing the run's database, queues and s3rver`);
    void stopActiveSessions()
      .then(() => teardownTestEnvironment())
      .finally(() => process.exit(130));
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));

  for (const name of MICRO.filter((m) => parts.includes(m))) {
    console.log(`\n=== micro-bench: ${name}`);
    try {
      report.microBenches[name] = await micro(name);
    } catch (err) {
      console.error(`micro-bench ${name} failed:`, err);
      report.microBenches[name] = { error: String((err as Error).stack ?? err) };
    }
    writeReport(report);
  }

  const needsStack = parts.some(
    (p) => (PIPELINE as readonly string[]).includes(p) || p === 'redis-soak' || p === 'quality',
  );
  if (!needsStack) return;
  // Before the fixtures: a 60-minute source takes minutes to build, and every run needs the apps.
  Stack.assertBuilt();
  await setupTestEnvironment();
  try {
    const fixtures: Record<string, () => Promise<BenchFixture>> = {
      'talk-10min': () => buildBenchTalk(10),
      'talk-10min-2w': () => buildBenchTalk(10),
      'talk-60min': () => buildBenchTalk(60),
      'talk-60min-2w': () => buildBenchTalk(60),
      'talk-10min-1lane': async () => ({ ...(await buildBenchTalk(10)), name: 'talk-10min-1lane' }),
      'talk-10min-1lane-2w': async () => ({
        ...(await buildBenchTalk(10)),
        name: 'talk-10min-1lane',
      }),
      'podcast-60min': () => buildBenchPodcast(60),
      'talk-10min-nocap': async () => ({ ...(await buildBenchTalk(10)), name: 'talk-10min-nocap' }),
      'talk-60min-nocap': async () => ({ ...(await buildBenchTalk(60)), name: 'talk-60min-nocap' }),
    };
    for (const name of PIPELINE.filter((p) => parts.includes(p))) {
      console.log(`\n=== pipeline: ${name}`);
      const tb = Date.now();
      const fx = await fixtures[name]();
      console.log(`fixture ${fx.path} ready in ${Math.round((Date.now() - tb) / 1000)} s`);
      const workers = name.endsWith('-2w') ? 2 : 1;
      try {
        const r = await runPipelineBench(fx, {
          ...(name.includes('-1lane') ? ONE_LANE : {}),
          ...(name.endsWith('-nocap') ? NO_CAPTIONS : {}),
          workersPerStage: workers,
          label: name,
          timeoutMs: (fx.durationSec / 60) * 2 * 60_000 + 20 * 60_000,
        });
        r.build = buildId();
        (workers === 1 ? report.fixtures : report.scalingRuns).push(r);
      } catch (err) {
        console.error(`pipeline ${name} failed:`, err);
        report.failures.push({ part: name, error: String((err as Error).message ?? err) });
      }
      writeReport(report);
    }
    if (parts.includes('quality')) {
      console.log('\n=== quality');
      try {
        const { runQualityBench } = await import('./quality.bench');
        report.quality = (await runQualityBench()).map((q) => ({ ...q, build: buildId() }));
      } catch (err) {
        console.error('quality failed:', err);
        report.failures.push({ part: 'quality', error: String((err as Error).message ?? err) });
      }
      writeReport(report);
    }
    if (parts.includes('redis-soak')) {
      console.log('\n=== redis soak');
      try {
        const num = (flag: string, dflt: number) =>
          Number(argv.find((a) => a.startsWith(`--${flag}=`))?.split('=')[1] ?? dflt);
        report.redisSoak = await runRedisSoak(
          await buildSoakClip(),
          num('soak-jobs', 100),
          num('soak-inflight', 3),
          num('soak-keep', 25),
        );
        console.log('[redis soak]', JSON.stringify(report.redisSoak, null, 1));
      } catch (err) {
        console.error('redis soak failed:', err);
        report.redisSoak = { error: String((err as Error).message ?? err) };
      }
      writeReport(report);
    }
  } finally {
    await teardownTestEnvironment();
  }
  console.log(
    `\nbench done in ${Math.round((Date.now() - t0) / 1000)} s; wrote docs/benchmarks.md and docs/benchmarks.json`,
  );
  // The report keeps the failures for readers; the exit code tells scripts.
  if (report.failures.length) {
    console.error(
      `${report.failures.length} part(s) failed: ${report.failures.map((f) => f.part).join(', ')}`,
    );
    process.exitCode = 1;
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
