import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import type { PipelineResult, SoakResult } from './pipeline.bench';
import { qualityLines, qualityTargets } from './quality.bench';
import type { QualityResult } from './quality-metrics';

const DOCS = join(__dirname, '..', '..', 'docs');

export interface BenchReport {
  date: string;
  machine: {
    cores: number;
    cpu: string;
    ramGiB: number;
    node: string;
    loadAvgAtStart: number[];
    loadAvgAtEnd: number[];
  };
  commit: string;
  /** Uncommitted changes in the tree when the bench ran (the figures are for that tree). */
  dirty: boolean;
  argv: string[];
  /** One entry per fixture, one process per worker app. */
  fixtures: PipelineResult[];
  /** The same fixtures with two processes per worker app. */
  scalingRuns: PipelineResult[];
  scaling: Array<{
    fixture: string;
    oneWorkerSec: number | null;
    twoWorkersSec: number | null;
    speedUp: number | null;
    /** Why there is no speed-up, e.g. the two runs come from different builds. */
    note?: string;
    stages: Record<string, { one: number | null; two: number | null }>;
  }>;
  redisSoak?: SoakResult | { error: string };
  /** The quality benchmark (`--only=quality`). */
  quality?: QualityResult[];
  microBenches: Record<string, unknown>;
  targets: Array<{ target: string; measured: string; met: boolean | null }>;
  failures: Array<{ part: string; error: string }>;
  /** Set with --append: the date of the report whose other results were kept. */
  carriedOverFrom?: string;
}

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: join(__dirname, '..', '..') })
      .toString()
      .trim();
  } catch {
    return 'unknown';
  }
}

/** Commit plus a dirty mark: results are only compared within one build. */
/**
 * The commit plus a hash of local changes to tracked files, leaving out the
 * report itself: each part rewrites docs/benchmarks.*, and that must not make
 * two runs of the same code look like different builds.
 */
export function buildId(): string {
  const diff = git(['diff', 'HEAD', '--', '.', ':(exclude)docs/benchmarks.*']);
  const head = git(['rev-parse', '--short=12', 'HEAD']);
  return diff ? `${head}+${createHash('sha1').update(diff).digest('hex').slice(0, 8)}` : head;
}

export function newReport(argv: string[]): BenchReport {
  return {
    date: new Date().toISOString(),
    machine: {
      cores: cpus().length,
      cpu: cpus()[0]?.model ?? 'unknown',
      ramGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
      node: process.version,
      loadAvgAtStart: loadavg().map((x) => Math.round(x * 100) / 100),
      loadAvgAtEnd: [],
    },
    // Read-only git: the commit and whether the tree had local changes.
    commit: git(['rev-parse', 'HEAD']),
    dirty: git(['status', '--porcelain', '--untracked-files=no']).length > 0,
    argv,
    fixtures: [],
    scalingRuns: [],
    scaling: [],
    failures: [],
    microBenches: {},
    targets: [],
  };
}

/** 1 vs 2 workers, only between runs of the same commit and tree state. */
function scaling(r: BenchReport): BenchReport['scaling'] {
  return r.scalingRuns.flatMap((two) => {
    const one = r.fixtures.find((f) => f.fixture === two.fixture);
    if (!one) return [];
    const same = one.build !== undefined && one.build === two.build;
    const wall = (x: PipelineResult, s: string) =>
      x.stages.find((y) => y.stage === s)?.wallSec ?? null;
    return [
      {
        fixture: one.fixture,
        oneWorkerSec: one.endToEndSec,
        twoWorkersSec: two.endToEndSec,
        speedUp:
          same && one.endToEndSec && two.endToEndSec
            ? Math.round((one.endToEndSec / two.endToEndSec) * 100) / 100
            : null,
        ...(same
          ? {}
          : {
              note: `not comparable: measured on different builds (${one.build ?? 'unrecorded'} at ${one.measuredAt} vs ${two.build ?? 'unrecorded'} at ${two.measuredAt}); re-run both`,
            }),
        stages: Object.fromEntries(
          one.stages.map((s) => [s.stage, { one: s.wallSec, two: wall(two, s.stage) }]),
        ),
      },
    ];
  });
}

function evaluateTargets(r: BenchReport): BenchReport['targets'] {
  const out: BenchReport['targets'] = [];
  const talk60 = r.fixtures.find((f) => f.fixture === 'talk-60min' && f.workersPerStage === 1);
  if (talk60) {
    const min = talk60.endToEndSec !== null ? talk60.endToEndSec / 60 : null;
    const m = min === null ? 'no result' : `${min.toFixed(1)} min, ${talk60.clipsProduced} clips`;
    out.push({
      target: '60-minute 1080p talk to 10 clips ≤ 20 min',
      measured: m,
      met: min === null ? false : min <= 20 && talk60.clipsProduced >= 10,
    });
    out.push({
      target: 'stretch: ≤ 12 min',
      measured: m,
      met: min === null ? false : min <= 12 && talk60.clipsProduced >= 10,
    });
  }
  // The caption tier's cost: the same talk with the tier on and off, measured back to back.
  for (const name of ['talk-60min', 'talk-10min']) {
    const on = r.fixtures.find((f) => f.fixture === name && f.workersPerStage === 1);
    const off = r.fixtures.find((f) => f.fixture === `${name}-nocap` && f.workersPerStage === 1);
    if (!on?.endToEndSec || !off?.endToEndSec) continue;
    const ratio = on.endToEndSec / off.endToEndSec;
    out.push({
      target: `caption tier adds ≤ 15% end to end (${name}, tier on vs CAPTION_ENGINE=off)`,
      measured: `${on.endToEndSec} s vs ${off.endToEndSec} s: +${((ratio - 1) * 100).toFixed(1)}% (load ${on.loadAvg.before[0]} / ${off.loadAvg.before[0]} at the starts)`,
      met: ratio <= 1.15,
    });
    break;
  }
  if (!talk60)
    out.push({
      target: '60-minute 1080p talk to 10 clips ≤ 20 min (stretch ≤ 12)',
      measured: 'not run in this report',
      met: null,
    });
  const runs = [...r.fixtures, ...r.scalingRuns];
  if (runs.length) {
    const peak = Math.max(...runs.map((f) => f.memory.stackTotal));
    out.push({
      target: 'whole stack memory ≤ 4 GiB',
      measured: `peak ${(peak / 1024).toFixed(2)} GiB over ${runs.length} runs (apps and their children, bench process with s3rver, Redis RSS; Postgres not counted)`,
      met: peak <= 4096,
    });
    const all = runs.flatMap((f) => f.handoffMs.samples.map((s) => s.ms));
    const p99 = percentile(all, 99);
    out.push({
      target: 'stage hand-off ≤ 1 s at p99',
      measured: `p99 ${p99} ms over ${all.length} hand-offs (single-job runs)`,
      met: p99 === null ? null : p99 <= 1000,
    });
  }
  const soak = r.redisSoak;
  if (soak && !('error' in soak)) {
    const first = soak.samples[0];
    const last = soak.samples[soak.samples.length - 1];
    const keep = soak.keepCompleted ?? 200;
    // Flat: once every queue is at its cap, the second half of the run adds (almost) nothing.
    const half = soak.samples.find((x) => x.afterJobs >= soak.jobs / 2);
    const judged = half !== undefined && half.afterJobs >= keep + 10 && soak.jobs >= 100;
    out.push({
      target: 'Redis memory flat after 100 jobs',
      measured:
        `queue keys ${kb(first.prefixBytes)} → ${half ? `${kb(half.prefixBytes)} kB at ${half.afterJobs} jobs → ` : ''}` +
        `${kb(last.prefixBytes)} kB after ${soak.completed} jobs (finished Bull jobs kept per queue: ${keep})`,
      met: judged ? last.prefixBytes <= half.prefixBytes * 1.1 : null,
    });
  }
  for (const q of Array.isArray(r.quality) ? r.quality : []) out.push(...qualityTargets(q));
  return out;
}

function percentile(xs: number[], p: number): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

function kb(b: number): string {
  return (b / 1024).toFixed(0);
}

function n(x: number | null | undefined, unit = ''): string {
  return x === null || x === undefined ? '–' : `${x}${unit}`;
}

/** Which worker process did each part of a split stage: shows whether a second worker took any. */
function partLines(f: PipelineResult): string[] {
  return Object.entries(f.parts ?? {}).map(([stage, byWorker]) => {
    const counts = Object.values(byWorker);
    const total = counts.reduce((a, b) => a + b, 0);
    return `- ${stage} parts: ${total}, done by ${counts.length} worker process${counts.length > 1 ? 'es' : ''} (${counts.sort((a, b) => b - a).join(' + ')})`;
  });
}

function fixtureSection(f: PipelineResult): string {
  const lines = [
    `### ${f.fixture} (${f.workersPerStage} worker${f.workersPerStage > 1 ? 's' : ''} per stage)`,
    '',
    `Measured ${f.measuredAt ?? '–'} on build ${f.build ?? 'unrecorded'}. Source ${(f.sourceSec / 60).toFixed(0)} min, ${(f.sourceBytes / 1024 ** 2).toFixed(0)} MB, ${f.video ? '1080p30 video' : 'audio only'}; options \`${JSON.stringify(f.options)}\`${f.stackEnv ? `; stack env \`${JSON.stringify(f.stackEnv)}\`` : ''}; job ${f.status}${f.error ? ` (${f.error})` : ''}.`,
    '',
    `- **End to end** (upload complete → last clip): **${n(f.endToEndSec, ' s')}** (${f.endToEndSec ? (f.endToEndSec / 60).toFixed(1) : '–'} min, ${n(f.endToEndRealTimeFactor)}× real time)`,
    `- Upload ${f.uploadSec} s; \`POST /complete\` (assemble, probe, create job) ${f.completeSec} s`,
    `- Clips produced: **${f.clipsProduced}** (${f.clipsFailed} failed), ${f.clipSecondsTotal} s of clips`,
    `- Hand-off latency: p50 ${n(f.handoffMs.p50, ' ms')}, p99 ${n(f.handoffMs.p99, ' ms')} (${f.handoffMs.samples.map((s) => `${s.stage} ${s.ms}`).join(', ')})`,
    ...partLines(f),
    `- Peak memory: apps ${f.memory.appsTotal} MB, whole stack ${f.memory.stackTotal} MB`,
    `- Redis used_memory ${kb(f.redis.before.usedMemory)} → ${kb(f.redis.after.usedMemory)} kB (shared server); this run's queue keys ${kb(f.redis.before.prefixBytes)} → ${kb(f.redis.after.prefixBytes)} kB`,
    `- Load average before/after: ${f.loadAvg.before.join(' ')} / ${f.loadAvg.after.join(' ')}`,
    '',
    '| Stage | Wall (s) | Real-time factor | Peak RSS (MB) | Attempts |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...f.stages.map(
      (s) =>
        `| ${s.stage} | ${n(s.wallSec)} | ${n(s.realTimeFactor)} | ${n(s.peakRssMb)} | ${s.attempt} |`,
    ),
    '',
    'Rendering: wall time from the first clip claimed to the last clip done; its real-time factor is clip seconds ' +
      'per second, and its attempts live on the clips. Peak RSS is the stage app with its ffmpeg/pocketsphinx children.',
  ];
  if (f.baselines) {
    const b = f.baselines;
    lines.push(
      '',
      'Baselines on the same source, right after the run:',
      '',
      `- ffmpeg silencedetect: ${b.silencedetectSec} s → silence stage / silencedetect = ${n(b.ratios.silenceStageOverSilencedetect)}`,
      `- ffmpeg scene detection: ${n(b.sceneDetectSec, ' s')} → layout stage / scene detection = ${n(b.ratios.layoutStageOverSceneDetect)}`,
      `- plain 1080x1920 x264 veryfast encode of a ${b.plainEncodeClipSec} s clip: ${n(b.plainEncodeSec, ' s')} → rendering per clip / plain encode = ${n(b.ratios.renderPerClipOverPlainEncode)}`,
    );
  }
  return lines.join('\n');
}

function markdown(r: BenchReport): string {
  const out = [
    '# Benchmarks',
    '',
    `Generated by \`npm run bench\` (\`${r.argv.join(' ') || 'no flags'}\`) on ${r.date}.`,
    '',
    `Machine: ${r.machine.cores} cores (${r.machine.cpu}), ${r.machine.ramGiB} GiB RAM, Node ${r.machine.node}. ` +
      `Commit \`${r.commit.slice(0, 12)}\`${r.dirty ? ' with uncommitted changes' : ''}. ` +
      `Load average at start ${r.machine.loadAvgAtStart.join(' ')}, at end ${r.machine.loadAvgAtEnd.join(' ') || '–'}` +
      ' (the machine may be shared: compare runs with similar load).' +
      (r.carriedOverFrom
        ? ` Results of parts not re-run are kept from the report of ${r.carriedOverFrom}.`
        : ''),
    '',
    'How it runs: a fresh database, Bull prefix and s3rver per run; the API and one (or two) process(es) of each worker ' +
      'app started from `dist/`; the fixture uploaded through the multipart API; stage times from `job_stages` ' +
      "(`started_at` → `finished_at`); hand-off = a stage's `started_at` minus the latest `finished_at` of its inputs; " +
      'memory sampled every 0.5 s from `/proc/<pid>/status` (VmRSS) over each app process and its children.',
    '',
    'Fixtures (cached in `.cache/fixtures`, built by `test/bench/bench-fixtures.ts`): espeak-ng speech in four ' +
      'batches of varied sentences, voices and known pauses, each 5-minute unit ending with 30 s of plucked-chord ' +
      'music (sox) and 20 s of silence; the 1080p30 picture is a 5-minute unit of five scenes (the astronaut face ' +
      'moving, jumping at cuts, one faceless scene), looped with `-c copy`.',
    '',
  ];
  if (r.targets.length) {
    out.push(
      '## Targets (2 cores, 24 GiB)',
      '',
      '| Target | Measured | Met |',
      '| --- | --- | --- |',
    );
    for (const t of r.targets)
      out.push(
        `| ${t.target} | ${t.measured} | ${t.met === null ? 'see note' : t.met ? 'yes' : 'no'} |`,
      );
    out.push('');
  }
  out.push('## End to end', '');
  for (const f of r.fixtures) out.push(fixtureSection(f), '');
  if (r.scaling.length) {
    out.push('## Scaling: 1 vs 2 processes per worker app', '');
    out.push(
      '| Fixture | 1 worker (s) | 2 workers (s) | Speed-up |',
      '| --- | ---: | ---: | ---: |',
    );
    for (const s of r.scaling)
      out.push(
        `| ${s.fixture} | ${n(s.oneWorkerSec)} | ${n(s.twoWorkersSec)} | ${s.note ?? n(s.speedUp, '×')} |`,
      );
    out.push('', 'Per stage (wall s, 1 → 2 workers):', '');
    for (const s of r.scaling)
      out.push(
        `- ${s.fixture}: ${Object.entries(s.stages)
          .map(([k, v]) => `${k} ${n(v.one)} → ${n(v.two)}`)
          .join('; ')}`,
      );
    for (const f of r.scalingRuns) out.push('', fixtureSection(f));
    out.push(
      '',
      'A second process helps where work fans out: rendering (one Bull job per clip) and, on sources longer than ' +
        '1.5 × STAGE_PART_SECONDS, transcription and layout (one part per 10 minutes, taken by any process of the stage). ' +
        'On 2 cores one process per app already keeps both cores busy (a transcription worker runs one recogniser ' +
        'per core), so a second process on the same machine can only fill idle core time. The `-1lane` pair limits ' +
        'each transcription worker to one recogniser (TRANSCRIPTION_CONCURRENCY=1, 2-minute parts), as when the ' +
        'second worker brings its own core or machine: the "parts" lines show the second worker taking its share.',
      '',
    );
  }
  if (r.quality?.length) {
    out.push(
      '## Quality',
      '',
      'Every figure comes from what a creator ' +
        'gets (the clips and segments endpoints, the MP4s, the VTT sidecars, the transcript endpoint) against the ' +
        'truth of the source, which the bench built itself (see test/bench/quality-fixtures.ts). Captions come from the caption tier ' +
        '(pocketsphinx `accurate` over each selected window); the fast tier is the whole-source transcript. ' +
        "The truth counts a 10 ms frame as speech when it is within 35 dB of its utterance's loudest frame and 8 dB above the " +
        "utterance's own noise floor (its 10th-percentile frame): jfk.wav's hiss lies within 35 dB of its peak, and a pause in it " +
        '(edge RMS near -38 dBFS where its speech is at -13) is a pause. ' +
        'The machine is shared with other sessions: the load average is in the header, and WER figures move by a few points between runs.',
      '',
      'Run it with `npm run bench -- --only=quality --append` (about 7 minutes on 2 cores); `npx jest --selectProjects e2e ' +
        '--runInBand test/e2e/quality-rules.test.ts` asserts the hard rules on a 90 s source. Definitions (test/bench/quality-metrics.ts): ' +
        'the source is built from the speech-dev utterances and jfk.wav, peak-levelled, with 0.4-1.5 s pauses, a music bed alone, ' +
        'speech over the bed ducked by 16 dB, dead air, room tone at -62 dBFS and astronaut shots cut at known frames. ' +
        '*Speech* is where each clean utterance sounds (10 ms frames within 35 dB of its peak, 150 ms hangover); ' +
        '*non-speech* is music alone, dead air and any gap between voices over 2.5 s (natural pauses are part of speech). ' +
        'An edge is *inside speech* when speech overlaps its first or last 250 ms by more than 30 ms; the edge RMS columns are ' +
        "the clip's own audio there. An edge is *near a cut* when the clip opens on a shot shorter than 1.5 s or ends on a new " +
        'shot shorter than 1 s. A caption is *over non-speech* when its cue overlaps non-speech by more than 1 s. WER counts ' +
        'only utterances with a reference (the LibriSpeech ones have none, so words over them are left out); in a clip, a cut ' +
        "utterance contributes its share of words; caption words come from the clip's VTT, spread evenly over each cue. " +
        'Loudness and true peak: ffmpeg `ebur128=peak=true` on each downloaded MP4.',
      '',
    );
    for (const q of r.quality)
      out.push(
        `### ${q.fixture}, ${JSON.stringify(q.options)}`,
        '',
        `Measured ${q.measuredAt} on build ${q.build ?? '?'}, job ${q.jobId}.`,
        '',
        ...qualityLines(q),
        '',
      );
  }
  if (r.redisSoak) {
    out.push('## Redis soak', '');
    if ('error' in r.redisSoak) out.push(`Failed: ${r.redisSoak.error}`, '');
    else {
      const s = r.redisSoak;
      out.push(
        `${s.jobs} jobs of a 20-second 640x360 clip (one 5–8 s 1:1 clip, no captions), ${s.inFlight} in flight: ` +
          `${s.completed} completed, ${s.failed} failed, in ${s.wallSec} s. Peak stack memory ${s.memory.stackTotal} MB. ` +
          `Hand-off under this load: p50 ${n(s.handoffMs.p50, ' ms')}, p99 ${n(s.handoffMs.p99, ' ms')} over ${s.handoffMs.n}.`,
        '',
        '| After jobs | Queue keys | Queue key bytes | Redis used_memory (shared) |',
        '| ---: | ---: | ---: | ---: |',
        ...s.samples.map(
          (x) => `| ${x.afterJobs} | ${x.prefixKeys} | ${x.prefixBytes} | ${x.usedMemory} |`,
        ),
        '',
        s.note,
        '',
      );
    }
  }
  if (r.failures.length) {
    out.push('## Failed parts', '');
    for (const f of r.failures) out.push(`- ${f.part}: ${f.error.split('\n')[0]}`);
    out.push('');
  }
  out.push('## Stage micro-benchmarks', '');
  for (const [k, v] of Object.entries(r.microBenches))
    out.push(`### ${k}`, '', '```json', JSON.stringify(v, null, 2), '```', '');
  return out.join('\n');
}

/**
 * `--append`: keeps the previous report's results for the parts this run does
 * not redo (each result carries its own measuredAt and load average).
 */
export function carryOver(
  r: BenchReport,
  rerun: {
    fixtures: string[];
    scaling: string[];
    soak: boolean;
    quality?: boolean;
    micro: string[];
  },
): void {
  const file = join(DOCS, 'benchmarks.json');
  if (!existsSync(file)) return;
  const prev = JSON.parse(readFileSync(file, 'utf8')) as BenchReport;
  const stamp = <T extends { measuredAt?: string }>(x: T): T => ({
    ...x,
    measuredAt: x.measuredAt ?? prev.date,
  });
  r.fixtures.push(
    ...(prev.fixtures ?? []).filter((f) => !rerun.fixtures.includes(f.fixture)).map(stamp),
  );
  r.scalingRuns.push(
    ...(prev.scalingRuns ?? []).filter((f) => !rerun.scaling.includes(f.fixture)).map(stamp),
  );
  if (!rerun.soak && prev.redisSoak) r.redisSoak = prev.redisSoak;
  if (!rerun.quality && prev.quality) r.quality = prev.quality;
  for (const [k, v] of Object.entries(prev.microBenches ?? {}))
    if (!rerun.micro.includes(k)) r.microBenches[k] = v;
  r.carriedOverFrom = prev.date;
}

/** Renders docs/benchmarks.md again from docs/benchmarks.json (after a change to this file). */
export function rewriteReport(): void {
  const r = JSON.parse(readFileSync(join(DOCS, 'benchmarks.json'), 'utf8')) as BenchReport;
  r.scaling = scaling(r);
  r.targets = evaluateTargets(r);
  writeFileSync(join(DOCS, 'benchmarks.json'), JSON.stringify(r, null, 2) + '\n');
  writeFileSync(join(DOCS, 'benchmarks.md'), markdown(r));
}

/** Writes both files; called after every part so an interrupted run still leaves its figures. */
export function writeReport(r: BenchReport): void {
  r.machine.loadAvgAtEnd = loadavg().map((x) => Math.round(x * 100) / 100);
  r.scaling = scaling(r);
  r.targets = evaluateTargets(r);
  writeFileSync(join(DOCS, 'benchmarks.json'), JSON.stringify(r, null, 2) + '\n');
  writeFileSync(join(DOCS, 'benchmarks.md'), markdown(r));
}
