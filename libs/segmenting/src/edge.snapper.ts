import type { CleanWord, SegmentingOptions, SpeechUnit } from './segmenting.types';
import { IntervalCoverage, lowerBound, upperBound } from './timeline.index';

// Coverage shortfall tolerated in an edge's quiet span (float rounding of stored regions).
const COVER_TOLERANCE_SEC = 0.002;
// How many earlier words to look back for one still sounding (overlapping word timings).
const OVERLAP_LOOKBACK = 4;
// A cut time is the first sampled frame of the new shot; beyond one sampling interval it is not a cut time.
const MAX_CUT_UNCERTAINTY_SEC = 0.5;

/**
 * Where clips may start and end: in a pause, with the first and last
 * `edgeQuietSec` free of speech, and away from scene cuts so a clip shows no
 * flash of another shot. Every rule is checked on the final time, so what a
 * candidate claims about its edges is what the viewer gets.
 */
export class EdgeSnapper {
  private readonly wordStarts: Float64Array;
  private readonly wordEnds: Float64Array;
  private readonly cuts: Float64Array;
  /** The real cut lies within this much before the reported one (the layout's sampling interval). */
  private readonly cutSlack: number;

  constructor(
    private readonly pauses: IntervalCoverage,
    words: readonly CleanWord[],
    sceneCuts: ArrayLike<number>,
    sampleFps: number,
    private readonly durationSec: number,
    private readonly opts: SegmentingOptions,
  ) {
    this.wordStarts = Float64Array.from(words, (w) => w.start);
    this.wordEnds = Float64Array.from(words, (w) => w.end);
    this.cuts = Float64Array.from(sceneCuts);
    this.cutSlack = sampleFps > 0 ? Math.min(MAX_CUT_UNCERTAINTY_SEC, 1 / sampleFps) : 0;
  }

  /** True when [a, b] lies wholly in pauses and no word sounds in it. */
  isQuiet(a: number, b: number): boolean {
    if (b <= a) return true;
    if (this.pauses.covered(a, b) < b - a - COVER_TOLERANCE_SEC) return false;
    const last = lowerBound(this.wordStarts, b) - 1;
    for (let k = last; k >= 0 && k > last - OVERLAP_LOOKBACK; k--) {
      if (this.wordEnds[k] > a) return false;
    }
    return true;
  }

  /** The start for a clip opening on `u`: room tone before its first word, or null when there is no clean one. */
  startOf(u: SpeechUnit, wanted?: number): number | null {
    const r = this.pauses.before(u.start);
    if (!r || r.end < u.start - this.opts.snapNearSec) return null;
    const prevEnd = Number.isFinite(u.gapBefore) ? u.start - u.gapBefore : 0;
    const floor = Math.max(r.start, prevEnd, 0);
    const start = Math.max(floor, wanted ?? u.start - this.opts.snapPadSec);
    return this.settleStart(u, start);
  }

  /** The end for a clip closing on `u`, or null. */
  endOf(u: SpeechUnit, wanted?: number): number | null {
    const r = this.pauses.after(u.end);
    if (!r || r.start > u.end + this.opts.snapNearSec) return null;
    const nextStart = Number.isFinite(u.gapAfter) ? u.end + u.gapAfter : this.durationSec;
    const ceil = Math.min(r.end, nextStart, this.durationSec);
    const end = Math.min(ceil, wanted ?? u.end + this.opts.snapPadSec);
    return this.settleEnd(u, end);
  }

  private settleStart(u: SpeechUnit, start: number): number | null {
    // A cut shortly after the start would flash the previous shot: open on the new shot instead.
    const lead = this.opts.sceneCutLeadSec + this.cutSlack;
    for (let pass = 0; pass < 8; pass++) {
      const i = upperBound(this.cuts, start);
      const j = upperBound(this.cuts, start + lead) - 1;
      if (j < i) break;
      start = this.cuts[j];
    }
    const quiet = this.opts.edgeQuietSec;
    if (start + quiet > u.start + 1e-9) return null;
    return this.isQuiet(start, start + quiet) ? start : null;
  }

  private settleEnd(u: SpeechUnit, end: number): number | null {
    // The real cut may lie up to one sampling interval before the reported time.
    for (let pass = 0; pass < 8; pass++) {
      const i = lowerBound(this.cuts, end - this.opts.sceneCutTailSec);
      const j = lowerBound(this.cuts, end + this.cutSlack);
      if (j <= i) break;
      end = this.cuts[i] - this.cutSlack;
    }
    const quiet = this.opts.edgeQuietSec;
    if (end - quiet < u.end - 1e-9) return null;
    return this.isQuiet(end - quiet, end) ? end : null;
  }
}
