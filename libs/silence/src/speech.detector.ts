import type { SilenceRegion } from '@clipline/contracts';
import type { SilenceOptions } from './silence-options';
import { activeSpans, complementSpans, meanDbOver, padRegion, type FrameSpan } from './regions';
import { round1, round3 } from './loudness.detector';

export interface SpeechAnalysis {
  /** Speech spans in seconds, after the minimum-duration rules. */
  speech: Array<{ start: number; end: number }>;
  nonSpeech: SilenceRegion[];
}

/** How far a VAD boundary may move to meet the level edge: Silero's output decays over ~100 ms. */
const MAX_SNAP_SEC = 0.25;
/** A window this much above the gap's own (median) level is sound, not bed. */
const SNAP_MARGIN_DB = 6;

function medianOf(levels: Float32Array, a: number, b: number): number {
  const xs = Array.from(levels.subarray(a, b)).sort((x, y) => x - y);
  return xs.length ? xs[xs.length >> 1] : -Infinity;
}

/**
 * Moves a gap's edges to where the level actually changes. Silero's
 * probability lags the end of speech by 2–5 frames, while the RMS level drops
 * to the bed (silence, noise or music) within one 10 ms window, so within a
 * short reach the level edge is the better boundary.
 */
export function snapGapToLevels(
  levels: Float32Array,
  a: number,
  b: number,
  maxShift: number,
  lo: number,
  hi: number,
): { a: number; b: number } {
  if (b - a < 2) return { a, b };
  const edge = medianOf(levels, a, b) + SNAP_MARGIN_DB;
  const quiet = (i: number) => i >= 0 && i < levels.length && levels[i] <= edge;
  // A boundary moves only if a level edge is found within reach; a flat level
  // (no contrast between gap and speech) leaves the VAD's boundary as it is.
  let s = a;
  if (a > lo) {
    if (quiet(s - 1)) {
      while (s - 1 > lo && a - s < maxShift && quiet(s - 1)) s--;
      if (quiet(s - 1)) s = a;
    } else {
      while (s < b && s - a < maxShift && !quiet(s)) s++;
      if (!quiet(s)) s = a;
    }
  }
  let e = b;
  if (b < hi) {
    if (quiet(e)) {
      while (e + 1 < hi && e - b < maxShift && quiet(e)) e++;
      if (quiet(e)) e = b;
    } else {
      while (e > s && b - e < maxShift && !quiet(e - 1)) e--;
      if (!quiet(e - 1)) e = b;
    }
  }
  return { a: s, b: e };
}

/**
 * Turns per-frame VAD probabilities into speech spans and the non-speech
 * regions between them. Short speech bursts are dropped first (a drum hit or a
 * cough in a music bed), so the non-speech around them joins into one region;
 * gap edges are then snapped to the level edge and short gaps dropped.
 */
export function speechRegions(
  probs: Float32Array,
  frameSec: number,
  levels: Float32Array,
  levelWindowSec: number,
  opts: SilenceOptions,
  durationSec: number,
): SpeechAnalysis {
  const minSpeech = Math.ceil(opts.minSpeechMs / 1000 / frameSec - 1e-9);
  const rawSpeech = activeSpans(probs, opts.vadThreshold, opts.vadNegThreshold).filter(
    (s) => s.end - s.start >= minSpeech,
  );
  const totalWin = Math.min(levels.length, Math.ceil(durationSec / levelWindowSec - 1e-9));
  const maxShift = Math.round(MAX_SNAP_SEC / levelWindowSec);
  const minGapSec = opts.minNonSpeechMs / 1000 - 1e-9;
  const gaps: FrameSpan[] = [];
  for (const g of complementSpans(rawSpeech, probs.length)) {
    const a = Math.round((g.start * frameSec) / levelWindowSec);
    const b = Math.min(totalWin, Math.round((g.end * frameSec) / levelWindowSec));
    const prevEnd = gaps.length ? gaps[gaps.length - 1].end : 0;
    const snapped = snapGapToLevels(levels, a, b, maxShift, prevEnd, totalWin);
    if ((snapped.b - snapped.a) * levelWindowSec >= minGapSec)
      gaps.push({ start: snapped.a, end: snapped.b });
  }
  const toSec = (w: number) => Math.min(durationSec, w * levelWindowSec);
  const nonSpeech: SilenceRegion[] = [];
  for (const gap of gaps) {
    const padded = padRegion(toSec(gap.start), toSec(gap.end), opts.paddingMs / 1000, durationSec);
    if (!padded) continue;
    nonSpeech.push({
      kind: 'non_speech',
      start: round3(padded.start),
      end: round3(padded.end),
      meanDb: round1(meanDbOver(levels, gap.start, gap.end)),
    });
  }
  const speech = complementSpans(gaps, totalWin).map((s) => ({
    start: toSec(s.start),
    end: toSec(s.end),
  }));
  return { speech, nonSpeech };
}
