import type { Aspect, CropKeyframe, CropPlan, Scene } from '@clipline/contracts';
import type { SmoothingOptions } from './layout.types';
import type { TrackedFace } from './face.tracker';

const ASPECT_RATIO: Record<Aspect, number> = { '9:16': 9 / 16, '1:1': 1, '16:9': 16 / 9 };

export interface CropGeometry {
  /** Crop size in displayed source pixels (even). */
  w: number;
  h: number;
  /** Which way the window moves; null when it is the whole frame. */
  axis: 'x' | 'y' | null;
}

const even = (v: number) => 2 * Math.floor(v / 2);

/**
 * Window size for an aspect. Portrait and square sources are not cut down to
 * 9:16 (that would throw away a third of a square picture): the window is the
 * whole frame and the renderer fits it to width and pads top and bottom. A
 * source already at the target shape (within 2%) is also used whole.
 */
export function cropGeometry(width: number, height: number, aspect: Aspect): CropGeometry {
  const target = ASPECT_RATIO[aspect];
  const source = width / height;
  if (Math.abs(source / target - 1) < 0.02 || (aspect === '9:16' && source <= 1)) {
    return { w: width, h: height, axis: null };
  }
  if (source > target)
    return { w: Math.min(even(width), even(height * target)), h: even(height), axis: 'x' };
  return { w: even(width), h: Math.min(even(height), even(width / target)), axis: 'y' };
}

export interface PlannerInput {
  width: number;
  height: number;
  scenes: Scene[];
  /** Sample times that fall in each scene, by scene index. */
  sampleTimes: number[][];
  tracks: TrackedFace[];
  smoothing?: SmoothingOptions;
}

interface Seen {
  track: TrackedFace;
  point: TrackedFace['points'][number];
  activity: number;
}

/**
 * Which face the window should follow at each sample of a scene, with
 * hysteresis. `minHoldSec` (a creator's look) also keeps the window on a face
 * for that long after it moved there, so a brief interjection does not swing
 * it back and forth; unset, the layout stage's own rule alone applies.
 */
export function chooseTargets(
  times: number[],
  tracks: TrackedFace[],
  minHoldSec?: number,
): Array<Seen | null> {
  if (tracks.length === 0) return times.map(() => null);
  const byTime = new Map<number, Seen[]>();
  for (const track of tracks) {
    track.points.forEach((point, i) => {
      // Mouth activity averaged over a few samples: one frame of change is noise.
      const lo = Math.max(0, i - 2);
      const hi = Math.min(track.activity.length, i + 3);
      let act = 0;
      for (let k = lo; k < hi; k++) act += track.activity[k];
      act /= hi - lo;
      const key = Math.round(point.t * 1000);
      byTime.set(key, [...(byTime.get(key) ?? []), { track, point, activity: act }]);
    });
  }
  const presence = new Map(
    tracks.map((tr) => [tr.id, Math.min(1, tr.points.length / Math.max(1, times.length))]),
  );
  const score = (s: Seen) => {
    const cx = s.point.x + s.point.w / 2;
    const cy = s.point.y + s.point.h / 2;
    const centrality = 1 - 0.6 * Math.min(1, Math.hypot(cx - 0.5, cy - 0.5) * 2);
    return (
      Math.sqrt(s.point.w * s.point.h) *
      centrality *
      (0.5 + presence.get(s.track.id)!) *
      (1 + 8 * s.activity)
    );
  };
  const out: Array<Seen | null> = [];
  let current: number | null = null;
  let since = -Infinity;
  let challenger: { id: number; count: number } | null = null;
  for (const t of times) {
    const seen = byTime.get(Math.round(t * 1000)) ?? [];
    if (seen.length === 0) {
      out.push(null);
      continue;
    }
    const best = seen.reduce((a, b) => (score(b) > score(a) ? b : a));
    const mine = seen.find((s) => s.track.id === current);
    if (!mine) {
      if (best.track.id !== current) since = t;
      current = best.track.id;
      challenger = null;
    } else if (best.track.id !== current && score(best) > 1.4 * score(mine)) {
      // A rival must lead for a full second before the window leaves the current face.
      const prev = challenger as { id: number; count: number } | null;
      challenger = { id: best.track.id, count: prev?.id === best.track.id ? prev.count + 1 : 1 };
      if (challenger.count >= 2 && (minHoldSec === undefined || t - since >= minHoldSec - 1e-6)) {
        current = best.track.id;
        since = t;
        challenger = null;
      }
    } else {
      challenger = null;
    }
    out.push(seen.find((s) => s.track.id === current)!);
  }
  return out;
}

/**
 * One crop plan: per scene, a window that follows the chosen face with a dead
 * zone and a pan-speed limit, never loses the face box, and jumps only at
 * scene cuts (or, inside a scene, in one sample interval when the followed
 * person changes).
 */
export function planCrop(input: PlannerInput, aspect: Aspect): CropPlan {
  const { width, height } = input;
  const geo = cropGeometry(width, height, aspect);
  const dz = input.smoothing?.deadZone ?? 0.04;
  const maxPan = input.smoothing?.maxPanPerSec ?? 0.35;
  const scenes: CropPlan['scenes'] = [];
  for (const scene of input.scenes) {
    const times = input.sampleTimes[scene.index] ?? [];
    const full = (t: number): CropKeyframe => ({ t, x: 0, y: 0, w: geo.w, h: geo.h });
    if (!geo.axis || times.length === 0) {
      const kf = geo.axis
        ? [
            {
              t: scene.start,
              x: even((width - geo.w) / 2),
              y: even((height - geo.h) / 2),
              w: geo.w,
              h: geo.h,
            },
            {
              t: scene.end,
              x: even((width - geo.w) / 2),
              y: even((height - geo.h) / 2),
              w: geo.w,
              h: geo.h,
            },
          ]
        : [full(scene.start), full(scene.end)];
      scenes.push({ sceneIndex: scene.index, start: scene.start, end: scene.end, keyframes: kf });
      continue;
    }
    const axis = geo.axis;
    const span = axis === 'x' ? width : height;
    const size = axis === 'x' ? geo.w : geo.h;
    const half = size / 2;
    const targets = chooseTargets(
      times,
      input.tracks.filter((t) => t.sceneIndex === scene.index),
      input.smoothing?.minHoldSec,
    );
    // Face box along the moving axis, in pixels; vertical windows keep some headroom above the face.
    const faceSpan = (s: Seen) =>
      axis === 'x'
        ? {
            lo: s.point.x * width,
            hi: (s.point.x + s.point.w) * width,
            want: (s.point.x + s.point.w / 2) * width,
          }
        : {
            lo: s.point.y * height,
            hi: (s.point.y + s.point.h) * height,
            want: (s.point.y + s.point.h / 2) * height + 0.1 * size,
          };
    const firstSeen = targets.find((s) => s !== null);
    const clampC = (c: number) => Math.min(span - half, Math.max(half, c));
    let pos = clampC(firstSeen ? faceSpan(firstSeen).want : span / 2);
    let lastId = firstSeen ? firstSeen.track.id : null;
    const positions: number[] = [];
    times.forEach((t, i) => {
      const s = targets[i];
      if (s) {
        const f = faceSpan(s);
        if (i > 0 && s.track.id !== lastId) {
          pos = f.want;
        } else {
          const delta = f.want - pos;
          const dead = dz * span;
          if (Math.abs(delta) > dead) {
            const move = delta - Math.sign(delta) * dead;
            const limit = maxPan * span * (i > 0 ? t - times[i - 1] : 0);
            pos += Math.max(-limit, Math.min(limit, move));
          }
        }
        // The face must stay inside the window even if that means out-running the speed limit.
        if (f.hi - f.lo >= size) pos = (f.lo + f.hi) / 2;
        else if (f.lo < pos - half) pos = f.lo + half;
        else if (f.hi > pos + half) pos = f.hi - half;
        lastId = s.track.id;
      }
      pos = clampC(pos);
      positions.push(pos);
    });
    const kf = (t: number, c: number): CropKeyframe => {
      const off = Math.min(span - size, Math.max(0, even(c - half)));
      return axis === 'x'
        ? { t, x: off, y: 0, w: geo.w, h: geo.h }
        : { t, x: 0, y: off, w: geo.w, h: geo.h };
    };
    const raw: CropKeyframe[] = [kf(scene.start, positions[0])];
    times.forEach((t, i) => {
      if (t > scene.start + 1e-6 && t < scene.end - 1e-6) raw.push(kf(t, positions[i]));
    });
    raw.push(kf(scene.end, positions[positions.length - 1]));
    // Interior keyframes equal to both neighbours add nothing to a linear interpolation.
    const keyframes = raw.filter(
      (k, i) =>
        i === 0 ||
        i === raw.length - 1 ||
        !(
          k.x === raw[i - 1].x &&
          k.y === raw[i - 1].y &&
          k.x === raw[i + 1].x &&
          k.y === raw[i + 1].y
        ),
    );
    scenes.push({ sceneIndex: scene.index, start: scene.start, end: scene.end, keyframes });
  }
  return { aspect, sourceWidth: width, sourceHeight: height, scenes };
}
