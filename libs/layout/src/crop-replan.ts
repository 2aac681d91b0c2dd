import type { Aspect, CropPlan, FaceTrack, Scene } from '@clipline/contracts';
import { planCrop } from './crop.planner';
import type { TrackedFace } from './face.tracker';
import type { SmoothingOptions } from './layout.types';

/**
 * A creator's smoothing (0: follow every move, 1: nearly still) as the
 * planner's dead zone and pan limit; 0.5 gives the layout stage's defaults
 * (4 % dead zone, 0.35 of the frame per second).
 */
export function smoothingFromLook(smoothing: number, minHoldSeconds: number): SmoothingOptions {
  const s = Math.min(1, Math.max(0, smoothing));
  return {
    deadZone: 0.08 * s,
    maxPanPerSec: Math.max(0.01, 0.7 * (1 - s)),
    minHoldSec: Math.max(0, minHoldSeconds),
  };
}

export interface ReplanInput {
  /** Displayed source size in pixels (the face boxes are normalised to it). */
  width: number;
  height: number;
  scenes: Scene[];
  faceTracks: FaceTrack[];
  smoothing: number;
  minHoldSeconds: number;
}

/**
 * Plans the crop again from the stored face tracks with a creator's smoothing
 * and hold time, without decoding the source. The samples are the times at
 * which some face was seen (samples without a face only held the window).
 * Tracks stored before mouth activity was kept count as silent, so the choice
 * then rests on size, centrality and presence alone.
 */
export function replanCrop(input: ReplanInput, aspect: Aspect): CropPlan {
  const tracks: TrackedFace[] = input.faceTracks.map((t) => ({
    ...t,
    activity:
      t.activity && t.activity.length === t.points.length ? t.activity : t.points.map(() => 0),
  }));
  const sampleTimes: number[][] = [];
  for (const scene of input.scenes) {
    const times = new Set<number>();
    for (const t of tracks) {
      if (t.sceneIndex !== scene.index) continue;
      for (const p of t.points) times.add(p.t);
    }
    sampleTimes[scene.index] = [...times].sort((a, b) => a - b);
  }
  return planCrop(
    {
      width: input.width,
      height: input.height,
      scenes: input.scenes,
      sampleTimes,
      tracks,
      smoothing: smoothingFromLook(input.smoothing, input.minHoldSeconds),
    },
    aspect,
  );
}
