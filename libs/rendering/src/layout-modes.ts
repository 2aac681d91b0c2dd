import type {
  Aspect,
  ClipLayoutChoice,
  CropKeyframe,
  CropPlan,
  FaceTrack,
  LayoutMode,
} from '@clipline/contracts';
import { ASPECT_SIZES } from '@clipline/contracts';
import { buildCropPath, cropExpression, type CropPath } from './crop-path';

/** What the layout stage stored, as far as choosing a layout needs it. */
export interface StoredLayout {
  faceTracks: FaceTrack[];
  /** Frames the layout stage analysed over the whole source, and that source's length. */
  frameCount: number;
  analysedSec: number;
}

export interface LayoutChoiceInput {
  requested: LayoutMode;
  hasVideo: boolean;
  aspect: Aspect;
  /** Displayed source size. */
  sourceWidth: number;
  sourceHeight: number;
  clipStart: number;
  clipEnd: number;
  /** null: no layout analysis (model missing, stage skipped). */
  layout: StoredLayout | null;
}

/** Below this share of sampled frames with a face, the clip is shown whole (fit-blur). */
export const MIN_FACE_SHARE = 0.2;
/** A face whose median height is below this share of the frame is a wide shot. */
export const MIN_FACE_HEIGHT = 0.06;
/** Each of two people must be seen in this share of the sampled frames for a split screen. */
export const MIN_PAIR_PRESENCE = 0.4;

const pct = (x: number) => `${Math.round(x * 100)}%`;

interface ClipFaces {
  expected: number;
  faceShare: number;
  /** Tracks seen in the clip, most present first, with their points inside it. */
  tracks: Array<{ track: FaceTrack; points: FaceTrack['points']; presence: number }>;
}

function facesInClip(
  layout: StoredLayout,
  start: number,
  end: number,
  sourceSec: number,
): ClipFaces {
  const perSec = layout.analysedSec > 0 ? layout.frameCount / layout.analysedSec : 2;
  const expected = Math.max(1, Math.round(perSec * Math.max(0, Math.min(end, sourceSec) - start)));
  const times = new Set<number>();
  const tracks = layout.faceTracks
    .map((track) => {
      const points = track.points.filter((p) => p.t >= start && p.t < end);
      for (const p of points) times.add(Math.round(p.t * 1000));
      return { track, points, presence: Math.min(1, points.length / expected) };
    })
    .filter((t) => t.points.length > 0)
    .sort((a, b) => b.presence - a.presence);
  return { expected, faceShare: Math.min(1, times.size / expected), tracks };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : 0;
}

/**
 * The layout a clip is rendered with, and why. An explicit mode is used as
 * asked unless the source cannot give it (audio only; fewer than two people
 * for a split screen). `auto` reads the stored face tracks: no face in most
 * sampled frames, or only small ones (a wide shot, a slide), shows the whole
 * frame on a blurred copy of itself; two people seen side by side most of the
 * time, too far apart for one portrait window, share a split screen; otherwise
 * the window follows the face.
 */
export function chooseLayout(input: LayoutChoiceInput): ClipLayoutChoice {
  if (!input.hasVideo) return { mode: 'audiogram', reason: 'audio-only source' };
  if (input.requested === 'audiogram') {
    return { mode: 'follow-face', reason: 'audiogram asked, but the source has video' };
  }
  const sourceSec = input.layout?.analysedSec ?? input.clipEnd;
  const faces = input.layout
    ? facesInClip(input.layout, input.clipStart, input.clipEnd, sourceSec)
    : null;
  const pair = faces ? splitPair(faces, input) : null;
  if (input.requested === 'fit-blur') return { mode: 'fit-blur', reason: 'chosen in the look' };
  if (input.requested === 'follow-face') {
    return { mode: 'follow-face', reason: 'chosen in the look' };
  }
  if (input.requested === 'split-screen') {
    if (pair) return { mode: 'split-screen', reason: 'chosen in the look' };
    const seen = faces?.tracks.length ?? 0;
    return {
      mode: 'follow-face',
      reason: `split-screen asked, but ${seen === 0 ? 'no face was' : 'only one person was'} seen in the clip → follow-face`,
    };
  }
  if (!faces) return { mode: 'fit-blur', reason: 'no face analysis for this source → fit-blur' };
  if (faces.faceShare < MIN_FACE_SHARE) {
    return {
      mode: 'fit-blur',
      reason: `no face found in ${pct(1 - faces.faceShare)} of sampled frames → fit-blur`,
    };
  }
  const heights = faces.tracks.flatMap((t) => t.points.map((p) => p.h));
  const h = median(heights);
  if (h < MIN_FACE_HEIGHT) {
    return {
      mode: 'fit-blur',
      reason: `faces are small (median height ${pct(h)} of the frame): a wide shot → fit-blur`,
    };
  }
  if (pair) {
    return {
      mode: 'split-screen',
      reason: `two people seen in ${pct(pair.presence)} of sampled frames, too far apart for one window → split-screen`,
    };
  }
  return {
    mode: 'follow-face',
    reason: `a face in ${pct(faces.faceShare)} of sampled frames → follow-face`,
  };
}

/** Two tracks present together and too far apart for one output-shaped window. */
function splitPair(
  faces: ClipFaces,
  input: LayoutChoiceInput,
): { presence: number; left: FaceTrack; right: FaceTrack } | null {
  if (input.aspect !== '9:16') return null;
  const [a, b] = faces.tracks;
  if (!a || !b || b.presence < MIN_PAIR_PRESENCE) return null;
  const bTimes = new Set(b.points.map((p) => Math.round(p.t * 1000)));
  const together = a.points.filter((p) => bTimes.has(Math.round(p.t * 1000))).length;
  const presence = together / faces.expected;
  if (presence < MIN_PAIR_PRESENCE) return null;
  const cx = (pts: FaceTrack['points']) => median(pts.map((p) => p.x + p.w / 2));
  const { width, height } = ASPECT_SIZES[input.aspect];
  const windowShare = Math.min(1, (input.sourceHeight * width) / height / input.sourceWidth);
  const apart = Math.abs(cx(a.points) - cx(b.points));
  const faceW = median([...a.points, ...b.points].map((p) => p.w));
  if (apart + faceW <= windowShare) return null;
  const [left, right] = cx(a.points) <= cx(b.points) ? [a.track, b.track] : [b.track, a.track];
  return { presence, left, right };
}

/**
 * Two crop plans for a split screen, each window shaped like half the output
 * and following one person (the left one on top), per scene the clip spans.
 * The centres are smoothed over a few samples; `smoothing` 1 holds them still.
 */
export function splitScreenPlans(input: {
  faceTracks: FaceTrack[];
  aspect: Aspect;
  sourceWidth: number;
  sourceHeight: number;
  clipStart: number;
  clipEnd: number;
  smoothing: number;
}): [CropPlan, CropPlan] {
  const { width, height } = ASPECT_SIZES[input.aspect];
  const ratio = width / (height / 2);
  const sw = input.sourceWidth;
  const sh = input.sourceHeight;
  const winW = Math.min(sw, sh * ratio);
  const winH = winW / ratio;
  const inClip = input.faceTracks
    .map((t) => ({
      ...t,
      points: t.points.filter((p) => p.t >= input.clipStart && p.t < input.clipEnd),
    }))
    .filter((t) => t.points.length > 0);
  const plans: [CropPlan, CropPlan] = [
    { aspect: input.aspect, sourceWidth: sw, sourceHeight: sh, scenes: [] },
    { aspect: input.aspect, sourceWidth: sw, sourceHeight: sh, scenes: [] },
  ];
  const scenes = [...new Set(inClip.map((t) => t.sceneIndex))].sort((a, b) => a - b);
  const radius = Math.round(1 + input.smoothing * 6);
  for (const sceneIndex of scenes) {
    const tracks = inClip
      .filter((t) => t.sceneIndex === sceneIndex)
      .sort((a, b) => b.points.length - a.points.length)
      .slice(0, 2);
    const cx = (t: FaceTrack) => median(t.points.map((p) => p.x + p.w / 2));
    tracks.sort((a, b) => cx(a) - cx(b));
    const pair = tracks.length === 2 ? tracks : [tracks[0], tracks[0]];
    const start = Math.min(...pair.flatMap((t) => t.points.map((p) => p.t)));
    const end = Math.max(...pair.flatMap((t) => t.points.map((p) => p.t)));
    pair.forEach((t, half) => {
      const pts = [...t.points].sort((p, q) => p.t - q.t);
      const keyframes: CropKeyframe[] = pts.map((p, i) => {
        const near = pts.slice(Math.max(0, i - radius), i + radius + 1);
        const x = near.reduce((n, q) => n + q.x + q.w / 2, 0) / near.length;
        const y = near.reduce((n, q) => n + q.y + q.h / 2, 0) / near.length;
        return { t: p.t, x: x * sw - winW / 2, y: y * sh - winH / 2, w: winW, h: winH };
      });
      plans[half].scenes.push({ sceneIndex, start, end: Math.max(end, start + 0.01), keyframes });
    });
  }
  return plans;
}

/** The filters between the decoded source frames and the laid-out picture (before trims). */
export type VideoLayout =
  | { mode: 'follow-face'; crop: CropPath }
  | { mode: 'fit-blur' }
  | { mode: 'split-screen'; top: CropPath; bottom: CropPath };

const cropFilter = (c: CropPath) =>
  `crop=w=${c.w}:h=${c.h}:x='${cropExpression(c, 'x')}':y='${cropExpression(c, 'y')}'`;

const even = (n: number) => Math.max(2, 2 * Math.round(n / 2));

/**
 * A filter chain to append after the source's own filters, ending where the
 * caller puts its output label. follow-face is today's single crop (the
 * scale to the output size comes later); the others compose the output size
 * themselves. The blurred background is made at an eighth of the size: the
 * blur costs a sixty-fourth and looks the same once scaled up.
 */
export function videoLayoutChain(layout: VideoLayout, width: number, height: number): string {
  if (layout.mode === 'follow-face') return cropFilter(layout.crop);
  if (layout.mode === 'fit-blur') {
    const bw = even(width / 8);
    const bh = even(height / 8);
    return [
      `split=2[lay_bg][lay_fg]`,
      `[lay_bg]scale=${bw}:${bh}:force_original_aspect_ratio=increase:flags=bilinear,crop=${bw}:${bh},boxblur=luma_radius=6:luma_power=2,scale=${width}:${height}:flags=bilinear,setsar=1[lay_b]`,
      `[lay_fg]scale=${width}:${height}:force_original_aspect_ratio=decrease:flags=bilinear,setsar=1[lay_f]`,
      `[lay_b][lay_f]overlay=x=(W-w)/2:y=(H-h)/2`,
    ].join(';');
  }
  const half = even(height / 2);
  return [
    `split=2[lay_t][lay_u]`,
    `[lay_t]${cropFilter(layout.top)},scale=${width}:${half}:flags=bilinear,setsar=1[lay_top]`,
    `[lay_u]${cropFilter(layout.bottom)},scale=${width}:${height - half}:flags=bilinear,setsar=1[lay_bot]`,
    `[lay_top][lay_bot]vstack=inputs=2`,
  ].join(';');
}

/** Window paths for a split screen, as buildCropPath makes them for one crop. */
export function splitScreenPaths(
  plans: [CropPlan, CropPlan],
  input: {
    sourceWidth: number;
    sourceHeight: number;
    aspect: Aspect;
    clipStart: number;
    clipDuration: number;
  },
): { top: CropPath; bottom: CropPath } {
  const { width, height } = ASPECT_SIZES[input.aspect];
  const ratio = width / (height / 2);
  const path = (plan: CropPlan) =>
    buildCropPath({
      plan,
      sourceWidth: input.sourceWidth,
      sourceHeight: input.sourceHeight,
      ratio,
      clipStart: input.clipStart,
      clipDuration: input.clipDuration,
    });
  return { top: path(plans[0]), bottom: path(plans[1]) };
}
