import type { SegmentingOptions, SpeechUnit } from './segmenting.types';
import { IntervalCoverage, lowerBound, upperBound } from './timeline.index';

// Coverage shortfall tolerated in an edge's quiet span (float rounding of stored regions).
const COVER_TOLERANCE_SEC = 0.002;
// A cut time is the first sampled frame of the new shot; beyond one sampling interval it is not a cut time.
const MAX_CUT_UNCERTAINTY_SEC = 0.5;
// Edge positions are tried on this grid: finer than any region or word time matters.
const GRID_SEC = 0.01;
// An edge moves at most this far out from its sentence: beyond it a pause is dead air, not a margin.
const SEARCH_SEC = 1.5;

/** How well the evidence supports a quiet span: room tone beats a pause only the VAD vouches for. */
type Support = 'room-tone' | 'vad';

/** An edge position with what supports it. */
interface Spot {
  at: number;
  support: Support;
}

export interface EdgeEvidence {
  /** Every stretch found free of speech: loudness silence and VAD non-speech (or the word gaps without a silence result). */
  pauses: IntervalCoverage;
  /** Loudness silence alone: nothing sounds there, so no voice can hide in it, music bed or not. */
  roomTone: IntervalCoverage;
  /**
   * Every word the recogniser put on the timeline, sorted by start, those
   * left out of the text as heard in music included: over a bed the VAD can
   * call the first word of a sentence music, and then the word is the only
   * evidence that someone speaks there.
   */
  words: ReadonlyArray<{ start: number; end: number }>;
}

/**
 * Where clips may start and end: in a pause, with the first and last
 * `edgeQuietSec` free of speech, and away from scene cuts so a clip shows no
 * flash of another shot. Every rule is checked on the final time, so what a
 * candidate claims about its edges is what the viewer gets.
 *
 * A quiet span counts when room tone covers it and no word overlaps it, or,
 * where only the VAD vouches for the pause (speech over music has no room
 * tone), when no word comes within `edgeWordMarginSec` of it: over a bed both
 * Silero and the recogniser put a voice's onset late, and unvoiced onsets are
 * quiet. Within reach of its sentence an edge takes the best-supported span,
 * nearest the sentence; with none, the sentence cannot open or close a clip.
 */
export class EdgeSnapper {
  private readonly wordStarts: Float64Array;
  /** Latest word end among words 0..k, so overlapping word timings cannot hide one. */
  private readonly maxEnd: Float64Array;
  private readonly cuts: Float64Array;
  /** The real cut lies within this much before the reported one (the layout's sampling interval). */
  private readonly cutSlack: number;
  private readonly startSpots = new Map<SpeechUnit, Spot[]>();
  private readonly endSpots = new Map<SpeechUnit, Spot[]>();

  constructor(
    private readonly evidence: EdgeEvidence,
    sceneCuts: ArrayLike<number>,
    sampleFps: number,
    private readonly durationSec: number,
    private readonly opts: SegmentingOptions,
  ) {
    const words = evidence.words;
    this.wordStarts = Float64Array.from(words, (w) => w.start);
    this.maxEnd = new Float64Array(words.length);
    words.forEach(
      (w, k) => (this.maxEnd[k] = Math.max(w.end, k > 0 ? this.maxEnd[k - 1] : -Infinity)),
    );
    this.cuts = Float64Array.from(sceneCuts);
    this.cutSlack = sampleFps > 0 ? Math.min(MAX_CUT_UNCERTAINTY_SEC, 1 / sampleFps) : 0;
  }

  /** What supports [a, b] as free of speech, or null when nothing does. */
  support(a: number, b: number): Support | null {
    if (b <= a) return 'room-tone';
    const { pauses, roomTone } = this.evidence;
    if (pauses.covered(a, b) < b - a - COVER_TOLERANCE_SEC) return null;
    if (roomTone.covered(a, b) >= b - a - COVER_TOLERANCE_SEC && !this.wordNear(a, b, 0)) {
      return 'room-tone';
    }
    return this.wordNear(a, b, this.opts.edgeWordMarginSec) ? null : 'vad';
  }

  /** True when [a, b] lies wholly in pauses and no word sounds in or near it. */
  isQuiet(a: number, b: number): boolean {
    return this.support(a, b) !== null;
  }

  /** The start for a clip opening on `u`: room tone before its first word, or null when there is no clean one. */
  startOf(u: SpeechUnit, wanted?: number): number | null {
    let spots = this.startSpots.get(u);
    if (!spots) this.startSpots.set(u, (spots = this.findStarts(u)));
    // Fitting a window to the maximum length: only starts at or after `wanted` fit.
    const usable = wanted === undefined ? spots : spots.filter((s) => s.at >= wanted - 1e-9);
    const target = wanted ?? u.start - this.opts.snapPadSec;
    return best(usable, target);
  }

  /** The end for a clip closing on `u`, or null. */
  endOf(u: SpeechUnit, wanted?: number): number | null {
    let spots = this.endSpots.get(u);
    if (!spots) this.endSpots.set(u, (spots = this.findEnds(u)));
    const usable = wanted === undefined ? spots : spots.filter((s) => s.at <= wanted + 1e-9);
    const target = wanted ?? u.end + this.opts.snapPadSec;
    return best(usable, target);
  }

  /** True when a word, widened by `margin`, overlaps [a, b]. */
  private wordNear(a: number, b: number, margin: number): boolean {
    const last = lowerBound(this.wordStarts, b + margin) - 1;
    return last >= 0 && this.maxEnd[last] > a - margin;
  }

  private findStarts(u: SpeechUnit): Spot[] {
    const r = this.evidence.pauses.before(u.start);
    if (!r || r.end < u.start - this.opts.snapNearSec) return [];
    const prevEnd = Number.isFinite(u.gapBefore) ? u.start - u.gapBefore : 0;
    const quiet = this.opts.edgeQuietSec;
    const latest = u.start - quiet;
    const floor = Math.max(r.start, prevEnd, 0, latest - SEARCH_SEC);
    const out: Spot[] = [];
    const seen = new Set<number>();
    for (let k = 0; latest - k * GRID_SEC >= floor - 1e-9; k++) {
      const at = this.settleStart(Math.max(latest - k * GRID_SEC, floor));
      if (at === null || at + quiet > u.start + 1e-9 || seen.has(at)) continue;
      seen.add(at);
      const support = this.support(at, at + quiet);
      if (support) out.push({ at, support });
    }
    return out;
  }

  private findEnds(u: SpeechUnit): Spot[] {
    const r = this.evidence.pauses.after(u.end);
    if (!r || r.start > u.end + this.opts.snapNearSec) return [];
    const nextStart = Number.isFinite(u.gapAfter) ? u.end + u.gapAfter : this.durationSec;
    const quiet = this.opts.edgeQuietSec;
    const earliest = u.end + quiet;
    const ceil = Math.min(r.end, nextStart, this.durationSec, earliest + SEARCH_SEC);
    const out: Spot[] = [];
    const seen = new Set<number>();
    for (let k = 0; earliest + k * GRID_SEC <= ceil + 1e-9; k++) {
      const at = this.settleEnd(Math.min(earliest + k * GRID_SEC, ceil));
      if (at === null || at - quiet < u.end - 1e-9 || seen.has(at)) continue;
      seen.add(at);
      const support = this.support(at - quiet, at);
      if (support) out.push({ at, support });
    }
    return out;
  }

  /** A cut shortly after the start would flash the previous shot: open on the new shot instead. */
  private settleStart(start: number): number | null {
    const lead = this.opts.sceneCutLeadSec + this.cutSlack;
    for (let pass = 0; pass < 8; pass++) {
      const i = upperBound(this.cuts, start);
      const j = upperBound(this.cuts, start + lead) - 1;
      if (j < i) return start;
      start = this.cuts[j];
    }
    return null;
  }

  /** The real cut may lie up to one sampling interval before the reported time. */
  private settleEnd(end: number): number | null {
    for (let pass = 0; pass < 8; pass++) {
      const i = lowerBound(this.cuts, end - this.opts.sceneCutTailSec);
      const j = lowerBound(this.cuts, end + this.cutSlack);
      if (j <= i) return end;
      end = this.cuts[i] - this.cutSlack;
    }
    return null;
  }
}

/** The room-tone spot nearest `target`, else the nearest one only the VAD supports. */
function best(spots: readonly Spot[], target: number): number | null {
  for (const support of ['room-tone', 'vad'] as const) {
    let pick: Spot | null = null;
    for (const s of spots) {
      if (s.support !== support) continue;
      if (!pick || Math.abs(s.at - target) < Math.abs(pick.at - target)) pick = s;
    }
    if (pick) return pick.at;
  }
  return null;
}
