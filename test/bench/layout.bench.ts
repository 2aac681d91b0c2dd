import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import type { CropPlan } from '@clipline/contracts';
import { FFMPEG_PATH, probeMedia, runCollect } from '@clipline/media';
import {
  analyseLayout,
  createFaceDetector,
  frameSamplerArgs,
  type DecodeMode,
} from '@clipline/layout';
import { cached } from '../fixtures/fixture-cache';
import { buildTalkingHead } from '../fixtures/talking-head.fixture';

const MODEL_DIR = process.env.MODEL_DIR ?? resolve(__dirname, '..', '..', '..', 'shared', 'models');
const LOOPS = 5;

/** A 1080p30 talk: one minute of six shots (still and moving faces, one empty) played five times. */
type Box = { x: number; y: number; w: number; h: number };

async function benchSource(): Promise<{
  path: string;
  cuts: number[];
  facesAt: (t: number) => Box[];
}> {
  const minute = await buildTalkingHead({
    width: 1920,
    height: 1080,
    fps: 30,
    scenes: [
      { duration: 10, background: 'navy', faces: [{ size: 900, from: { x: 500, y: 100 } }] },
      {
        duration: 10,
        background: 'darkred',
        faces: [{ size: 900, from: { x: 0, y: 100 }, to: { x: 1000, y: 150 } }],
      },
      { duration: 10, background: 'darkolivegreen', faces: [] },
      {
        duration: 10,
        background: 'purple',
        faces: [
          { size: 800, from: { x: 50, y: 200 }, visible: [0, 5] },
          { size: 800, from: { x: 1050, y: 200 }, visible: [5, 10] },
        ],
      },
      { duration: 10, background: 'teal', faces: [{ size: 1000, from: { x: 900, y: 50 } }] },
      {
        duration: 10,
        background: 'maroon',
        faces: [{ size: 700, from: { x: 1100, y: 300 }, to: { x: 100, y: 300 } }],
      },
    ],
  });
  const path = await cached(
    'layout-bench-1080p.mp4',
    { minute: minute.path, loops: LOOPS },
    async (out) => {
      execFileSync(FFMPEG_PATH, [
        '-y',
        '-v',
        'error',
        '-stream_loop',
        String(LOOPS - 1),
        '-i',
        minute.path,
        '-c',
        'copy',
        '-movflags',
        '+faststart',
        out,
      ]);
    },
  );
  const cuts: number[] = [];
  for (let k = 0; k < LOOPS; k++)
    for (const s of minute.sceneStarts) if (k > 0 || s > 0) cuts.push(k * minute.durationSec + s);
  return { path, cuts, facesAt: (t) => minute.facesAt(t % minute.durationSec) };
}

function cropAt(plan: CropPlan, t: number): Box {
  const scene =
    plan.scenes.find((s) => t >= s.start && t < s.end) ?? plan.scenes[plan.scenes.length - 1];
  const k = scene.keyframes;
  const i = k.findIndex((f) => f.t > t);
  if (i <= 0) return i === 0 ? k[0] : k[k.length - 1];
  const f = (t - k[i - 1].t) / (k[i].t - k[i - 1].t);
  return { ...k[i - 1], x: k[i - 1].x + (k[i].x - k[i - 1].x) * f };
}

/** Share of analysed frames with a face where the 9:16 window holds every face (4 px slack). */
function containment(plan: CropPlan, times: number[], facesAt: (t: number) => Box[]): number {
  let n = 0;
  let ok = 0;
  for (const t of times) {
    const faces = facesAt(t);
    if (!faces.length) continue;
    n++;
    const c = cropAt(plan, t);
    if (faces.every((b) => b.x >= c.x - 4 && b.x + b.w <= c.x + c.w + 4)) ok++;
  }
  return n ? ok / n : 0;
}

/** CPU seconds of this process (ffmpeg children included once they have exited). */
function cpuSec(): number {
  const own = process.cpuUsage();
  const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  const clk = 100;
  return (own.user + own.system) / 1e6 + (Number(f[13]) + Number(f[14])) / clk;
}

const load = () => loadavg().map((v) => +v.toFixed(2));

function f1(found: number[], truth: number[], tol = 0.6): number {
  const used = new Set<number>();
  let tp = 0;
  for (const c of found) {
    const j = truth.findIndex((x, i) => !used.has(i) && Math.abs(x - c) <= tol);
    if (j >= 0) {
      used.add(j);
      tp++;
    }
  }
  const p = found.length ? tp / found.length : 0;
  const r = truth.length ? tp / truth.length : 0;
  return p + r ? (2 * p * r) / (p + r) : 0;
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; sec: number }> {
  const t0 = process.hrtime.bigint();
  const value = await fn();
  return { value, sec: Number(process.hrtime.bigint() - t0) / 1e9 };
}

export async function runLayoutBench(): Promise<Record<string, unknown>> {
  const { path, cuts, facesAt } = await benchSource();
  const media = await probeMedia(path);
  const detector = await createFaceDetector(MODEL_DIR);
  const cores = cpus().length;
  const r = (n: number, d = 1) => +n.toFixed(d);
  try {
    const dur = media.durationSec;
    const loadBefore = load();
    /** One layout run over [from, to): speed (wall and CPU), cut F1 and containment there. */
    const runMode = async (decode: DecodeMode | 'auto', from: number, to: number) => {
      const cpu0 = cpuSec();
      const run = await timed(() =>
        analyseLayout(path, media, {
          aspects: ['9:16', '1:1'],
          detector,
          decode,
          startSec: from,
          endSec: to,
        }),
      );
      const cpu = cpuSec() - cpu0;
      const span = to - from;
      const truth = cuts.filter((c) => c >= from && c < to);
      const plan = run.value.cropPlans.find((p) => p.aspect === '9:16')!;
      return {
        decode: run.value.decode,
        rangeSec: span,
        wallSec: r(run.sec, 2),
        xRealtime: r(span / run.sec),
        cpuSec: r(cpu, 2),
        xRealtimeFromCpu: r(span / (cpu / cores)),
        framesAnalysed: run.value.frameCount,
        sampleFps: run.value.sampleFps,
        sceneCutF1: r(f1(run.value.sceneCuts, truth), 3),
        // Off by up to one key-frame interval when no key frame sits on the cut.
        sceneCutF1Tol2s: r(f1(run.value.sceneCuts, truth, 2.05), 3),
        containment916: r(containment(plan, run.value.sampleTimes, facesAt), 3),
        faceTracks: run.value.faceTracks.length,
        loadAvg: load(),
      };
    };
    const layout = await runMode('auto', 0, dur);
    // Time sampling is ~10x slower: one minute from the middle is enough to compare.
    const slice: [number, number] = [120, 180];
    const noref = await runMode('noref', ...slice);
    const all = await runMode('all', ...slice);

    // Decode and scale alone, with the same ffmpeg arguments, to show where the time goes.
    const decodeOnly = async (decode: DecodeMode, from: number, to: number) => {
      const args = frameSamplerArgs(path, {
        displayWidth: 1920,
        displayHeight: 1080,
        fps: 2,
        boxWidth: 320,
        decode,
        startSec: from,
        durationSec: to - from,
      });
      args.splice(args.length - 1, 1, '-y', '/dev/null');
      const t = await timed(() => runCollect(FFMPEG_PATH, args));
      return { sec: r(t.sec, 2), xRealtime: r((to - from) / t.sec) };
    };
    const decodeDefault = await decodeOnly(layout.decode, 0, dur);
    const decodeXRealtime = {
      [layout.decode]: decodeDefault.xRealtime,
      noref: (await decodeOnly('noref', ...slice)).xRealtime,
      all: (await decodeOnly('all', ...slice)).xRealtime,
    };
    const ffCuts: number[] = [];
    const ffScene = await timed(() =>
      runCollect(
        FFMPEG_PATH,
        [
          '-hide_banner',
          '-nostdin',
          '-threads',
          '2',
          // The same minute as the time-sampling modes: a full decode of the whole file takes minutes.
          '-ss',
          String(slice[0]),
          '-t',
          String(slice[1] - slice[0]),
          '-i',
          path,
          '-vf',
          "select='gt(scene,0.3)',showinfo",
          '-an',
          '-f',
          'null',
          '-',
        ],
        {
          onStderrLine: (line) => {
            const m = /Parsed_showinfo.*pts_time:([\d.]+)/.exec(line);
            if (m) ffCuts.push(slice[0] + Number(m[1]));
          },
        },
      ),
    );
    const result = {
      source: `${media.video!.width}x${media.video!.height} ${media.video!.fps.toFixed(0)} fps ${media.video!.codec}, ${dur.toFixed(0)} s, ${((media.sizeBytes ?? 0) / dur / 125000).toFixed(1)} Mbit/s, key frame every 2 s`,
      cores,
      defaultDecode: layout.decode,
      layoutSec: layout.wallSec,
      layoutSpeedXRealtime: layout.xRealtime,
      layoutSpeedXRealtimeFromCpu: layout.xRealtimeFromCpu,
      projected60MinSec: r((3600 / dur) * layout.wallSec, 0),
      targetXRealtime: 30,
      framesAnalysed: layout.framesAnalysed,
      sceneCutF1: layout.sceneCutF1,
      containment916: layout.containment916,
      faceTracks: layout.faceTracks,
      modes: { keyframes: layout, noref, all },
      decodeOnlySec: decodeDefault.sec,
      decodeOnlySpeedXRealtime: decodeDefault.xRealtime,
      decodeOnlyXRealtimeByMode: decodeXRealtime,
      ffmpegSceneDetectRange: slice,
      ffmpegSceneDetectSec: r(ffScene.sec, 2),
      ffmpegSceneDetectSpeedXRealtime: r((slice[1] - slice[0]) / ffScene.sec),
      ffmpegSceneCutF1: r(
        f1(
          ffCuts,
          cuts.filter((c) => c >= slice[0] && c < slice[1]),
        ),
        3,
      ),
      // Both per second of source: how much faster the whole layout stage is than ffmpeg's scene filter alone.
      layoutVsFfmpegSceneTimeRatio: r(
        layout.wallSec / dur / (ffScene.sec / (slice[1] - slice[0])),
        3,
      ),
      loadAvgBefore: loadBefore,
      loadAvgAfter: load(),
    };
    console.log('[layout bench]', JSON.stringify(result, null, 2));
    return result;
  } finally {
    await detector.release();
  }
}

if (require.main === module) {
  runLayoutBench().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
