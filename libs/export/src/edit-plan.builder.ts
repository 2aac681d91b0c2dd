import {
  ASPECT_SIZES,
  type Aspect,
  type CropPlan,
  type MediaInfo,
  type SilenceRegion,
  type TranscriptWord,
} from '@clipline/contracts';
import {
  DEFAULT_LINE_RULES,
  RENDER_DEFAULTS,
  buildCropPath,
  groupCaptionLines,
  mapTime,
  mapWords,
  planKeptRanges,
  type CropPath,
} from '@clipline/rendering';
import type { CaptionCue, CropKeyframe, CropTrack, ExportClip, ExportSource } from './export.types';
import { fpsOf, rateFromFps, secondsToFrames, framesToSeconds } from './frame-rate';

/** The source as an editor sees it: displayed size, broadcast rate, frame count. */
export function exportSourceOf(media: MediaInfo, fileName: string): ExportSource {
  const rate = rateFromFps(media.video?.fps);
  return {
    fileName,
    width: media.video?.displayWidth ?? 0,
    height: media.video?.displayHeight ?? 0,
    rate,
    durationFrames: Math.max(0, Math.floor((media.durationSec * rate.num) / rate.den)),
    hasVideo: media.hasVideo && media.video !== null,
    hasAudio: media.hasAudio && media.audio !== null,
    audioRate: media.audio?.sampleRate ?? null,
    audioChannels: media.audio?.channels ?? 0,
  };
}

export interface ExportClipInput {
  name: string;
  source: ExportSource;
  /** Clip bounds in source seconds (the segment). */
  start: number;
  end: number;
  aspect: Aspect;
  /** Words in source time: the same ones the render used for cuts and captions. */
  words: TranscriptWord[];
  silences: SilenceRegion[];
  removeSilence: boolean;
  cropPlan: CropPlan | null;
  minSilenceSec?: number;
  cutPaddingSec?: number;
}

/**
 * The edit of one clip at the source's own frame rate. Cuts come from the
 * render's cut planner run on the source's frame grid (the render snaps to
 * its 30 fps output instead, so a cut may sit up to one frame apart), and the
 * crop from the render's crop path.
 */
export function buildExportClip(input: ExportClipInput): ExportClip {
  const { source } = input;
  const rate = source.rate;
  const fps = fpsOf(rate);
  const { width, height } = ASPECT_SIZES[input.aspect];
  const startF = secondsToFrames(Math.max(0, input.start), rate);
  let endF = secondsToFrames(input.end, rate);
  if (source.durationFrames > 0) endF = Math.min(endF, source.durationFrames);
  if (endF <= startF) throw new RangeError(`clip ${input.name} lies outside the source`);
  const clipStart = framesToSeconds(startF, rate);
  const clipDuration = framesToSeconds(endF - startF, rate);
  const ranges = planKeptRanges({
    clipStart,
    clipDuration,
    silences: input.silences,
    words: input.words,
    removeSilence: input.removeSilence,
    fps,
    minSilenceSec: input.minSilenceSec ?? RENDER_DEFAULTS.minSilenceSec,
    paddingSec: input.cutPaddingSec ?? RENDER_DEFAULTS.cutPaddingSec,
  });
  // The planner's boundaries are already on this grid; rounding only removes float dust.
  const frameRanges = ranges
    .map(([a, b]) => [Math.round(a * fps), Math.round(b * fps)] as [number, number])
    .filter(([a, b]) => b > a);
  const secRanges = frameRanges.map(
    ([a, b]) => [framesToSeconds(a, rate), framesToSeconds(b, rate)] as [number, number],
  );
  const cuts = frameRanges.map(([a, b]) => ({ sourceIn: startF + a, sourceOut: startF + b }));

  const nonSpeech = input.silences
    .map((r) => ({
      start: mapTime(secRanges, r.start - clipStart),
      end: mapTime(secRanges, r.end - clipStart),
    }))
    .filter((r) => r.end > r.start);
  const captions: CaptionCue[] = groupCaptionLines(
    mapWords(input.words, clipStart, secRanges),
    DEFAULT_LINE_RULES,
    nonSpeech,
  ).map((l) => {
    const s = secondsToFrames(l.start, rate);
    return { start: s, end: Math.max(s + 1, secondsToFrames(l.end, rate)), text: l.text };
  });

  let crop: CropTrack | null = null;
  if (source.hasVideo && source.width > 0 && source.height > 0) {
    const path = buildCropPath({
      plan: input.cropPlan,
      sourceWidth: source.width,
      sourceHeight: source.height,
      ratio: width / height,
      clipStart,
      clipDuration,
    });
    crop = { w: path.w, h: path.h, keyframes: cropKeyframes(path, frameRanges, fps) };
  }
  return { name: input.name, width, height, cuts, crop, captions };
}

/** The crop path's window at clip time t, before the renderer's rounding to pixels. */
function windowAt(path: CropPath, t: number): { x: number; y: number } {
  const p = path.pieces.find((q) => t < q.t1) ?? path.pieces[path.pieces.length - 1];
  const k = p.t1 > p.t0 ? Math.min(1, Math.max(0, (t - p.t0) / (p.t1 - p.t0))) : 0;
  return { x: p.x0 + (p.x1 - p.x0) * k, y: p.y0 + (p.y1 - p.y0) * k };
}

/**
 * Keyframes on the timeline that reproduce the path at every frame: the first
 * and last frame of each kept piece (a jump cut may jump the window), and the
 * two frames around each corner of the path (a scene change jumps it too).
 * Between those the path is linear, as is the editor's interpolation.
 */
function cropKeyframes(path: CropPath, frameRanges: Array<[number, number]>, fps: number) {
  const out: CropKeyframe[] = [];
  const corners = path.pieces.slice(0, -1).map((p) => p.t1 * fps);
  let rec = 0;
  for (const [a, b] of frameRanges) {
    const frames = new Set<number>([a, b - 1]);
    for (const c of corners) {
      const first = Math.ceil(c - 1e-6);
      for (const f of [first - 1, first]) if (f > a && f < b - 1) frames.add(f);
    }
    const event: CropKeyframe[] = [...frames]
      .sort((p, q) => p - q)
      .map((f) => ({ frame: rec + (f - a), ...windowAt(path, f / fps) }));
    out.push(...dropCollinear(event));
    rec += b - a;
  }
  return out;
}

/** A keyframe on the straight line between its neighbours adds nothing. */
function dropCollinear(ks: CropKeyframe[]): CropKeyframe[] {
  if (ks.length <= 2) return ks;
  const out = [ks[0]];
  for (let i = 1; i < ks.length - 1; i++) {
    const a = out[out.length - 1];
    const p = ks[i];
    const b = ks[i + 1];
    const k = (p.frame - a.frame) / (b.frame - a.frame);
    const off = Math.max(
      Math.abs(a.x + (b.x - a.x) * k - p.x),
      Math.abs(a.y + (b.y - a.y) * k - p.y),
    );
    if (off > 0.01) out.push(p);
  }
  out.push(ks[ks.length - 1]);
  return out;
}
