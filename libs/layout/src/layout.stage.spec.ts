import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BadInputError, type CropPlan, type LayoutResult } from '@clipline/contracts';
import { FFMPEG_PATH, probeMedia } from '@clipline/media';
import {
  buildLayoutCase,
  rotateBox,
  type LayoutCaseName,
} from '@test/fixtures/layout-cases.fixture';
import { cached, FIXTURE_CACHE_DIR } from '@test/fixtures/fixture-cache';
import { buildTalkingHead, type TalkingHeadFixture } from '@test/fixtures/talking-head.fixture';
import { createFaceDetector, type FaceDetector } from './face.detector';
import type { DecodeMode } from './layout.types';
import { probeKeyframeTimes } from './frame.sampler';
import { analyseLayout, chooseDecodeMode, layoutApplies } from './layout.stage';
import { mergeLayoutParts } from './layout.merge';

jest.setTimeout(120_000);

const MODEL_DIR =
  process.env.MODEL_DIR ?? join(__dirname, '..', '..', '..', '..', 'shared', 'models');

type Box = { x: number; y: number; w: number; h: number };

/** The window at time t, interpolated the way the renderer does. */
function cropAt(plan: CropPlan, t: number): Box {
  const scene =
    plan.scenes.find((s) => t >= s.start && t < s.end) ?? plan.scenes[plan.scenes.length - 1];
  const k = scene.keyframes;
  const i = k.findIndex((f) => f.t > t);
  if (i <= 0) return i === 0 ? k[0] : k[k.length - 1];
  const a = k[i - 1];
  const b = k[i];
  const f = (t - a.t) / (b.t - a.t);
  return { x: a.x + (b.x - a.x) * f, y: a.y + (b.y - a.y) * f, w: a.w, h: a.h };
}

function contains(outer: Box, inner: Box, slack = 2): boolean {
  return (
    inner.x >= outer.x - slack &&
    inner.y >= outer.y - slack &&
    inner.x + inner.w <= outer.x + outer.w + slack &&
    inner.y + inner.h <= outer.y + outer.h + slack
  );
}

/** Share of sampled frames with a visible face where the crop holds every visible face box. */
function containment(
  res: LayoutResult & { sampleTimes?: number[] },
  plan: CropPlan,
  facesAt: (t: number) => Box[],
): number {
  let n = 0;
  let ok = 0;
  const times = res.sampleTimes ?? [...Array(res.frameCount).keys()].map((i) => i / res.sampleFps);
  expect(times).toHaveLength(res.frameCount);
  for (const t of times) {
    const faces = facesAt(t);
    if (faces.length === 0) continue;
    n++;
    if (faces.every((f) => contains(cropAt(plan, t), f))) ok++;
  }
  return n ? ok / n : 0;
}

function cutF1(found: number[], truth: number[], tol = 0.6): number {
  const used = new Set<number>();
  let tp = 0;
  for (const c of found) {
    const j = truth.findIndex((x, k) => !used.has(k) && Math.abs(x - c) <= tol);
    if (j >= 0) {
      used.add(j);
      tp++;
    }
  }
  if (found.length === 0 && truth.length === 0) return 1;
  const p = found.length ? tp / found.length : 0;
  const r = truth.length ? tp / truth.length : 0;
  return p + r ? (2 * p * r) / (p + r) : 0;
}

describe('analyseLayout (real ffmpeg + UltraFace)', () => {
  let detector: FaceDetector;
  const fixtures = {} as Record<LayoutCaseName, TalkingHeadFixture>;
  async function run(
    name: LayoutCaseName,
    aspects: Array<'9:16' | '1:1' | '16:9'> = ['9:16', '1:1'],
    decode?: DecodeMode,
  ) {
    fixtures[name] ??= await buildLayoutCase(name);
    const media = await probeMedia(fixtures[name].path);
    const res = await analyseLayout(fixtures[name].path, media, { aspects, detector, decode });
    return { fx: fixtures[name], res, media };
  }

  beforeAll(async () => {
    detector = await createFaceDetector(MODEL_DIR);
  });
  afterAll(async () => {
    await detector?.release();
  });

  it('keeps a face that moves across the frame inside the 9:16 and 1:1 windows', async () => {
    const { fx, res } = await run('movingFace');
    // The fixtures have a key frame every 2 s, so the default decodes those alone, at their own times.
    expect(res.decode).toBe('keyframes');
    expect(res.sampleTimes).toEqual([0, 2, 4, 6, 8]);
    expect(res.sceneCuts).toEqual([]);
    expect(res.faceTracks.length).toBeGreaterThanOrEqual(1);
    for (const plan of res.cropPlans) {
      expect(containment(res, plan, fx.facesAt)).toBeGreaterThanOrEqual(0.95);
      const k = plan.scenes[0].keyframes;
      // It actually pans: the window ends far to the right of where it started.
      expect(k[k.length - 1].x - k[0].x).toBeGreaterThan(200);
    }
  });

  it('switches to whoever is on screen when two people take turns', async () => {
    const { fx, res } = await run('turnTaking');
    expect(res.scenes).toHaveLength(1);
    for (const plan of res.cropPlans)
      expect(containment(res, plan, fx.facesAt)).toBeGreaterThanOrEqual(0.95);
  });

  it('finds scene cuts with F1 >= 0.9 and cuts the crop only there; a shot without a face is centred', async () => {
    const { fx, res } = await run('sceneCuts');
    expect(cutF1(res.sceneCuts, fx.cuts)).toBeGreaterThanOrEqual(0.9);
    expect(res.scenes).toHaveLength(4);
    for (const tr of res.faceTracks) expect(tr.sceneIndex).not.toBe(2);
    const plan = res.cropPlans.find((p) => p.aspect === '9:16')!;
    expect(containment(res, plan, fx.facesAt)).toBeGreaterThanOrEqual(0.95);
    const noFace = plan.scenes[2].keyframes;
    for (const k of noFace) expect(Math.abs(k.x + k.w / 2 - 320)).toBeLessThanOrEqual(2);
  });

  it('holds still on a still face (centre moves < 2% of the frame width)', async () => {
    const { fx, res } = await run('stillFace');
    for (const plan of res.cropPlans) {
      const centres = plan.scenes.flatMap((s) => s.keyframes.map((k) => k.x + k.w / 2));
      expect(Math.max(...centres) - Math.min(...centres)).toBeLessThan(0.02 * 640);
      expect(containment(res, plan, fx.facesAt)).toBeGreaterThanOrEqual(0.95);
    }
  });

  it('works in displayed coordinates for a source with rotation metadata', async () => {
    const { fx, res, media } = await run('rotated', ['1:1']);
    // ffmpeg 4 writes the tag; which way round it reads back is the prober's business, but
    // the frames and the truth must agree with it.
    const rotation = media.video!.rotation;
    expect([90, 270]).toContain(rotation);
    const plan = res.cropPlans[0];
    expect([plan.sourceWidth, plan.sourceHeight]).toEqual([360, 640]);
    // Displayed 360x640 is narrower than 1:1, so the window is full width and moves vertically.
    expect(plan.scenes[0].keyframes[0].w).toBe(360);
    const rotatedFaces = (t: number) => fx.facesAt(t).map((b) => rotateBox(b, rotation, 640, 360));
    expect(containment(res, plan, rotatedFaces)).toBeGreaterThanOrEqual(0.95);
    const p = res.faceTracks[0].points[0];
    const truth = rotatedFaces(0)[0];
    expect(Math.abs((p.x + p.w / 2) * 360 - (truth.x + truth.w / 2))).toBeLessThan(20);
    expect(Math.abs((p.y + p.h / 2) * 640 - (truth.y + truth.h / 2))).toBeLessThan(20);
  });

  it('gives even, in-frame windows for an 854x480 source', async () => {
    const { fx, res } = await run('oddSize');
    for (const plan of res.cropPlans) {
      expect(containment(res, plan, fx.facesAt)).toBeGreaterThanOrEqual(0.95);
      for (const k of plan.scenes.flatMap((s) => s.keyframes)) {
        expect((k.w % 2) + (k.h % 2)).toBe(0);
        expect(k.x).toBeGreaterThanOrEqual(0);
        expect(k.x + k.w).toBeLessThanOrEqual(854);
        expect(k.y + k.h).toBeLessThanOrEqual(480);
      }
    }
  });

  it('uses a portrait source whole for 9:16 and crops it vertically for 1:1', async () => {
    const { fx, res } = await run('portrait');
    const tall = res.cropPlans.find((p) => p.aspect === '9:16')!;
    for (const k of tall.scenes[0].keyframes)
      expect(k).toMatchObject({ x: 0, y: 0, w: 360, h: 640 });
    const square = res.cropPlans.find((p) => p.aspect === '1:1')!;
    expect(square.scenes[0].keyframes[0]).toMatchObject({ x: 0, w: 360, h: 360 });
    expect(containment(res, square, fx.facesAt)).toBeGreaterThanOrEqual(0.95);
  });

  it('splits by time range and merges back to the same scenes', async () => {
    const fx = (fixtures.sceneCuts ??= await buildLayoutCase('sceneCuts'));
    const media = await probeMedia(fx.path);
    const parts = await Promise.all(
      [
        [0, 6],
        [6, 8],
        [8, 16],
      ].map(([startSec, endSec]) =>
        analyseLayout(fx.path, media, { aspects: ['9:16'], detector, startSec, endSec }),
      ),
    );
    expect(parts[2].sceneCuts).toContain(8);
    const merged = mergeLayoutParts(parts);
    expect(merged.frameCount).toBe(8);
    expect(merged.sampleTimes).toEqual([0, 2, 4, 6, 8, 10, 12, 14]);
    expect(merged.scenes.map((s) => [s.start, s.end])).toEqual([
      [0, 4],
      [4, 8],
      [8, 12],
      [12, 16],
    ]);
    expect(cutF1(merged.sceneCuts, fx.cuts)).toBeGreaterThanOrEqual(0.9);
    expect(containment(merged, merged.cropPlans[0], fx.facesAt)).toBeGreaterThanOrEqual(0.95);
    expect(merged.faceTracks.filter((t) => t.sceneIndex === 1)).toHaveLength(1);
  });

  describe('decode modes', () => {
    /**
     * Cuts off the 1 s key-frame grid (3.4, 8.0, 11.0 s), re-encoded as one
     * stream at 25 fps with -g 25: with x264's scene-cut detection on, the
     * encoder adds key frames at the cuts; with it off, only the grid is left.
     */
    async function gop25(scenecut: boolean) {
      const fx = await buildTalkingHead({
        width: 640,
        height: 360,
        fps: 25,
        scenes: [
          { duration: 3.4, background: 'navy', faces: [{ size: 300, from: { x: 170, y: 30 } }] },
          {
            duration: 4.6,
            background: 'darkred',
            faces: [{ size: 300, from: { x: 20, y: 40 }, to: { x: 300, y: 40 } }],
          },
          { duration: 3, background: 'darkolivegreen', faces: [] },
          { duration: 5, background: 'purple', faces: [{ size: 300, from: { x: 330, y: 30 } }] },
        ],
      });
      const path = await cached(
        'layout-gop25.mp4',
        { src: fx.path, scenecut, preset: 'veryfast' },
        async (out) => {
          execFileSync(FFMPEG_PATH, [
            '-y',
            '-v',
            'error',
            '-i',
            fx.path,
            '-c:v',
            'libx264',
            // ultrafast turns x264's scene-cut detection off; veryfast keeps it.
            '-preset',
            'veryfast',
            '-g',
            '25',
            ...(scenecut ? [] : ['-sc_threshold', '0']),
            '-pix_fmt',
            'yuv420p',
            out,
          ]);
        },
      );
      return { ...fx, path };
    }

    it('samples key frames at their real times on a -g 25 source and finds the cuts', async () => {
      const fx = await gop25(true);
      const media = await probeMedia(fx.path);
      const choice = await chooseDecodeMode(fx.path, 0, media.durationSec, {});
      expect(choice).toMatchObject({ mode: 'keyframes', intervalSec: 1 });
      const res = await analyseLayout(fx.path, media, { aspects: ['9:16', '1:1'], detector });
      expect(res.decode).toBe('keyframes');
      // x264's own scene cuts put some key frames off the 1 s grid; the samples carry those times.
      const keyTimes = await probeKeyframeTimes(fx.path, 0, 60);
      expect(keyTimes.some((t) => Math.abs(t - Math.round(t)) > 0.02)).toBe(true);
      expect(res.sampleTimes).toHaveLength(keyTimes.length);
      res.sampleTimes.forEach((t, i) => expect(t).toBeCloseTo(keyTimes[i], 3));
      // x264 does not key every cut (not one 0.4 s after a grid key frame): within one GOP.
      expect(cutF1(res.sceneCuts, fx.cuts, 1.0)).toBeGreaterThanOrEqual(0.9);
      expect(res.scenes).toHaveLength(4);
      for (const plan of res.cropPlans)
        expect(containment(res, plan, fx.facesAt)).toBeGreaterThanOrEqual(0.95);
    });

    it('without key frames at the cuts, finds them within one GOP (1 s)', async () => {
      const fx = await gop25(false);
      const media = await probeMedia(fx.path);
      const res = await analyseLayout(fx.path, media, { aspects: ['9:16'], detector });
      expect(res.decode).toBe('keyframes');
      expect(res.sampleTimes.every((t) => Math.abs(t - Math.round(t)) < 0.021)).toBe(true);
      expect(cutF1(res.sceneCuts, fx.cuts, 1.0)).toBeGreaterThanOrEqual(0.9);
      // Each cut is reported at the first key frame after it, never before it.
      for (const c of res.sceneCuts) expect(fx.cuts.some((x) => c >= x && c - x <= 1)).toBe(true);
      expect(containment(res, res.cropPlans[0], fx.facesAt)).toBeGreaterThanOrEqual(0.95);
    });

    it.each(['all', 'noref'] as const)(
      '%s: samples 2 fps and meets the same accuracy on the scene-cut case',
      async (decode) => {
        const { fx, res } = await run('sceneCuts', ['9:16'], decode);
        expect(res.decode).toBe(decode);
        expect(res.frameCount).toBe(32);
        expect(cutF1(res.sceneCuts, fx.cuts)).toBeGreaterThanOrEqual(0.9);
        expect(containment(res, res.cropPlans[0], fx.facesAt)).toBeGreaterThanOrEqual(0.95);
      },
    );

    it('falls back from key frames to time sampling when key frames are far apart', async () => {
      const fx = (fixtures.stillFace ??= await buildLayoutCase('stillFace'));
      // 8 s with key frames every 2 s: too sparse for a 1.5 s limit.
      const choice = await chooseDecodeMode(fx.path, 0, 8, { maxKeyframeGapSec: 1.5 });
      expect(choice.mode).toBe('noref');
      const forced = await chooseDecodeMode(fx.path, 0, 8, { decode: 'keyframes' });
      expect(forced).toMatchObject({ mode: 'keyframes', intervalSec: 2 });
    });
  });

  it('skips audio-only sources and rejects corrupt video with BadInputError', async () => {
    expect(layoutApplies({ hasVideo: false, video: null } as never)).toEqual({
      applies: false,
      reason: expect.any(String),
    });
    const fx = (fixtures.stillFace ??= await buildLayoutCase('stillFace'));
    const media = await probeMedia(fx.path);
    const bad = join(FIXTURE_CACHE_DIR, 'layout-corrupt.mp4');
    writeFileSync(
      bad,
      Buffer.concat([Buffer.from('\x00\x00\x00\x18ftypmp42'), Buffer.alloc(50_000, 0x5a)]),
    );
    await expect(analyseLayout(bad, media, { aspects: ['9:16'], detector })).rejects.toBeInstanceOf(
      BadInputError,
    );
  });
});
