import type { FaceBox, FaceTrack } from '@clipline/contracts';
import { iou } from './face.detector';
import type { SampledFrame } from './layout.types';

/** A track plus how much its mouth region changed between samples (0..1), one entry per point. */
export interface TrackedFace extends FaceTrack {
  activity: number[];
}

interface LiveTrack {
  track: TrackedFace;
  lastT: number;
  mouth: Float32Array | null;
}

const MOUTH_COLS = 8;
const MOUTH_ROWS = 4;

/** Grey 8x4 samples of the lower middle of the face box, where the mouth moves when someone speaks. */
function mouthSignature(frame: SampledFrame, box: FaceBox): Float32Array {
  const sig = new Float32Array(MOUTH_COLS * MOUTH_ROWS);
  const x0 = (box.x + box.w * 0.25) * frame.width;
  const x1 = (box.x + box.w * 0.75) * frame.width;
  const y0 = (box.y + box.h * 0.6) * frame.height;
  const y1 = (box.y + box.h * 0.95) * frame.height;
  for (let r = 0; r < MOUTH_ROWS; r++) {
    const y = Math.min(
      frame.height - 1,
      Math.max(0, Math.round(y0 + ((r + 0.5) * (y1 - y0)) / MOUTH_ROWS)),
    );
    for (let c = 0; c < MOUTH_COLS; c++) {
      const x = Math.min(
        frame.width - 1,
        Math.max(0, Math.round(x0 + ((c + 0.5) * (x1 - x0)) / MOUTH_COLS)),
      );
      const i = (y * frame.width + x) * 3;
      sig[r * MOUTH_COLS + c] =
        0.299 * frame.rgb[i] + 0.587 * frame.rgb[i + 1] + 0.114 * frame.rgb[i + 2];
    }
  }
  return sig;
}

/**
 * IoU, or for small/fast faces a centre-distance score below any real
 * overlap. The reach (in face sizes) grows with the time since the track was
 * last seen, as a face moves further between sparse (key-frame) samples.
 */
function matchScore(a: FaceBox, b: FaceBox, dt: number): number {
  const o = iou(a, b);
  if (o > 0.1) return o;
  const dx = a.x + a.w / 2 - (b.x + b.w / 2);
  const dy = a.y + a.h / 2 - (b.y + b.h / 2);
  const dist = Math.hypot(dx, dy) / Math.max(a.w, a.h, b.w, b.h);
  const reach = Math.max(1, dt);
  const sizeRatio = Math.min(a.w * a.h, b.w * b.h) / Math.max(a.w * a.h, b.w * b.h);
  return dist < reach && sizeRatio > 0.4 ? 0.1 * (1 - dist / reach) : 0;
}

/**
 * Links per-frame detections into tracks inside one scene at a time: greedy
 * best-score assignment, with a track surviving short detector dropouts.
 */
export class FaceTracker {
  private live: LiveTrack[] = [];
  private done: TrackedFace[] = [];
  private nextId = 0;
  private sceneIndex = 0;

  constructor(private readonly maxGapSec = 1.5) {}

  startScene(sceneIndex: number): void {
    this.done.push(...this.live.map((l) => l.track));
    this.live = [];
    this.sceneIndex = sceneIndex;
  }

  update(frame: SampledFrame, boxes: FaceBox[]): void {
    const t = frame.t;
    this.live = this.live.filter((l) => {
      if (t - l.lastT <= this.maxGapSec) return true;
      this.done.push(l.track);
      return false;
    });
    const pairs: Array<{ li: number; bi: number; s: number }> = [];
    this.live.forEach((l, li) => {
      const last = l.track.points[l.track.points.length - 1];
      boxes.forEach((b, bi) => {
        const s = matchScore(last, b, t - l.lastT);
        if (s > 0) pairs.push({ li, bi, s });
      });
    });
    pairs.sort((a, b) => b.s - a.s);
    const usedL = new Set<number>();
    const usedB = new Set<number>();
    for (const p of pairs) {
      if (usedL.has(p.li) || usedB.has(p.bi)) continue;
      usedL.add(p.li);
      usedB.add(p.bi);
      this.extend(this.live[p.li], frame, boxes[p.bi]);
    }
    boxes.forEach((b, bi) => {
      if (usedB.has(bi)) return;
      const l: LiveTrack = {
        track: { id: this.nextId++, sceneIndex: this.sceneIndex, points: [], activity: [] },
        lastT: t,
        mouth: null,
      };
      this.live.push(l);
      this.extend(l, frame, b);
    });
  }

  private extend(l: LiveTrack, frame: SampledFrame, b: FaceBox): void {
    const mouth = mouthSignature(frame, b);
    let activity = 0;
    if (l.mouth) {
      for (let i = 0; i < mouth.length; i++) activity += Math.abs(mouth[i] - l.mouth[i]);
      activity /= mouth.length * 255;
    }
    l.track.points.push({ t: frame.t, x: b.x, y: b.y, w: b.w, h: b.h, score: b.score });
    l.track.activity.push(activity);
    l.mouth = mouth;
    l.lastT = frame.t;
  }

  finish(): TrackedFace[] {
    this.startScene(this.sceneIndex);
    return this.done.sort((a, b) => a.id - b.id);
  }
}
