import type { FaceTrack, Scene } from '@clipline/contracts';
import { chooseTargets } from './crop.planner';
import { replanCrop, smoothingFromLook } from './crop-replan';
import type { TrackedFace } from './face.tracker';

// Two people side by side, sampled at 10 fps for 8 s; A talks, B interjects for 0.5 s at 3 s.
const STEP = 0.1;
const times = Array.from({ length: 80 }, (_, i) => Math.round(i * STEP * 1000) / 1000);
const bTalks = (t: number) => t >= 3 && t < 3.5;

function track(id: number, x: number, talking: (t: number) => boolean): TrackedFace {
  return {
    id,
    sceneIndex: 0,
    points: times.map((t) => ({ t, x, y: 0.3, w: 0.15, h: 0.27, score: 0.9 })),
    activity: times.map((t) => (talking(t) ? 1 : 0)),
  };
}
const A = track(1, 0.1, (t) => !bTalks(t));
const B = track(2, 0.75, bTalks);

/** [time, track id] at every change of the followed face. */
function switches(ids: Array<number | undefined>): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  ids.forEach((id, i) => {
    if (id !== undefined && id !== out[out.length - 1]?.[1]) out.push([times[i], id]);
  });
  return out;
}

describe('speaker hold time', () => {
  it('without a hold, a 0.5 s interjection swings the window to B and straight back', () => {
    const s = switches(chooseTargets(times, [A, B]).map((x) => x?.track.id));
    expect(s.map(([, id]) => id)).toEqual([1, 2, 1]);
    expect(s[2][0] - s[1][0]).toBeLessThan(1);
  });

  it.each([1.5, 2.5])('with minHoldSeconds %s the window stays on B that long', (hold) => {
    const s = switches(chooseTargets(times, [A, B], hold).map((x) => x?.track.id));
    expect(s.map(([, id]) => id)).toEqual([1, 2, 1]);
    expect(s[2][0] - s[1][0]).toBeGreaterThanOrEqual(hold - 1e-6);
    expect(s[2][0] - s[1][0]).toBeLessThan(hold + 0.5);
  });

  it('a hold longer than A has been on screen keeps the window on A through the interjection', () => {
    const s = switches(chooseTargets(times, [A, B], 3.5).map((x) => x?.track.id));
    expect(s).toEqual([[0, 1]]);
  });

  it('re-plans a crop path from stored tracks with the hold: the window sits on B for the hold time', () => {
    const scenes: Scene[] = [{ index: 0, start: 0, end: 8 }];
    const stored: FaceTrack[] = [A, B];
    const centreAt = (plan: ReturnType<typeof replanCrop>, t: number) => {
      const kfs = plan.scenes[0].keyframes;
      const k = [...kfs].reverse().find((q) => q.t <= t + 1e-6)!;
      return (k.x + k.w / 2) / 1280;
    };
    const quick = replanCrop(
      { width: 1280, height: 720, scenes, faceTracks: stored, smoothing: 0.5, minHoldSeconds: 0 },
      '9:16',
    );
    const held = replanCrop(
      { width: 1280, height: 720, scenes, faceTracks: stored, smoothing: 0.5, minHoldSeconds: 2 },
      '9:16',
    );
    // B's face centre is at 0.825 of the width, A's at 0.175.
    expect(centreAt(quick, 4.5)).toBeLessThan(0.5);
    expect(centreAt(held, 4.5)).toBeGreaterThan(0.5);
    expect(centreAt(held, 6.5)).toBeLessThan(0.5);
  });

  it('maps smoothing 0.5 to the layout stage defaults and 1 to a nearly still window', () => {
    expect(smoothingFromLook(0.5, 2)).toEqual({
      deadZone: 0.04,
      maxPanPerSec: 0.35,
      minHoldSec: 2,
    });
    expect(smoothingFromLook(1, 0).maxPanPerSec).toBeLessThanOrEqual(0.01);
  });
});
