import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { FFMPEG_PATH, probeMedia, runCollect } from '@clipline/media';
import { analyseLayout, createFaceDetector, frameSamplerArgs } from '@clipline/layout';
import { cached } from '../fixtures/fixture-cache';
import { buildTalkingHead } from '../fixtures/talking-head.fixture';

const MODEL_DIR = process.env.MODEL_DIR ?? resolve(__dirname, '..', '..', '..', 'shared', 'models');
const LOOPS = 5;

/** A 1080p30 talk: one minute of six shots (still and moving faces, one empty) played five times. */
async function benchSource(): Promise<{ path: string; cuts: number[] }> {
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
  return { path, cuts };
}

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
  const { path, cuts } = await benchSource();
  const media = await probeMedia(path);
  const detector = await createFaceDetector(MODEL_DIR);
  try {
    const dur = media.durationSec;
    const layout = await timed(() =>
      analyseLayout(path, media, { aspects: ['9:16', '1:1'], detector }),
    );
    // Decode and scale alone, with the same ffmpeg arguments, to show where the time goes.
    const decodeArgs = frameSamplerArgs(path, {
      displayWidth: 1920,
      displayHeight: 1080,
      fps: 2,
      boxWidth: 320,
    });
    decodeArgs.splice(decodeArgs.length - 1, 1, '-y', '/dev/null');
    const decode = await timed(() => runCollect(FFMPEG_PATH, decodeArgs));
    const ffCuts: number[] = [];
    const ffScene = await timed(() =>
      runCollect(
        FFMPEG_PATH,
        [
          '-hide_banner',
          '-nostdin',
          '-threads',
          '2',
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
            if (m) ffCuts.push(Number(m[1]));
          },
        },
      ),
    );
    const result = {
      source: `${media.video!.width}x${media.video!.height} ${media.video!.fps.toFixed(0)} fps ${media.video!.codec}, ${dur.toFixed(0)} s, ${((media.sizeBytes ?? 0) / dur / 125000).toFixed(1)} Mbit/s`,
      layoutSec: +layout.sec.toFixed(2),
      layoutSpeedXRealtime: +(dur / layout.sec).toFixed(1),
      projected60MinSec: +((3600 / dur) * layout.sec).toFixed(0),
      targetXRealtime: 30,
      decodeOnlySec: +decode.sec.toFixed(2),
      decodeOnlySpeedXRealtime: +(dur / decode.sec).toFixed(1),
      framesAnalysed: layout.value.frameCount,
      sceneCutF1: +f1(layout.value.sceneCuts, cuts).toFixed(3),
      faceTracks: layout.value.faceTracks.length,
      ffmpegSceneDetectSec: +ffScene.sec.toFixed(2),
      ffmpegSceneDetectSpeedXRealtime: +(dur / ffScene.sec).toFixed(1),
      ffmpegSceneCutF1: +f1(ffCuts, cuts).toFixed(3),
      layoutVsFfmpegSceneTimeRatio: +(layout.sec / ffScene.sec).toFixed(2),
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
