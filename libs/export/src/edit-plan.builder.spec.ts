import { buildCropPath, cropAt, planKeptRanges, RENDER_DEFAULTS } from '@clipline/rendering';
import {
  clipInput,
  plan,
  silences,
  sourceAt,
  words,
  media,
} from '@test/support/factories/export.factory';
import { buildExportClip, exportSourceOf } from './edit-plan.builder';
import { RATES, fpsOf, type FrameRate } from './frame-rate';
import { interpolateCrop, placeEvents } from './timeline';

const FOUR: Array<[string, FrameRate]> = [
  ['23.976', RATES['23.976']],
  ['25', RATES['25']],
  ['29.97', RATES['29.97']],
  ['30', RATES['30']],
];

describe('buildExportClip cuts', () => {
  it('keeps the jump cuts of removeSilence on the source frame grid (25 fps, by hand)', () => {
    const clip = buildExportClip(clipInput(sourceAt(RATES['25'])));
    // Silence 15–17 s cut to 15.2–16.8 s, music 25–26.6 s to 25.2–26.4 s; frames of 1/25 s.
    expect(clip.cuts).toEqual([
      { sourceIn: 250, sourceOut: 380 },
      { sourceIn: 420, sourceOut: 630 },
      { sourceIn: 660, sourceOut: 1000 },
    ]);
    expect(placeEvents(clip.cuts).map((e) => [e.recIn, e.recOut])).toEqual([
      [0, 130],
      [130, 340],
      [340, 680],
    ]);
    expect(clip.width).toBe(1080);
    expect(clip.height).toBe(1920);
  });

  it.each(FOUR)('is the render cut planner run on the %s fps grid', (_, rate) => {
    const source = sourceAt(rate);
    const fps = fpsOf(rate);
    const clip = buildExportClip(clipInput(source));
    const startF = Math.round(10 * fps);
    const ranges = planKeptRanges({
      clipStart: startF / fps,
      clipDuration: Math.round(40 * fps) / fps - startF / fps,
      silences,
      words,
      removeSilence: true,
      fps,
      minSilenceSec: RENDER_DEFAULTS.minSilenceSec,
      paddingSec: 0.2,
    });
    expect(clip.cuts).toHaveLength(3);
    expect(clip.cuts).toEqual(
      ranges.map(([a, b]) => ({
        sourceIn: startF + Math.round(a * fps),
        sourceOut: startF + Math.round(b * fps),
      })),
    );
    for (const c of clip.cuts) {
      expect(Number.isInteger(c.sourceIn) && Number.isInteger(c.sourceOut)).toBe(true);
      // Each cut lands within a frame of where the padding puts it.
      const gapsSec = [15.2, 16.8, 25.2, 26.4];
      for (const edge of [c.sourceIn, c.sourceOut]) {
        const t = edge / fps;
        if (t > 10.01 && t < 39.99) {
          expect(Math.min(...gapsSec.map((g) => Math.abs(g - t)))).toBeLessThanOrEqual(1 / fps);
        }
      }
    }
  });

  it('keeps the whole clip without removeSilence', () => {
    const clip = buildExportClip({ ...clipInput(sourceAt(RATES['29.97'])), removeSilence: false });
    expect(clip.cuts).toEqual([{ sourceIn: 300, sourceOut: 1199 }]);
  });

  it('puts the captions on the cut timeline and drops none that were spoken', () => {
    const clip = buildExportClip(clipInput(sourceAt(RATES['25'])));
    const text = clip.captions.map((c) => c.text).join(' ');
    expect(text.replace(/\s+/g, ' ')).toMatch(/So here.*we go.*again/i);
    // "we" at 17.2 s lands after the first cut: 130 + (17.2 - 16.8) * 25 = 140.
    const we = clip.captions.find((c) => /we/i.test(c.text))!;
    expect(we.start).toBe(140);
    for (const c of clip.captions) expect(c.end).toBeGreaterThan(c.start);
  });
});

describe('buildExportClip crop keyframes', () => {
  it.each(FOUR)('reproduce the render crop path at every frame within a pixel (%s fps)', (_, r) => {
    const source = sourceAt(r);
    const fps = fpsOf(r);
    const clip = buildExportClip(clipInput(source));
    const crop = clip.crop!;
    const startF = clip.cuts[0].sourceIn;
    const path = buildCropPath({
      plan,
      sourceWidth: 1920,
      sourceHeight: 1080,
      ratio: 1080 / 1920,
      clipStart: startF / fps,
      clipDuration: (Math.round(40 * fps) - startF) / fps,
    });
    expect([crop.w, crop.h]).toEqual([path.w, path.h]);
    let checked = 0;
    for (const e of placeEvents(clip.cuts)) {
      for (let f = e.recIn; f < e.recOut; f++) {
        const clipFrame = e.sourceIn - startF + (f - e.recIn);
        const want = cropAt(path, clipFrame / fps);
        const got = interpolateCrop(crop, f);
        expect(Math.abs(got.x - want.x)).toBeLessThanOrEqual(1);
        expect(Math.abs(got.y - want.y)).toBeLessThanOrEqual(1);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(500);
    // Few keyframes: the ends of each kept piece and the corners of the path.
    expect(crop.keyframes.length).toBeLessThan(20);
  });

  it('reproduce the plan itself: window centres at the plan keyframes, size within rounding', () => {
    const source = sourceAt(RATES['25']);
    const clip = buildExportClip(clipInput(source));
    const crop = clip.crop!;
    const events = placeEvents(clip.cuts);
    expect(Math.abs(crop.w - 607.5)).toBeLessThanOrEqual(2);
    expect(crop.h).toBe(1080);
    let checked = 0;
    for (const scene of plan.scenes) {
      for (const k of scene.keyframes) {
        const sf = Math.round(k.t * 25);
        const e = events.find((ev) => sf >= ev.sourceIn && sf < ev.sourceOut);
        if (!e) continue;
        const got = interpolateCrop(crop, e.recIn + (sf - e.sourceIn));
        expect(Math.abs(got.x + crop.w / 2 - (k.x + k.w / 2))).toBeLessThanOrEqual(1);
        expect(Math.abs(got.y + crop.h / 2 - (k.y + k.h / 2))).toBeLessThanOrEqual(1);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(3);
  });

  it('centres the window without a plan, and has no crop for audio-only sources', () => {
    const source = sourceAt(RATES['30']);
    const clip = buildExportClip({ ...clipInput(source), cropPlan: null });
    expect(clip.crop!.keyframes.every((k) => k.x === (1920 - clip.crop!.w) / 2)).toBe(true);
    const audio = exportSourceOf({ ...media(30), hasVideo: false, video: null }, 'pod.m4a');
    expect(buildExportClip({ ...clipInput(audio), cropPlan: null }).crop).toBeNull();
  });
});
