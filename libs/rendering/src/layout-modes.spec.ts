import type { FaceTrack } from '@clipline/contracts';
import { chooseLayout, splitScreenPlans, type LayoutChoiceInput } from './layout-modes';

/** A face track at 2 fps over [from, to) with a fixed normalised box. */
function track(
  id: number,
  box: { x: number; y: number; w: number; h: number },
  from = 0,
  to = 10,
): FaceTrack {
  const points = [];
  for (let t = from; t < to; t += 0.5) points.push({ t, ...box, score: 0.9 });
  return { id, sceneIndex: 0, points };
}

const base = (over: Partial<LayoutChoiceInput> = {}): LayoutChoiceInput => ({
  requested: 'auto',
  hasVideo: true,
  aspect: '9:16',
  sourceWidth: 1920,
  sourceHeight: 1080,
  clipStart: 0,
  clipEnd: 10,
  layout: { faceTracks: [], frameCount: 20, analysedSec: 10 },
  ...over,
});
const faces = (faceTracks: FaceTrack[]) => ({ faceTracks, frameCount: 20, analysedSec: 10 });
const host = { x: 0.45, y: 0.2, w: 0.1, h: 0.18 };

describe('chooseLayout', () => {
  it('audio-only sources are audiograms whatever the look asks', () => {
    expect(chooseLayout(base({ hasVideo: false, requested: 'split-screen' }))).toEqual({
      mode: 'audiogram',
      reason: 'audio-only source',
    });
  });

  it('auto: no face in most frames → fit-blur, with the share in the reason', () => {
    const c = chooseLayout(base({ layout: faces([track(1, host, 0, 1.5)]) }));
    expect(c).toEqual({
      mode: 'fit-blur',
      reason: 'no face found in 85% of sampled frames → fit-blur',
    });
  });

  it('auto: small faces are a wide shot → fit-blur', () => {
    const c = chooseLayout(
      base({ layout: faces([track(1, { x: 0.4, y: 0.4, w: 0.02, h: 0.04 })]) }),
    );
    expect(c.mode).toBe('fit-blur');
    expect(c.reason).toMatch(/wide shot/);
  });

  it('auto: one face most of the time → follow-face', () => {
    expect(chooseLayout(base({ layout: faces([track(1, host)]) }))).toEqual({
      mode: 'follow-face',
      reason: 'a face in 100% of sampled frames → follow-face',
    });
  });

  it('auto: two people far apart → split-screen; close together (one window holds both) → follow-face', () => {
    const apart = faces([track(1, { ...host, x: 0.1 }), track(2, { ...host, x: 0.8 })]);
    expect(chooseLayout(base({ layout: apart })).mode).toBe('split-screen');
    const close = faces([track(1, { ...host, x: 0.4 }), track(2, { ...host, x: 0.5 })]);
    expect(chooseLayout(base({ layout: close })).mode).toBe('follow-face');
    // Only portrait output stacks two people.
    expect(chooseLayout(base({ layout: apart, aspect: '1:1' })).mode).toBe('follow-face');
  });

  it('an explicit mode is used, or falls back with the reason when the source cannot give it', () => {
    expect(chooseLayout(base({ requested: 'fit-blur', layout: faces([track(1, host)]) }))).toEqual({
      mode: 'fit-blur',
      reason: 'chosen in the look',
    });
    expect(
      chooseLayout(base({ requested: 'split-screen', layout: faces([track(1, host)]) })),
    ).toEqual({
      mode: 'follow-face',
      reason: 'split-screen asked, but only one person was seen in the clip → follow-face',
    });
    expect(chooseLayout(base({ layout: null }))).toEqual({
      mode: 'fit-blur',
      reason: 'no face analysis for this source → fit-blur',
    });
  });

  it('split-screen plans put the left person on top and follow each one', () => {
    const [top, bottom] = splitScreenPlans({
      faceTracks: [track(2, { ...host, x: 0.8 }), track(1, { ...host, x: 0.1 })],
      aspect: '9:16',
      sourceWidth: 1920,
      sourceHeight: 1080,
      clipStart: 2,
      clipEnd: 6,
      smoothing: 0.5,
    });
    const centre = (p: typeof top) => p.scenes[0].keyframes[0].x + p.scenes[0].keyframes[0].w / 2;
    expect(centre(top) / 1920).toBeCloseTo(0.15, 2);
    expect(centre(bottom) / 1920).toBeCloseTo(0.85, 2);
    expect(top.scenes[0].keyframes.every((k) => k.t >= 2 && k.t < 6)).toBe(true);
  });
});
