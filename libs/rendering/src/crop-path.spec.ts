import type { CropPlan } from '@clipline/contracts';
import { buildCropPath, cropAt, cropExpression } from './crop-path';
import { escapeFilterValue } from './filter-escape';

const plan = (keyframes: Array<[number, number]>, extra: CropPlan['scenes'] = []): CropPlan => ({
  aspect: '9:16',
  sourceWidth: 1920,
  sourceHeight: 1080,
  scenes: [
    {
      sceneIndex: 0,
      start: 0,
      end: 10,
      keyframes: keyframes.map(([t, x]) => ({ t, x, y: 0, w: 606, h: 1080 })),
    },
    ...extra,
  ],
});

describe('buildCropPath', () => {
  it('centres the window without a plan', () => {
    const p = buildCropPath({
      plan: null,
      sourceWidth: 1280,
      sourceHeight: 720,
      ratio: 9 / 16,
      clipStart: 5,
      clipDuration: 4,
    });
    expect(p.w).toBe(404);
    expect(p.h).toBe(720);
    expect(cropAt(p, 1)).toEqual({ x: 438, y: 0 });
    expect(cropExpression(p, 'x')).toBe('438');
  });

  it('interpolates keyframes linearly in clip time and scales to the displayed size', () => {
    const p = buildCropPath({
      plan: plan([
        [2, 100],
        [6, 500],
      ]),
      sourceWidth: 960,
      sourceHeight: 540,
      ratio: 9 / 16,
      clipStart: 2,
      clipDuration: 6,
    });
    expect(p.w).toBe(302);
    // Keyframe centres (x + 303) / 2 minus half the window (151).
    expect(Math.abs(cropAt(p, 0).x - 50.5)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(cropAt(p, 2).x - 150.5)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(cropAt(p, 5).x - 250.5)).toBeLessThanOrEqual(0.5);
    expect(cropExpression(p, 'x')).toContain('clip(t,');
  });

  it('switches position at a scene cut and keeps the expression bounded', () => {
    const many: Array<[number, number]> = Array.from({ length: 200 }, (_, i) => [
      i * 0.05,
      200 + 300 * Math.sin(i / 7),
    ]);
    const p = buildCropPath({
      plan: plan(many, [
        {
          sceneIndex: 1,
          start: 10,
          end: 20,
          keyframes: [{ t: 12, x: 1200, y: 0, w: 606, h: 1080 }],
        },
      ]),
      sourceWidth: 1920,
      sourceHeight: 1080,
      ratio: 9 / 16,
      clipStart: 0,
      clipDuration: 20,
      maxPieces: 24,
    });
    expect(p.pieces.length).toBeLessThanOrEqual(24);
    expect(cropAt(p, 9.99).x).toBeLessThan(600);
    expect(cropAt(p, 10.01).x).toBe(1200);
    expect(cropExpression(p, 'x').length).toBeLessThan(24 * 80);
  });

  it('keeps the window inside the frame', () => {
    const p = buildCropPath({
      plan: plan([[1, 1800]]),
      sourceWidth: 1920,
      sourceHeight: 1080,
      ratio: 9 / 16,
      clipStart: 0,
      clipDuration: 3,
    });
    expect(cropAt(p, 1).x + p.w).toBeLessThanOrEqual(1920);
  });
});

describe('escapeFilterValue', () => {
  it('escapes for the option and the graph level', () => {
    expect(escapeFilterValue("/tmp/it's a:b,[c];d")).toBe("/tmp/it\\\\\\'s a\\\\:b\\,\\[c\\]\\;d");
  });
});
